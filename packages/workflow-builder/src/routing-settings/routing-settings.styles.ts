import { css } from 'lit';
import { buttonVariantStyles, controlStyles } from '../controls.styles.js';

export const routingSettingsStyles = css`
  :host {
    display: block;
  }
  .toolbar {
    display: flex;
    align-items: center;
    gap: var(--baton-space-3);
  }
  h2 {
    margin: 0;
    font-size: 1.25em;
  }
  h3 {
    margin: var(--baton-space-4) 0 var(--baton-space-2);
    font-size: 1em;
  }
  fieldset {
    margin: 0;
    padding: 0;
    border: 0;
  }
  legend {
    margin-bottom: var(--baton-space-1);
    font-weight: 600;
  }
  .choice {
    display: flex;
    align-items: flex-start;
    gap: var(--baton-space-2);
    padding: var(--baton-space-1) 0;
  }
  .choice input {
    margin-top: 3px;
  }
  .hint {
    display: block;
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
    font-weight: normal;
  }
  .away-after {
    display: block;
    margin: var(--baton-space-2) 0;
  }
  .away-after input,
  .capacity {
    width: 6em;
  }
  .actions {
    display: flex;
    align-items: center;
    gap: var(--baton-space-2);
  }
  .error {
    color: var(--baton-color-danger);
  }
  .saved {
    color: var(--baton-color-text-muted);
  }
  /* Relative: the header's visually hidden "Save" is placed in it, not stretching the page. */
  .teams {
    display: grid;
    gap: var(--baton-space-2);
    margin: 0 0 var(--baton-space-2);
    padding: 0;
    list-style: none;
  }
  .teams > li {
    padding: var(--baton-space-2) var(--baton-space-3);
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
  }
  .teams legend {
    font-weight: normal;
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .teams fieldset {
    display: flex;
    flex-wrap: wrap;
    gap: 4px var(--baton-space-3);
    margin: var(--baton-space-2) 0;
  }
  .member {
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  .new-team {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--baton-space-2);
  }
  .table-scroll {
    position: relative;
    overflow-x: auto;
  }
  .agents {
    border-collapse: collapse;
    width: 100%;
  }
  .agents th,
  .agents td {
    padding: 6px 8px;
    border-bottom: 1px solid var(--baton-color-border);
    text-align: start;
    vertical-align: top;
  }
  .agents thead th {
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
    font-weight: 600;
  }
  .agents input:not(.capacity) {
    box-sizing: border-box;
    width: 100%;
    min-width: 10em;
  }
  ${controlStyles}
  ${buttonVariantStyles}
`;
