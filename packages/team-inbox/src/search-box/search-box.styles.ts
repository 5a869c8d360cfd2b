import { css } from 'lit';

/** What search adds to the shared combobox look (the results' own look loads with them: search-results.ts). */
export const searchBoxStyles = css`
  [part='base'] {
    color: var(--baton-color-text-muted, #5b6470);
  }
  .popup {
    top: calc(100% + 4px);
    max-height: 360px;
    margin: 0;
  }
  .status {
    padding: 6px 8px;
    color: var(--baton-color-text-muted, #5b6470);
  }
`;
