import { css } from 'lit';

export const searchBoxStyles = css`
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
    color: var(--baton-color-text-muted, #5b6470);
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
  [part='results'] {
    position: absolute;
    z-index: 10;
    top: calc(100% + 4px);
    left: 0;
    right: 0;
    max-height: 360px;
    overflow-y: auto;
    margin: 0;
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
  .kind {
    display: block;
    font-size: var(--baton-font-size-small, 12px);
    color: var(--baton-color-text-muted, #5b6470);
  }
  .kind.note {
    color: var(--baton-note-label, #7a5a00);
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
