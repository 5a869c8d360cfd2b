import { css } from 'lit';

export const composerStyles = css`
  :host {
    display: block;
  }
  [part='base'] {
    position: relative;
    border-top: 1px solid var(--baton-color-border, #d9dde3);
    padding: var(--baton-space-2, 8px) var(--baton-space-4, 16px) var(--baton-space-3, 12px);
  }
  [part='base'].note {
    background: var(--baton-note-bg, #fff6d1);
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
    color: var(--baton-color-text-muted, #5b6470);
  }
  [role='tab'][aria-selected='true'] {
    border-bottom-color: var(--baton-accent, #2f5bea);
    color: var(--baton-color-text, #1b1f24);
    font-weight: 600;
  }
  .channel {
    font-weight: 400;
    font-size: var(--baton-font-size-small, 12px);
  }
  textarea {
    box-sizing: border-box;
    width: 100%;
    min-height: 72px;
    padding: 8px;
    border: 1px solid var(--baton-color-border, #d9dde3);
    border-radius: var(--baton-radius, 8px);
    background: var(--baton-color-bg, #fff);
    color: var(--baton-color-text, #1b1f24);
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
    font-size: var(--baton-font-size-small, 12px);
    color: var(--baton-color-text-muted, #5b6470);
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
    font-size: var(--baton-font-size-small, 12px);
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
    border-radius: var(--baton-radius, 8px);
    background: var(--baton-accent, #2f5bea);
    color: var(--baton-accent-text, #fff);
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
    left: var(--baton-space-4, 16px);
    min-width: 240px;
    margin: 0;
    padding: 4px;
    list-style: none;
    border: 1px solid var(--baton-color-border, #d9dde3);
    border-radius: var(--baton-radius, 8px);
    background: var(--baton-color-surface-raised, #fff);
    box-shadow: 0 8px 24px rgb(0 0 0 / 0.15);
  }
  [part='mentions'] [role='option'] {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 4px 8px;
    border-radius: var(--baton-radius-small, 4px);
    cursor: pointer;
  }
  [part='mentions'] [aria-selected='true'] {
    background: var(--baton-color-selected, #e3ecff);
  }
  .username {
    color: var(--baton-color-text-muted, #5b6470);
  }
  /* A line of its own, above the buttons. */
  .error {
    flex-basis: 100%;
    color: var(--baton-color-danger, #b42318);
  }
`;
