import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Agent, Workflow } from '@baton/protocol';
import { baseStyles } from '@baton/ui/tokens';
import { fire, type ListIntent } from '../events.js';
import { groupByTrigger, statusOf } from '../model/order.js';
import { TEMPLATES } from '../model/templates.js';
import { workflowListStyles } from './workflow-list.styles.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The workflows of the workspace, grouped by trigger in execution order, with what each row can
 * do as plain buttons (every action has a keyboard path; Move up/down stand in for dragging).
 * It only asks: the root (`<workflow-builder>`) talks to the server and announces the outcome.
 */
export class WorkflowList extends LitElement {
  static override styles = [baseStyles, workflowListStyles];

  @property({ attribute: false }) workflows: Workflow[] = [];
  @property({ attribute: false }) agents: Agent[] = [];
  /** Warnings per workflow id (from the server's validator). */
  @property({ attribute: false }) warnings: Map<string, string[]> = new Map();
  @property({ attribute: false }) stats: Map<string, { runs: number; assigned: number }> = new Map();
  /** A request is running: row actions wait. */
  @property({ type: Boolean }) busy = false;
  /** The workflow waiting for "Delete" to be confirmed. */
  @state() private confirming: Workflow | null = null;
  /** The row being dragged (pointer reordering; Move up/down is the keyboard path). */
  private dragging: string | null = null;

  private ask(intent: ListIntent) {
    fire(this, 'wb-list-intent', intent);
  }

  /**
   * A row action or "New workflow": ignored while a request runs. Those buttons are aria-disabled
   * then, not disabled, so the one just pressed keeps focus instead of dropping it to the page.
   */
  private act(intent: ListIntent) {
    if (!this.busy) this.ask(intent);
  }

  /** Puts focus back on "Routing settings" (coming back from them). */
  async focusSettings(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('button.settings')?.focus();
  }

  /**
   * Puts focus back on a row's control after the list re-rendered (a move, a toggle); on "New
   * workflow" when the row is gone (the last rule was deleted).
   */
  async focusControl(id: string, control: 'up' | 'down' | 'toggle' | 'open' | 'delete'): Promise<void> {
    await this.updateComplete;
    const row = this.renderRoot.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
    let target = row?.querySelector<HTMLButtonElement>(`[data-control="${control}"]`);
    // At the top or bottom the button is disabled: the other one keeps focus in the row.
    if (target?.disabled) target = row?.querySelector<HTMLButtonElement>(`[data-control="${control === 'up' ? 'down' : 'up'}"]`);
    (target ?? row?.querySelector<HTMLElement>('[data-control="open"]') ?? this.renderRoot.querySelector<HTMLElement>('.create .primary'))?.focus();
  }

  private statsText(s: { runs: number; assigned: number }): string {
    const runs = s.runs >= 200 ? '200+' : String(s.runs);
    return `${runs} ${s.runs === 1 ? 'run' : 'runs'}, ${s.assigned} assigned in 24 h`;
  }

  private agentName(id: string | null | undefined): string {
    if (!id) return '';
    return this.agents.find((a) => a.id === id)?.name ?? 'someone';
  }

  override render() {
    const groups = groupByTrigger(this.workflows);
    return html`
      <div part="base" class="list">
        <div class="toolbar">
          <h2 id="title">Workflows</h2>
          <span class="create">
            <button type="button" class="settings" @click=${() => this.ask({ action: 'settings' })}>Routing settings</button>
            <label>Start from <select id="template">${TEMPLATES.map((t) => html`<option value=${t.key}>${t.label}</option>`)}</select></label>
            <button type="button" class="primary" aria-disabled=${this.busy ? 'true' : 'false'}
              @click=${() => this.act({ action: 'create', template: this.renderRoot.querySelector<HTMLSelectElement>('#template')!.value })}>New workflow</button>
          </span>
        </div>
        ${groups.length === 0 ? html`<p class="empty">No workflows yet. “New workflow” makes one; nothing runs until you publish it.</p>` : nothing}
        ${groups.map(
          (g) => html`
            <section aria-labelledby="trigger-${g.trigger.event}">
              <h3 id="trigger-${g.trigger.event}">When ${g.trigger.label}</h3>
              <p class="hint">Rules run top to bottom.</p>
              <ol class="rows">
                ${repeat(
                  g.workflows,
                  (w) => w.id,
                  (w, i) => this.renderRow(w, i, g.workflows.length),
                )}
              </ol>
            </section>
          `,
        )}
        ${this.confirming ? this.renderConfirm(this.confirming) : nothing}
      </div>
    `;
  }

  private renderRow(w: Workflow, i: number, count: number) {
    const s = statusOf(w);
    const name = w.draft.name;
    const live = w.published?.definition;
    const stops = (live ?? w.draft).stopProcessing === true && i < count - 1;
    const warnings = this.warnings.get(w.id) ?? [];
    const enabled = w.draft.enabled !== false;
    return html`
      <li
        class="row"
        data-id=${w.id}
        draggable=${this.busy ? 'false' : 'true'}
        @dragstart=${(e: DragEvent) => {
          this.dragging = w.id;
          e.dataTransfer?.setData('text/plain', w.id);
        }}
        @dragover=${(e: DragEvent) => {
          if (this.dragging && this.dragging !== w.id) e.preventDefault();
        }}
        @drop=${(e: DragEvent) => {
          e.preventDefault();
          const from = this.dragging;
          this.dragging = null;
          const group = groupByTrigger(this.workflows).find((g) => g.workflows.some((x) => x.id === w.id))!.workflows;
          const a = group.findIndex((x) => x.id === from);
          if (from && a >= 0 && a !== i) this.ask({ action: 'move', id: from, delta: i - a });
        }}
        @dragend=${() => (this.dragging = null)}
      >
        <span class="position" aria-hidden="true">${i + 1}</span>
        <div class="main">
          <button type="button" class="name" data-control="open" @click=${() => this.ask({ action: 'open', id: w.id })}>${name}</button>
          <div class="meta">
            <span class="status status-${s.status}">${s.label}</span>
            ${s.draftAhead ? html`<span class="status status-ahead">Draft ahead of published</span>` : nothing}
            ${w.published
              ? html`<span>v${w.published.version}, published ${w.published.publishedBy ? `by ${this.agentName(w.published.publishedBy)} ` : ''}${timeFormat.format(new Date(w.published.publishedAt))}</span>`
              : nothing}
            <span>Edited ${w.draftUpdatedBy ? `by ${this.agentName(w.draftUpdatedBy)} ` : ''}${timeFormat.format(new Date(w.updatedAt))}</span>
            ${this.stats.has(w.id) ? html`<span>${this.statsText(this.stats.get(w.id)!)}</span>` : nothing}
          </div>
          ${warnings.length > 0
            ? html`<ul class="warnings" aria-label="Warnings for ${name}">${warnings.map((m) => html`<li>${m}</li>`)}</ul>`
            : nothing}
        </div>
        <div class="actions" role="group" aria-label="${name}">
          <button type="button" data-control="up" aria-label="Move up: ${name}" aria-disabled=${this.busy ? 'true' : 'false'} ?disabled=${i === 0} @click=${() => this.act({ action: 'move', id: w.id, delta: -1 })}><span aria-hidden="true">↑</span> Move up</button>
          <button type="button" data-control="down" aria-label="Move down: ${name}" aria-disabled=${this.busy ? 'true' : 'false'} ?disabled=${i === count - 1} @click=${() => this.act({ action: 'move', id: w.id, delta: 1 })}><span aria-hidden="true">↓</span> Move down</button>
          <button type="button" data-control="toggle" aria-label="${enabled ? 'Disable' : 'Enable'} ${name}" aria-disabled=${this.busy ? 'true' : 'false'} @click=${() => this.act({ action: 'toggle', id: w.id })}>${enabled ? 'Disable' : 'Enable'}</button>
          <button type="button" aria-label="Duplicate ${name}" aria-disabled=${this.busy ? 'true' : 'false'} @click=${() => this.act({ action: 'duplicate', id: w.id })}>Duplicate</button>
          <button type="button" class="danger" data-control="delete" aria-label="Delete ${name}" aria-disabled=${this.busy ? 'true' : 'false'} @click=${() => this.busy || (this.confirming = w)}>Delete</button>
        </div>
      </li>
      ${stops
        ? html`<li class="stop">Stop processing: when “${name}” matches, the rules below do not run.</li>`
        : nothing}
    `;
  }

  private renderConfirm(w: Workflow) {
    const cancel = () => {
      this.confirming = null;
      void this.focusControl(w.id, 'delete');
    };
    // A modal <dialog> (showModal in `updated`): the page behind is inert for pointer and screen
    // reader. Tab and Shift+Tab go between its two buttons here, since Chromium's own modal lets
    // Tab leave for the browser's toolbar; Escape is Cancel.
    return html`
      <dialog
        class="confirm"
        role="alertdialog"
        aria-labelledby="confirm-title"
        aria-describedby="confirm-text"
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            cancel();
          } else if (e.key === 'Tab') {
            e.preventDefault();
            const [remove, keep] = (e.currentTarget as HTMLElement).querySelectorAll('button');
            (this.shadowRoot!.activeElement === keep ? remove : keep)!.focus();
          }
        }}
      >
        <h3 id="confirm-title">Delete “${w.draft.name}”?</h3>
        <p id="confirm-text">${w.published ? 'It stops running at once. Its run log stays.' : 'It was never published, so nothing stops running.'}</p>
        <div class="confirm-actions">
          <button
            type="button"
            class="danger"
            @click=${() => {
              this.confirming = null;
              this.ask({ action: 'delete', id: w.id });
            }}
          >Delete workflow</button>
          <button type="button" data-cancel @click=${cancel}>Cancel</button>
        </div>
      </dialog>
    `;
  }

  override updated() {
    // The dialog opens modal, with focus on the safe choice (showModal alone focuses the first button).
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog && !dialog.open) {
      dialog.showModal();
      dialog.querySelector<HTMLElement>('[data-cancel]')!.focus();
    }
  }
}
