import { css } from 'lit';
import { buttonVariantStyles, controlStyles } from '../controls.styles.js';

export const workflowListStyles = css`
  :host {
    display: block;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--baton-space-2);
  }
  .create {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--baton-space-2);
  }
  .row[draggable='true'] {
    cursor: grab;
  }
  h2 {
    margin: 0;
    font-size: 1.25em;
  }
  h3 {
    margin: var(--baton-space-4) 0 0;
    font-size: 1em;
  }
  .hint,
  .empty,
  .meta {
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .hint {
    margin: 0 0 var(--baton-space-2);
  }
  .rows {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: var(--baton-space-2);
  }
  /*
   * The row's buttons sit beside the name while the name keeps 16em; in a narrower host they wrap
   * to a line of their own under it (right-aligned) instead of squeezing the name to a few letters.
   */
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-start;
    gap: var(--baton-space-3);
    padding: var(--baton-space-3);
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-surface-raised);
  }
  .position {
    min-width: 1.5em;
    font-weight: 600;
    color: var(--baton-color-text-muted);
  }
  .main {
    flex: 1 1 16em;
    min-width: 0;
  }
  .name {
    border: 0;
    background: none;
    padding: 0;
    font-weight: 600;
    color: var(--baton-accent);
    cursor: pointer;
    text-align: start;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    gap: var(--baton-space-2);
    margin-top: var(--baton-space-1);
  }
  .status {
    padding: 0 6px;
    border-radius: var(--baton-radius-small);
    border: 1px solid var(--baton-color-border);
    color: var(--baton-color-text);
  }
  .status-published {
    border-color: var(--baton-online);
  }
  .status-ahead {
    background: var(--baton-color-warning-bg);
    color: var(--baton-color-warning-text);
  }
  .warnings {
    margin: var(--baton-space-1) 0 0;
    padding-inline-start: 1.2em;
    color: var(--baton-color-warning-text);
    background: var(--baton-color-warning-bg);
    border-radius: var(--baton-radius-small);
    font-size: var(--baton-font-size-small);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--baton-space-1);
    justify-content: flex-end;
    margin-inline-start: auto;
  }
  ${controlStyles}
  /* The list's controls are a little roomier; it has no text fields. */
  select,
  button {
    padding: 4px 8px;
    cursor: pointer;
  }
  ${buttonVariantStyles}
  .stop {
    padding: var(--baton-space-1) var(--baton-space-3);
    border-top: 2px dashed var(--baton-color-danger);
    color: var(--baton-color-danger);
    font-size: var(--baton-font-size-small);
  }
  .confirm {
    position: fixed;
    inset: 30% auto auto 50%;
    transform: translateX(-50%);
    max-width: 24rem;
    margin: 0;
    padding: var(--baton-space-4);
    color: inherit;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-surface-raised);
    box-shadow: 0 8px 32px rgb(0 0 0 / 0.25);
    z-index: 10;
  }
  .confirm h3 {
    margin-top: 0;
  }
  .confirm-actions {
    display: flex;
    gap: var(--baton-space-2);
  }
`;
