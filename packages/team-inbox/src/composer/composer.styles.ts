import { css } from 'lit';

export const composerStyles = css`
  :host {
    display: block;
  }
  [part='base'] {
    position: relative;
    border-top: 1px solid var(--baton-color-border);
    padding: var(--baton-space-2) var(--baton-space-4) var(--baton-space-3);
  }
  [part='base'].note {
    background: var(--baton-note-bg);
  }
  [role='tablist'] {
    display: flex;
    gap: 4px;
    margin-bottom: 6px;
  }
  [role='tab'] {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 4px 10px;
    border: 0;
    border-bottom: 2px solid transparent;
    background: transparent;
    cursor: pointer;
    color: var(--baton-color-text-muted);
  }
  [role='tab'][aria-selected='true'] {
    border-bottom-color: var(--baton-accent);
    color: var(--baton-color-text);
    font-weight: 600;
  }
  .channel {
    font-weight: 400;
    font-size: var(--baton-font-size-small);
  }
  textarea {
    box-sizing: border-box;
    width: 100%;
    min-height: 72px;
    padding: 8px;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-bg);
    color: var(--baton-color-text);
    font: inherit;
    resize: vertical;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    margin-top: 6px;
  }
  .hint {
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
  }
  /* Keys mean nothing on a phone; "/ for saved replies" still does (touch-only devices). */
  @media (hover: none) and (pointer: coarse) {
    .keys {
      display: none;
    }
  }
  /* Beside "Send", quieter than it. */
  .manage {
    margin-inline-start: auto;
    white-space: nowrap;
    padding: 4px 10px;
    font-size: var(--baton-font-size-small);
  }
  /*
   * "Send and resolve" and "Send" stay together at the end of the row, "Send" last: when the row
   * wraps in a narrow column they move to a line of their own, right-aligned, never "Send" alone
   * under its neighbour.
   */
  .send {
    display: flex;
    gap: 8px;
    margin-inline-start: auto;
    white-space: nowrap;
  }
  [part='submit'] {
    padding: 6px 16px;
    border: 0;
    border-radius: var(--baton-radius);
    background: var(--baton-accent);
    color: var(--baton-accent-text);
    font-weight: 600;
    cursor: pointer;
  }
  [part='submit'][disabled] {
    opacity: 0.5;
    cursor: default;
  }
  [part='mentions'] {
    position: absolute;
    z-index: 10;
    bottom: calc(100% - 40px);
    left: var(--baton-space-4);
    min-width: 240px;
    margin: 0;
    padding: 4px;
    list-style: none;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-surface-raised);
    box-shadow: 0 8px 24px rgb(0 0 0 / 0.15);
  }
  [part='mentions'] [role='option'] {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 4px 8px;
    border-radius: var(--baton-radius-small);
    cursor: pointer;
  }
  [part='mentions'] [aria-selected='true'] {
    background: var(--baton-color-selected);
  }
  .username {
    color: var(--baton-color-text-muted);
  }
  /* A line of its own, above the buttons. */
  .error {
    flex-basis: 100%;
    color: var(--baton-color-danger);
  }
  /*
   * Narrow inbox (a phone; the same width as <team-inbox>'s one-column layout): while the agent is
   * elsewhere and the box is empty, the composer is one line (tabs, a one-row box, "Send") so the
   * timeline keeps the screen, as Front, Intercom and WhatsApp do. Focus in it (the box, or a folded
   * control reached with Tab) or any text, error or warning brings back the full size, so typed text
   * is never hidden. A focused tab alone does not: growing on its mousedown would move it from under
   * the pointer and lose the click; choosing a tab focuses the box, which grows it then. What is
   * folded away is hidden visually only: the hint and "Send and resolve" stay in the accessibility
   * tree, and "Reply (Email)" keeps its name. One condition, so the folded rules nest under it.
   */
  @container team-inbox (max-width: 699px) {
    [part='base']:not(.drafting):not(:has(:focus:not([role='tab']))) {
      display: flex;
      align-items: center;
      gap: 6px;
      padding: var(--baton-space-2) var(--baton-space-3);
      #panel {
        display: flex;
        flex: 1;
        align-items: center;
        gap: 6px;
        min-width: 0;
      }
      [role='tablist'] {
        margin-bottom: 0;
        gap: 0;
      }
      [role='tab'] {
        padding: 4px 6px;
      }
      textarea {
        flex: 1;
        min-width: 0;
        height: 40px;
        min-height: 0;
        padding: 6px 8px;
        resize: none;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .row {
        display: contents;
      }
      :is(.channel, .hint, .manage, .send > :not([part='submit'])) {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
      }
      [part='submit'] {
        padding: 6px 12px;
      }
    }
  }
  /* Forced colours turn every tab's transparent underline into text colour: only the chosen one keeps one. */
  @media (forced-colors: active) {
    [role='tab'] {
      border-bottom-color: Canvas;
    }
    [role='tab'][aria-selected='true'] {
      border-bottom-color: Highlight;
    }
  }
`;
