import { LitElement, css, html } from 'lit';
import { consume } from '@lit/context';
import { property, state } from 'lit/decorators.js';
import type { InboxStore } from '@baton/client';
import type { BulkResult } from '@baton/protocol';
import { storeContext } from '@baton/ui/contexts/store';
import { baseStyles, controlStyles } from '@baton/ui/tokens';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { plainError } from '../format/plain-error.js';
// The header's presets, so a bulk snooze offers the same choices as one conversation's.
import { snoozePresets } from '../snooze-menu/presets.js';
import { wakeTime } from '../format/snooze-time.js';

/** After a bulk action: what to say, and the ids that failed (they stay ticked, to try again). */
export interface InboxBulkDoneDetail {
  summary: string;
  failed: string[];
}

declare global {
  interface GlobalEventHandlersEventMap {
    'inbox-bulk-done': CustomEvent<InboxBulkDoneDetail>;
  }
}

type Action = 'assign' | 'resolve' | 'snooze' | 'tag';

/** Why one id failed, in the words the summary uses ("2 changed by someone else"). */
function failure(r: Extract<BulkResult, { ok: false }>): string {
  if (r.error.code === 'version_conflict') return 'changed by someone else';
  if (r.status === 404) return 'no longer available';
  return "couldn't be changed";
}

/**
 * "3 assigned to Maria García, 2 changed by someone else": the per-id results, counted; `done` says
 * what happened to those that succeeded, with what the agent chose, so the line can be checked
 * without looking at each row.
 */
export function summarize(done: string, results: readonly BulkResult[]): string {
  const counts = new Map<string, number>();
  const add = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
  for (const r of results) add(r.ok ? done : failure(r));
  return [...counts].map(([what, n]) => `${n} ${what}`).join(', ');
}

/**
 * The bulk bar over the list while conversations are ticked: Assign, Resolve, Snooze, Tag, each
 * one `POST /v1/conversations/bulk` through the store (which sends each id's version). Loaded on
 * first use. Fires `inbox-bulk-done` (on itself, not bubbling) with a summary of the per-id results.
 */
export class InboxBulkBar extends LitElement {
  static override styles = [
    baseStyles,
    controlStyles,
    css`
      :host {
        display: block;
      }
      [part='base'] {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 6px;
        padding: 6px var(--baton-space-2);
        background: var(--baton-color-selected);
        border-bottom: 1px solid var(--baton-color-border);
      }
      .count {
        font-weight: 600;
        margin-inline-end: auto;
      }
      form {
        display: flex;
        gap: 4px;
      }
      input {
        width: 7em;
      }
    `,
  ];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  /** The ticked conversation ids. */
  @property({ attribute: false }) ids: readonly string[] = [];

  @state() private busy = false;
  @state() private error = '';

  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({ agents: s.agents }));

  private async run(action: Action, done: string, extra: Record<string, unknown> = {}): Promise<void> {
    const store = this.store;
    if (!store || this.busy || this.ids.length === 0) return;
    this.busy = true;
    this.error = '';
    try {
      const body = { action, ids: [...this.ids], ...extra } as Parameters<InboxStore['bulk']>[0];
      const results = await store.bulk(body);
      this.dispatchEvent(
        new CustomEvent('inbox-bulk-done', {
          // For the list that holds the bar only: not one of the inbox's public events.
          detail: { summary: summarize(done, results), failed: results.filter((r) => !r.ok).map((r) => r.id) },
        }),
      );
    } catch (e) {
      this.error = plainError(e);
    } finally {
      this.busy = false;
    }
  }

  /** The chosen value of the form's picker, cleared for next time; '' when nothing was chosen. */
  private static take(e: SubmitEvent): string {
    e.preventDefault();
    const select = (e.target as HTMLFormElement).querySelector('select')!;
    const value = select.value;
    select.value = '';
    return value;
  }

  // Assign and Snooze act on their button, not on the picker's `change`: with the keyboard a closed
  // <select> changes on every arrow key (Chrome on Linux and Windows), and one stray ArrowDown would
  // reassign every ticked conversation with nothing to undo it.
  private onAssign(e: SubmitEvent): void {
    const value = InboxBulkBar.take(e);
    if (!value) return;
    const assigneeId = value === 'none' ? null : value;
    const name = this.snapshot.value?.agents.find((a) => a.id === assigneeId)?.name ?? 'a teammate';
    void this.run('assign', assigneeId === null ? 'unassigned' : `assigned to ${name}`, { assigneeId });
  }

  private onSnooze(e: SubmitEvent): void {
    const value = InboxBulkBar.take(e);
    if (value) void this.run('snooze', `snoozed until ${wakeTime(value, Date.now())}`, { until: value });
  }

  private onTag(e: SubmitEvent): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector('input')!;
    const tag = input.value.trim();
    if (!tag) return;
    input.value = '';
    void this.run('tag', `tagged “${tag}”`, { add: [tag] });
  }

  override render() {
    const agents = (this.snapshot.value?.agents ?? []).filter((a) => a.active);
    const n = this.ids.length;
    return html`<div part="base" role="toolbar" aria-label="Bulk actions" aria-busy=${this.busy ? 'true' : 'false'}>
      <span class="count" role="status">${n} selected</span>
      <form @submit=${this.onAssign}>
        <select class="field" aria-label="Assign to" required ?disabled=${this.busy}>
          <option value="">Choose…</option>
          <option value="none">Unassigned</option>
          ${agents.map((a) => html`<option value=${a.id}>${a.name}</option>`)}
        </select>
        <button class="button" ?disabled=${this.busy}>Assign</button>
      </form>
      <button class="button" ?disabled=${this.busy} @click=${() => this.run('resolve', 'resolved')}>Resolve</button>
      <form @submit=${this.onSnooze}>
        <select class="field" aria-label="Snooze until" required ?disabled=${this.busy}>
          <option value="">Choose…</option>
          ${snoozePresets(new Date()).map((p) => html`<option value=${p.at.toISOString()}>${p.name}</option>`)}
        </select>
        <button class="button" ?disabled=${this.busy}>Snooze</button>
      </form>
      <form @submit=${this.onTag}>
        <input class="field" aria-label="Tag" placeholder="Tag" ?disabled=${this.busy} />
        <button class="button" ?disabled=${this.busy}>Tag</button>
      </form>
      ${this.error ? html`<p role="alert">${this.error}</p>` : ''}
    </div>`;
  }
}

if (!customElements.get('inbox-bulk-bar')) customElements.define('inbox-bulk-bar', InboxBulkBar);

declare global {
  interface HTMLElementTagNameMap {
    'inbox-bulk-bar': InboxBulkBar;
  }
}
