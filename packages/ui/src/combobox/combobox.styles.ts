import { css } from 'lit';

/**
 * The look shared by Baton's comboboxes ("Assigned to", search): a bordered field with an input
 * (`part="base"`), a `.popup` list under it, and `role="option"` rows. Each element adds its own
 * sizes and row contents.
 */
export const comboboxStyles = css`
  :host {
    display: block;
    position: relative;
  }
  [part='base'] {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 0 var(--baton-space-2, 8px);
    border: 1px solid var(--baton-color-border, #d9dde3);
    border-radius: var(--baton-radius, 8px);
    background: var(--baton-color-bg, #fff);
  }
  [part='base']:focus-within {
    box-shadow: var(--baton-focus-ring, 0 0 0 2px #2f5bea);
  }
  input {
    flex: 1;
    min-width: 0;
    padding: 6px 0;
    border: 0;
    background: transparent;
    color: var(--baton-color-text, #1b1f24);
    font: inherit;
  }
  input:focus-visible {
    outline: none;
    box-shadow: none;
  }
  .popup {
    position: absolute;
    z-index: 10;
    left: 0;
    right: 0;
    overflow-y: auto;
    padding: 4px;
    list-style: none;
    border: 1px solid var(--baton-color-border, #d9dde3);
    border-radius: var(--baton-radius, 8px);
    background: var(--baton-color-surface-raised, #fff);
    box-shadow: 0 8px 24px rgb(0 0 0 / 0.15);
  }
  [role='option'] {
    padding: 6px 8px;
    border-radius: var(--baton-radius-small, 4px);
    cursor: pointer;
  }
  [role='option'][aria-selected='true'],
  [role='option']:hover {
    background: var(--baton-color-selected, #e3ecff);
  }
`;
