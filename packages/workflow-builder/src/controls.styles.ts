import { css } from 'lit';

/**
 * Form controls as the builder's parts draw them: the shared look of buttons, selects and text
 * fields, interpolated by each part's styles where its own rules would otherwise repeat it.
 */
export const controlStyles = css`
  button,
  select,
  input,
  textarea {
    font: inherit;
    color: inherit;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-bg);
    padding: 3px 6px;
  }
  button {
    cursor: pointer;
  }
`;

/** Disabled, primary and danger buttons. */
export const buttonVariantStyles = css`
  button:disabled,
  button[aria-disabled='true'] {
    opacity: 0.55;
    cursor: default;
  }
  .primary {
    background: var(--baton-accent);
    color: var(--baton-accent-text);
    border-color: var(--baton-accent);
  }
  .danger {
    color: var(--baton-color-danger);
  }
`;
