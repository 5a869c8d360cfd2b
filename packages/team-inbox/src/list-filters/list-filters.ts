import { LitElement, css, html } from 'lit';
import { consume } from '@lit/context';
import { state } from 'lit/decorators.js';
import type { InboxStore, ListFilters } from '@baton/client';
import { KNOWN_CHANNELS } from '@baton/protocol/constants';
import { storeContext } from '@baton/ui/contexts/store';
import { channelName } from '@baton/ui/icons';
import { baseStyles, controlStyles } from '@baton/ui/tokens';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { TeamsController } from '../teams/teams-controller.js';

const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const label = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The list's filters and sort (channel, team, tag, priority; Newest / Oldest waiting), each a
 * labelled control that narrows the list at once through `store.setFilters`; the server does the
 * filtering (DESIGN §5), so the rows are the server's. Loaded the first time "Filters" is pressed.
 */
export class InboxListFilters extends LitElement {
  static override styles = [
    baseStyles,
    controlStyles,
    css`
      :host {
        display: block;
      }
      [part='base'] {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 4px 8px;
        align-items: center;
        padding: 6px var(--baton-space-3);
        border-bottom: 1px solid var(--baton-color-border);
      }
    `,
  ];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({ filters: s.filters }));
  /** Until they are read (or if reading fails) the team filter offers "Any team" only; the others work. */
  private readonly teams = new TeamsController(this, () => this.store);

  protected override willUpdate(): void {
    this.teams.want();
  }

  private set(patch: Partial<ListFilters>): void {
    const filters = { ...(this.snapshot.value?.filters ?? {}), ...patch };
    void this.store?.setFilters(filters).catch(() => undefined);
  }

  // Newest first is the default: choosing it is no filter, so "Clear filters" does not appear for it.
  private pick = (key: keyof ListFilters) => (e: Event) => {
    const value = (e.target as HTMLSelectElement | HTMLInputElement).value.trim();
    this.set({ [key]: value && value !== 'newest' ? value : undefined });
  };

  override render() {
    const f = this.snapshot.value?.filters ?? {};
    return html`<div part="base" role="group" aria-label="Filters">
      <label for="channel">Channel</label>
      <select id="channel" class="field" .value=${f.channel ?? ''} @change=${this.pick('channel')}>
        <option value="">Any channel</option>
        ${KNOWN_CHANNELS.map((c) => html`<option value=${c} ?selected=${f.channel === c}>${channelName(c)}</option>`)}
      </select>
      <label for="team">Team</label>
      <select id="team" class="field" @change=${this.pick('teamId')}>
        <option value="">Any team</option>
        ${this.teams.list.map((t) => html`<option value=${t.id} ?selected=${f.teamId === t.id}>${t.name}</option>`)}
      </select>
      <label for="tag">Tag</label>
      <input id="tag" class="field" .value=${f.tag ?? ''} @change=${this.pick('tag')} />
      <label for="priority">Priority</label>
      <select id="priority" class="field" @change=${this.pick('priority')}>
        <option value="">Any priority</option>
        ${PRIORITIES.map((p) => html`<option value=${p} ?selected=${f.priority === p}>${label(p)}</option>`)}
      </select>
      <label for="sort">Sort</label>
      <select id="sort" class="field" @change=${this.pick('sort')}>
        <option value="newest" ?selected=${f.sort !== 'oldest_waiting'}>Newest</option>
        <option value="oldest_waiting" ?selected=${f.sort === 'oldest_waiting'}>Oldest waiting</option>
      </select>
    </div>`;
  }
}

if (!customElements.get('inbox-list-filters')) customElements.define('inbox-list-filters', InboxListFilters);

declare global {
  interface HTMLElementTagNameMap {
    'inbox-list-filters': InboxListFilters;
  }
}
