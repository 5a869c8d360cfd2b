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
  .field {
    width: 100%;
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
  .error {
    margin: 0;
    color: var(--baton-color-danger);
  }
`;
