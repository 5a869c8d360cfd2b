import { css } from 'lit';

/** What search adds to the shared combobox look: a muted icon, result kinds and highlights. */
export const searchBoxStyles = css`
  [part='base'] {
    color: var(--baton-color-text-muted, #5b6470);
  }
  .popup {
    top: calc(100% + 4px);
    max-height: 360px;
    margin: 0;
  }
  .kind {
    display: block;
    font-size: var(--baton-font-size-small, 12px);
    color: var(--baton-color-text-muted, #5b6470);
  }
  .kind.note {
    color: var(--baton-note-label, #7a5a00);
  }
  [role='group'][aria-label]::before {
    content: attr(aria-label);
    display: block;
    padding: 4px 8px 2px;
    font-size: var(--baton-font-size-small, 12px);
    font-weight: 600;
    color: var(--baton-color-text-muted, #5b6470);
  }
  .contact {
    font-weight: 600;
  }
  mark {
    background: var(--baton-mark-bg, #ffe58a);
    color: inherit;
  }
  .status {
    padding: 6px 8px;
    color: var(--baton-color-text-muted, #5b6470);
  }
`;
