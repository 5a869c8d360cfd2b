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
