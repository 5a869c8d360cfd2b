import { css } from 'lit';

export const workflowBuilderStyles = css`
  :host {
    display: block;
  }
  [part='base'] {
    padding: var(--baton-space-4);
    background: var(--baton-color-bg);
    color: var(--baton-color-text);
  }
  .failure {
    padding: var(--baton-space-2) var(--baton-space-3);
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-warning-bg);
    color: var(--baton-color-danger);
  }
  .loading {
    color: var(--baton-color-text-muted);
  }
`;
