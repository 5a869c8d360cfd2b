import { css } from 'lit';

/** What search adds to the shared combobox look (the results' own look loads with them: search-results.ts). */
export const searchBoxStyles = css`
  [part='base'] {
    color: var(--baton-color-text-muted);
  }
  /* Wider than the box beside the bell: a result is a sentence with its conversation and time, and
     at the box's width each wrapped onto five lines. Never wider than <team-inbox> itself (its
     container, 100cqw) less a margin: the box is at the inbox's left, so the results stay inside
     it wherever the host puts it. */
  .popup {
    top: calc(100% + 4px);
    right: auto;
    box-sizing: border-box;
    width: max(100%, min(24rem, 100cqw - 1rem));
    max-height: 360px;
    margin: 0;
  }
  .status {
    padding: 6px 8px;
    color: var(--baton-color-text-muted);
  }
`;
