import { LitElement, html } from 'lit';
import { property } from 'lit/decorators.js';
import type { BatonRestClient } from '@baton/client';
import type { Workflow } from '@baton/protocol';
import type { Workspace } from '../workspace-context.js';

export class WorkflowEditor extends LitElement {
  @property({ attribute: false }) workflow!: Workflow;
  @property({ attribute: false }) rest!: BatonRestClient;
  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) announcer: (text: string) => void = () => {};

  focusTree(): void {}

  override render() {
    return html`<h2>${this.workflow.draft.name}</h2><button type="button" @click=${() => this.dispatchEvent(new CustomEvent('wb-close'))}>Back to workflows</button>`;
  }
}
