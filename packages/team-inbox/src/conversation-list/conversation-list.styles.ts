import { css } from 'lit';

export const conversationListStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
  }
  [part='base'] {
    position: relative;
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    contain: strict;
  }
  .spacer {
    position: relative;
    width: 100%;
  }
  [role='option'] {
    position: absolute;
    top: 0;
    left: 0;
    right: 0;
    height: var(--row-height);
    box-sizing: border-box;
    display: grid;
    grid-template-columns: 16px 12px 1fr auto;
    grid-template-rows: auto auto;
    column-gap: var(--baton-space-2);
    align-content: center;
    padding: 0 var(--baton-space-3) 0 var(--baton-space-2);
    border-bottom: 1px solid var(--baton-color-border);
    cursor: pointer;
  }
  [role='option']:hover {
    background: var(--baton-color-hover);
  }
  [role='option'][aria-selected='true'] {
    background: var(--baton-color-selected);
  }
  [role='option']:focus-visible {
    outline: none;
    box-shadow: inset 0 0 0 2px var(--baton-accent);
  }
  .check {
    grid-column: 1;
    grid-row: 1 / 3;
    align-self: center;
    width: 14px;
    height: 14px;
    box-sizing: border-box;
    border: 1.5px solid var(--baton-color-text-muted);
    border-radius: 3px;
  }
  [aria-checked='true'] > .check {
    background: var(--baton-accent);
    border-color: var(--baton-accent);
    box-shadow: inset 0 0 0 2px var(--baton-color-bg);
  }
  [aria-checked='true'] {
    background: var(--baton-color-hover);
  }
  .tools {
    display: flex;
    align-items: center;
    gap: var(--baton-space-2);
    padding: 1px var(--baton-space-3) 1px var(--baton-space-2);
    border-bottom: 1px solid var(--baton-color-border);
    font-size: var(--baton-font-size-small);
  }
  /* Hit areas of 24 × 24 px or more (WCAG 2.5.8) for a thumb, in a toolbar no taller than before. */
  .tools button {
    min-height: 24px;
    padding: 2px 8px;
    font-size: inherit;
  }
  .tools button[aria-expanded='true'] {
    background: var(--baton-color-selected);
  }
  .tools label {
    display: grid;
    place-items: center;
    min-width: 24px;
    min-height: 24px;
  }
  .dot {
    grid-column: 2;
    grid-row: 1;
    align-self: center;
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--baton-unread);
  }
  .top {
    grid-column: 3;
    display: flex;
    align-items: center;
    gap: 6px;
    min-width: 0;
  }
  /* The name keeps its width (up to 70% of the line); a state label beside it gives way first. A
     shrinking name would lose a letter to the ellipsis for a fraction of a pixel. */
  /* A right-to-left name or message reads (and is cut) from its own start. */
  .name,
  .preview {
    unicode-bidi: plaintext;
  }
  .name {
    flex: none;
    max-width: 70%;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .unread .name {
    font-weight: 700;
  }
  .channel {
    flex: none;
    display: inline-flex;
    color: var(--baton-color-text-muted);
  }
  /* "Snoozed until …", "Waiting for … · 4 min": cut short, it shows whole on hover (title). */
  .state {
    flex: 0 1 auto;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .state.waiting {
    color: var(--baton-color-warning-text);
  }
  time {
    grid-column: 4;
    grid-row: 1;
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .preview {
    grid-column: 3;
    grid-row: 2;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--baton-color-text-muted);
  }
  .draft {
    color: var(--baton-color-danger);
    font-weight: 600;
  }
  /* The assignee's initials: a face drawn in the row (avatarFace), not a <baton-avatar> element
     with a shadow root of its own in every row. */
  .assignee {
    grid-column: 4;
    grid-row: 2;
    justify-self: end;
    --baton-avatar-size: 20px;
  }
  .empty {
    padding: var(--baton-space-4);
    color: var(--baton-color-text-muted);
  }
  .skeleton-row {
    display: grid;
    gap: 8px;
    height: var(--row-height);
    box-sizing: border-box;
    padding: 14px 16px;
  }
  .skeleton-row .skeleton + .skeleton {
    width: 70%;
  }
  /* Forced colours (Windows High Contrast) drop backgrounds and shadows, which mark the open row,
     the focused row, a tick and unread here: marks in system colours instead, which are kept. */
  @media (forced-colors: active) {
    [role='option'] {
      border-inline-start: 4px solid Canvas;
    }
    [role='option'][aria-selected='true'] {
      border-inline-start-color: Highlight;
    }
    [role='option']:focus-visible {
      outline: 2px solid CanvasText;
      outline-offset: -2px;
    }
    [aria-checked='true'] > .check,
    .dot {
      background: CanvasText;
    }
  }
`;
