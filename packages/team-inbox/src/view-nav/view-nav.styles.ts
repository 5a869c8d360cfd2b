import { css } from 'lit';

export const viewNavStyles = css`
  :host {
    display: block;
  }
  /* Two columns: six views in three rows leave the list room for ten rows at 900 px high. */
  [part='base'] {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: 2px;
    padding: var(--baton-space-2);
    margin: 0;
    list-style: none;
  }
  button {
    display: flex;
    align-items: center;
    justify-content: space-between;
    width: 100%;
    gap: 4px;
    padding: 6px var(--baton-space-2);
    border: 0;
    border-radius: var(--baton-radius-small);
    background: transparent;
    cursor: pointer;
    text-align: start;
  }
  button > span {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  button:hover {
    background: var(--baton-color-hover);
  }
  button[aria-current='page'] {
    background: var(--baton-color-selected);
    font-weight: 600;
  }
`;
