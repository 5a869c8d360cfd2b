import { css } from 'lit';
import { controlStyles } from '../controls.styles.js';

export const editorToolsStyles = css`
  :host {
    display: block;
    margin-top: var(--baton-space-4);
  }
  ${controlStyles}
  .tools {
    display: flex;
    gap: var(--baton-space-1);
  }
  .tools [aria-expanded='true'] {
    background: var(--baton-color-selected);
  }
  h3 {
    margin: var(--baton-space-2) 0 var(--baton-space-1);
    font-size: 1em;
  }
  .hint {
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .error,
  .runs .missed {
    color: var(--baton-color-danger);
  }
  .runs a {
    color: var(--baton-accent);
  }
  .sample-form {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
    gap: var(--baton-space-2);
  }
  .sample-form label,
  .sample-form .field {
    display: flex;
    flex-direction: column;
    font-size: var(--baton-font-size-small);
  }
  .sample-form .hint {
    margin-top: 2px;
  }
  .sample-form .wide {
    grid-column: 1 / -1;
  }
  .json {
    display: block;
    width: 100%;
    box-sizing: border-box;
    font-family: ui-monospace, monospace;
    font-size: var(--baton-font-size-small);
  }
`;
