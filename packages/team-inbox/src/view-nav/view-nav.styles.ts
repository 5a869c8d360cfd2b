import { css } from 'lit';

export const viewNavStyles = css`
  :host {
    display: block;
  }
  [part='base'] {
    display: flex;
    flex-direction: column;
    gap: 2px;
    padding: var(--baton-space-2, 8px);
    margin: 0;
    list-style: none;
  }
  button {
    display: flex;
    align-items: center;
    justify-content: space-between;
    width: 100%;
    padding: 6px var(--baton-space-2, 8px);
    border: 0;
    border-radius: var(--baton-radius-small, 4px);
    background: transparent;
    cursor: pointer;
    text-align: start;
  }
  button:hover {
    background: var(--baton-color-hover, #eef1f5);
  }
  button[aria-current='page'] {
    background: var(--baton-color-selected, #e3ecff);
    font-weight: 600;
  }
`;
