import { css } from 'lit';

export const detailsStyles = css`
  :host {
    display: block;
    min-height: 0;
    overflow-y: auto;
  }
  [part='base'] {
    display: flex;
    flex-direction: column;
    gap: var(--baton-space-4);
    padding: var(--baton-space-4);
  }
  h2 {
    margin: 0 0 6px;
    font-size: 13px;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--baton-color-text-muted);
  }
  dl {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 4px 12px;
    margin: 0;
  }
  dt {
    color: var(--baton-color-text-muted);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .tags {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .tags li {
    padding: 0 8px;
    border-radius: 999px;
    background: var(--baton-color-hover);
    font-size: var(--baton-font-size-small);
  }
  .others {
    display: flex;
    flex-direction: column;
    gap: 4px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .others button {
    display: grid;
    grid-template-columns: auto 1fr auto;
    gap: 6px;
    align-items: center;
    width: 100%;
    padding: 6px 8px;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-bg);
    text-align: start;
    cursor: pointer;
  }
  .others button:hover {
    background: var(--baton-color-hover);
  }
  .others .preview {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .others .status {
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
  }
  .others details {
    margin: 2px 0 6px 8px;
    font-size: var(--baton-font-size-small);
  }
  .others summary {
    cursor: pointer;
    color: var(--baton-color-text-muted);
  }
  .notes {
    list-style: none;
    margin: 4px 0 0;
    padding: 0;
    display: grid;
    gap: 4px;
  }
  /* Same colour as notes in the timeline: internal, never seen by the customer. */
  .note {
    padding: 4px 6px;
    border-radius: var(--baton-radius-small);
    background: var(--baton-note-bg);
    border: 1px solid var(--baton-note-border);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .muted {
    margin: 0;
    color: var(--baton-color-text-muted);
  }
  .group-head {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 8px;
  }
  .edit {
    padding: 2px 10px;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-bg);
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  /* While the editor's chunk loads: the shape of the form, no words on screen. */
  .skeleton {
    height: 12em;
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-hover);
  }
  .error {
    margin: 0;
    color: var(--baton-color-danger);
  }
  .routing {
    margin-top: 6px;
    font-size: var(--baton-font-size-small);
  }
  .routing summary {
    cursor: pointer;
    color: var(--baton-color-text-muted);
  }
`;
