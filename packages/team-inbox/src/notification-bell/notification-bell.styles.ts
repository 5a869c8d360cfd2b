import { css } from 'lit';

export const notificationBellStyles = css`
  :host {
    display: inline-block;
    position: relative;
  }
  [part='base'] {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 6px;
    border: 1px solid transparent;
    border-radius: var(--baton-radius);
    background: transparent;
    cursor: pointer;
  }
  [part='base']:hover {
    background: var(--baton-color-hover);
  }
  [part='panel'] {
    position: absolute;
    z-index: 20;
    top: calc(100% + 4px);
    left: 0;
    width: 320px;
    max-height: 420px;
    overflow-y: auto;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-surface-raised);
    box-shadow: 0 8px 24px rgb(0 0 0 / 0.18);
  }
  .loading {
    margin: 0;
    padding: 12px;
  }
  .error {
    margin: 0;
    padding: 12px;
    color: var(--baton-color-danger);
  }
`;
