import { html } from 'lit';

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
  [['?'], 'Keyboard shortcuts'],
];

export function renderShortcutList() {
  return html`<dl class="shortcut-list">
    ${SHORTCUTS.map(
      ([keys, does]) => html`<dt>${keys.map((k, i) => html`${i ? ' / ' : ''}<kbd>${k}</kbd>`)}</dt><dd>${does}</dd>`,
    )}
  </dl>`;
}
