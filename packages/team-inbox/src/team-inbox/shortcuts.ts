import { css, html } from 'lit';

/**
 * The "Keyboard shortcuts" dialog's content, loaded with `import()` the first time `?` (or the
 * button) opens it; the `<dialog>` itself, the keys and the focus handling stay in team-inbox.ts.
 */

/** Every keyboard shortcut, with the words of the control it stands for (the dialog and the README list these). */
export const SHORTCUTS: readonly (readonly [keys: readonly string[], does: string])[] = [
  [['j', 'k'], 'Next / previous conversation'],
  [['Enter'], 'Open'],
  [['x'], 'Select for bulk actions (Shift: the range), in the list'],
  [['/'], 'Search'],
  [['i'], 'Assign to me'],
  [['a'], 'Assigned to'],
  [['r'], 'Reply'],
  [['n'], 'Note'],
  [['e'], 'Mark as Resolved'],
  [['s'], 'Snooze / Unsnooze'],
  [['z'], 'Undo (a resolve or snooze, while offered)'],
  [['Escape'], 'Leave the composer; close details; in one column, Back to conversations'],
  [['Ctrl+Enter'], 'Send / Save, in the composer'],
  [['Ctrl+Shift+Enter'], 'Send and resolve, in Reply'],
  [['?'], 'Keyboard shortcuts'],
];

export function renderShortcuts() {
  return html`<h2 id="shortcuts-title">Keyboard shortcuts</h2>
    <dl class="shortcut-list">
    ${SHORTCUTS.map(
      ([keys, does]) => html`<dt>${keys.map((k, i) => html`${i ? ' / ' : ''}<kbd>${k}</kbd>`)}</dt><dd>${does}</dd>`,
    )}
  </dl>
    <form method="dialog"><button class="button">Close</button></form>`;
}

/** Added to the inbox's shadow root with the content. */
export const shortcutsStyles = css`
  dialog.shortcuts {
    max-width: min(420px, 90%);
    padding: var(--baton-space-4);
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-bg);
    color: var(--baton-color-text);
  }
  dialog.shortcuts h2 {
    margin: 0 0 8px;
    font-size: 16px;
  }
  .shortcut-list {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 4px 12px;
    margin: 0 0 12px;
  }
  .shortcut-list dd {
    margin: 0;
  }
  kbd {
    font: inherit;
    font-weight: 600;
  }
`;
