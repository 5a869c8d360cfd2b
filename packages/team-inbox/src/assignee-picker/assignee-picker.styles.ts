import { css } from 'lit';

export const assigneePickerStyles = css`
  :host {
    display: block;
    position: relative;
  }
  label {
    display: block;
    margin-bottom: 4px;
    font-weight: 600;
  }
  [part='base'] {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 0 8px;
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
  [part='options'] {
    position: absolute;
    z-index: 10;
    left: 0;
    right: 0;
    max-height: 280px;
    overflow-y: auto;
    margin: 4px 0 0;
    padding: 4px;
    list-style: none;
    border: 1px solid var(--baton-color-border, #d9dde3);
    border-radius: var(--baton-radius, 8px);
    background: var(--baton-color-surface-raised, #fff);
    box-shadow: 0 8px 24px rgb(0 0 0 / 0.15);
  }
  [role='option'] {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 8px;
    border-radius: var(--baton-radius-small, 4px);
    cursor: pointer;
  }
  [role='option'][aria-selected='true'],
  [role='option']:hover {
    background: var(--baton-color-selected, #e3ecff);
  }
  .name {
    flex: 1;
  }
  .load {
    font-variant-numeric: tabular-nums;
    color: var(--baton-color-text-muted, #5b6470);
    font-size: var(--baton-font-size-small, 12px);
  }
  .load.full {
    color: var(--baton-color-danger, #b42318);
  }
  .current {
    font-size: var(--baton-font-size-small, 12px);
    color: var(--baton-color-text-muted, #5b6470);
  }
  .error {
    margin: 4px 0 0;
    color: var(--baton-color-danger, #b42318);
    font-size: var(--baton-font-size-small, 12px);
  }
`;
