import { css } from 'lit';

export const detailsEditorStyles = css`
  :host {
    display: block;
  }
  form {
    display: grid;
    gap: var(--baton-space-2);
  }
  label,
  legend {
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  input,
  select {
    box-sizing: border-box;
    width: 100%;
    min-width: 0;
    padding: 6px 8px;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-bg);
    color: inherit;
    font: inherit;
  }
  legend {
    padding: 0;
  }
  fieldset {
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  .tags {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin: 4px 0;
    padding: 0;
    list-style: none;
  }
  .tags li {
    display: inline-flex;
    align-items: center;
    gap: 2px;
    padding: 0 2px 0 8px;
    border-radius: 999px;
    background: var(--baton-color-surface);
  }
  .tags button {
    padding: 0 6px;
    border: 0;
    background: none;
    color: inherit;
    cursor: pointer;
  }
  .add-tag {
    display: flex;
    gap: 4px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
  }
  button {
    font: inherit;
  }
  .actions button,
  .add-tag button,
  .error button {
    padding: 6px 12px;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-bg);
    color: inherit;
    cursor: pointer;
  }
  .actions .save {
    border-color: var(--baton-accent);
    background: var(--baton-accent);
    color: var(--baton-accent-text);
  }
  .error {
    margin: 0;
    color: var(--baton-color-danger);
  }
`;
