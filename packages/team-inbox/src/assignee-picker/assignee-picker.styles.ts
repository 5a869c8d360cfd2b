import { css } from 'lit';

/** What "Assigned to" adds to the shared combobox look: its label and each teammate's load. */
export const assigneePickerStyles = css`
  label {
    display: block;
    margin-bottom: 4px;
    font-weight: 600;
  }
  .popup {
    max-height: 280px;
    margin: 4px 0 0;
  }
  [role='option'] {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .name {
    flex: 1;
  }
  .load {
    font-variant-numeric: tabular-nums;
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .load.full {
    color: var(--baton-color-danger);
  }
  .current {
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
  }
  .error {
    margin: 4px 0 0;
    color: var(--baton-color-danger);
    font-size: var(--baton-font-size-small);
  }
  /* Away and offline teammates say so in words, not only with the avatar's dot. */
  .availability {
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
`;
