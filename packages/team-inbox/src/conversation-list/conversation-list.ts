import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { isUnread, type AgentWithLoad, type InboxStore } from '@baton/client';
import type { Conversation } from '@baton/protocol';
import { storeContext } from '@baton/ui/contexts/store';
import { baseStyles, controlStyles } from '@baton/ui/tokens';
import { channelIcon, channelName } from '@baton/ui/icons';
import { avatarFace, avatarFaceStyles } from '@baton/ui/avatar';
import { absoluteTime, relativeTime } from '@baton/ui/relative-time';
import { RovingFocusController } from '@baton/ui/roving-focus';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { ContactsController } from '../contacts/contacts-controller.js';
import { contactsContext } from '../contacts/contacts-context.js';
import type { ContactDirectory } from '../contacts/contact-directory.js';
import { fire } from '../events.js';
import { ClockController } from '../controllers/clock-controller.js';
import { hasDraft, onDraftsChange } from '../composer/drafts.js';
import { contactName } from '../contacts/contact-name.js';
import { VIEW_LABELS } from '../view-nav/view-nav.js';
import { waitingLabel, wakeTime } from '../format/snooze-time.js';
import { TeamsController } from '../teams/teams-controller.js';
import { conversationListStyles } from './conversation-list.styles.js';

/**
 * Fixed row height: what makes windowing a division instead of a measurement. 56 px holds the two
 * lines with room, and lets a host page with its own top bar show ten rows in a 900 px window.
 */
export const ROW_HEIGHT = 56;
/** Rows rendered beyond each edge of the viewport, so fast scrolling does not show blanks. */
const OVERSCAN = 8;
/** Start fetching the next page this many rows before the end. */
const PREFETCH_ROWS = 15;

/** Queued for a team and nobody has taken it yet. */
const waiting = (c: Conversation) => c.status === 'open' && !c.assigneeId && !!c.waitingSince;

/**
 * Who wrote the preview, as its prefix: "You: " for this agent, "Ana: " for a teammate (first
 * name), nothing for the customer or an automated sender. Notes are never the preview.
 */
function speaker(c: Conversation, agents: Map<string, AgentWithLoad>, me: string | null): string {
  const author = c.lastMessage?.author;
  if (c.lastMessage?.direction !== 'outbound' || author?.type !== 'agent' || !author.id) return '';
  if (author.id === me) return 'You: ';
  const name = agents.get(author.id)?.name;
  return name ? `${name.split(' ')[0]}: ` : '';
}

/**
 * The current view's conversations, virtualized: only the rows in (and near) the viewport are in
 * the DOM, positioned over a spacer as tall as every row, so 10,000 rows scroll like 20. A listbox
 * with roving focus: arrows or j/k move, Enter opens (`inbox-conversation-select`).
 */
export class InboxConversationList extends LitElement {
  static override styles = [baseStyles, controlStyles, avatarFaceStyles, conversationListStyles];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  @consume({ context: contactsContext, subscribe: true })
  @state()
  private contacts?: ContactDirectory;


  /**
   * The first load failed and waits on the agent (the inbox's alert says why and offers "Try
   * again"): no skeleton rows promising conversations that are not on their way.
   */
  @property({ type: Boolean }) stalled = false;

  @state() private scrollOffset = 0;
  /** Conversations ticked for a bulk action (checkbox, `x`; Shift extends from the last one ticked). */
  @state() private selected: ReadonlySet<string> = new Set();
  @state() private filtersOpen = false;
  @state() private bulkSummary = '';
  private anchor: string | null = null;
  @state() private viewportHeight = 600;
  /** `updated` scrolls to `scrollOffset`: rows came or went above the ones on screen (see `willUpdate`). */
  private anchored = false;

  @query('[part="base"]') private scroller!: HTMLElement;

  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({
    rows: s.conversations,
    readMarks: s.readMarks,
    view: s.view,
    openId: s.open?.id ?? null,
    open: s.open?.conversation ?? null,
    agents: s.agents,
    me: s.agentId,
    hasMore: s.hasMore,
    listLoading: s.listLoading,
    status: s.status,
    filters: s.filters,
  }));
  private readonly contactsWatch = new ContactsController(this, () => this.contacts);
  /** Team names for "Waiting for Bilingual", asked once a queued row shows up. */
  private readonly teams = new TeamsController(this, () => this.store);
  private readonly roving = new RovingFocusController(this, {
    count: () => this.rows.length,
    item: (i) => this.renderRoot.querySelector<HTMLElement>(`[data-index="${i}"]`),
    reveal: (i) => this.reveal(i),
    letterKeys: true,
    onActivate: (i) => this.select(i),
  });
  private resizeObserver: ResizeObserver | null = null;
  private scrollFrame = 0;
  /** Rows say "Draft" where this agent left unsent text; the composer's drafts say when that changes. */
  private offDrafts: (() => void) | undefined;
  private readonly clock = new ClockController(this);
  /** The rows on screen: the store's, plus the open conversation held in place (see `willUpdate`). */
  private rows: readonly Conversation[] = [];
  /** Where the open conversation was listed, in which view: to hold it there, or to open the next row. */
  private openPlace: { id: string; view: string; index: number } | null = null;

  /** Moves focus by `delta` rows (the root's j/k when focus is elsewhere), starting from the open one. */
  async move(delta: number): Promise<void> {
    const rows = this.rows;
    if (rows.length === 0) return;
    const openIndex = rows.findIndex((r) => r.id === this.snapshot.value?.openId);
    const inList = this.shadowRoot!.activeElement !== null;
    // Coming from outside with nothing open, the first press lands on the current row rather than skipping it.
    if (!inList && openIndex < 0) return this.roving.focus(this.roving.active);
    const from = inList ? this.roving.active : openIndex;
    await this.roving.focus(Math.min(rows.length - 1, Math.max(0, from + delta)));
  }

  /** Focuses a conversation's row (or the active row when it is not listed). */
  /** Focuses the row of `conversationId` if it is listed; false when it is not (nothing moves then). */
  focusListedRow(conversationId: string): boolean {
    const index = this.rows.findIndex((r) => r.id === conversationId);
    if (index < 0) return false;
    void this.roving.focus(index);
    return true;
  }

  focusRow(conversationId: string): void {
    const index = this.rows.findIndex((r) => r.id === conversationId);
    void this.roving.focus(index >= 0 ? index : Math.min(this.roving.active, Math.max(0, this.rows.length - 1)));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.observeSize();
    this.offDrafts = onDraftsChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offDrafts?.();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    cancelAnimationFrame(this.scrollFrame);
  }

  protected override firstUpdated(): void {
    this.observeSize();
  }

  private observeSize(): void {
    this.resizeObserver = new ResizeObserver(([entry]) => {
      if (entry) this.viewportHeight = entry.contentRect.height || this.viewportHeight;
    });
    this.resizeObserver.observe(this.scroller);
  }

  private onScroll(): void {
    // One render per frame however many scroll events the browser sends.
    if (this.scrollFrame) return;
    this.scrollFrame = requestAnimationFrame(() => {
      this.scrollFrame = 0;
      this.scrollOffset = this.scroller.scrollTop;
    });
  }

  private reveal(index: number): void {
    const top = index * ROW_HEIGHT;
    const el = this.scroller;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    this.scrollOffset = el.scrollTop;
  }

  private onKeydown = (e: KeyboardEvent): void => {
    if ((e.key === 'x' || e.key === 'X') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      this.toggle(this.roving.active, e.shiftKey);
    } else this.roving.handleKeydown(e);
  };

  /** Ticks or unticks a row for bulk actions; with `range`, every row from the last one ticked takes its state. */
  private toggle(index: number, range: boolean): void {
    const row = this.rows[index];
    if (!row) return;
    const next = new Set(this.selected);
    const on = !next.has(row.id);
    const from = range && this.anchor ? this.rows.findIndex((r) => r.id === this.anchor) : -1;
    const [lo, hi] = from < 0 ? [index, index] : [Math.min(from, index), Math.max(from, index)];
    for (let i = lo; i <= hi; i++) {
      if (on) next.add(this.rows[i]!.id);
      else next.delete(this.rows[i]!.id);
    }
    this.anchor = row.id;
    this.roving.setActive(index);
    this.setSelected(next);
  }

  private setSelected(next: ReadonlySet<string>): void {
    this.selected = next;
    // The bar is its own module, fetched the first time something is ticked.
    if (next.size) void import('../bulk-bar/bulk-bar.js');
  }

  /** "Select all in view": every row listed (or none, when all are ticked already). */
  private selectAll(): void {
    const all = this.rows.length > 0 && this.rows.every((r) => this.selected.has(r.id));
    this.setSelected(all ? new Set() : new Set(this.rows.map((r) => r.id)));
  }

  /**
   * After a bulk action: says how it went ("3 resolved, 2 changed by someone else"), keeps the ids
   * that failed ticked (to look at or try again), and puts focus back on the list's active row.
   */
  private onBulkDone = (e: CustomEvent<{ summary: string; failed: string[] }>): void => {
    this.bulkSummary = e.detail.summary;
    this.setSelected(new Set(e.detail.failed));
    this.anchor = null;
    void this.updateComplete.then(() => this.roving.focus(Math.min(this.roving.active, Math.max(0, this.rows.length - 1))));
  };

  /** "Clear filters" goes away with the filters: focus moves to "Filters" rather than to nowhere. */
  private clearFilters(): void {
    void this.store?.setFilters({}).catch(() => undefined);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[aria-controls="filters"]')?.focus());
  }

  private async toggleFilters(): Promise<void> {
    if (!this.filtersOpen) await import('../list-filters/list-filters.js');
    this.filtersOpen = !this.filtersOpen;
  }

  /** Escape on "Filters" or in its panel closes the panel, focus on "Filters" (not the inbox's Escape). */
  private onFiltersKeydown = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape' || !this.filtersOpen) return;
    e.stopPropagation();
    e.preventDefault();
    this.filtersOpen = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[aria-controls="filters"]')?.focus());
  };

  private select(index: number): void {
    const row = this.rows[index];
    if (!row) return;
    this.roving.setActive(index);
    fire(this, 'inbox-conversation-select', { conversationId: row.id });
  }

  /**
   * The triage loop. In Unread, the open conversation stays where it was (reading it is what
   * made it leave) until the agent opens another, so a row never vanishes under the pointer or
   * the keyboard focus. Where it was listed is remembered for `advanceAfter`.
   */
  protected override willUpdate(): void {
    const v = this.snapshot.value;
    const activeId = this.rows[this.roving.active]?.id;
    let rows = v?.rows ?? [];
    const place = this.openPlace;
    const openId = v?.openId ?? null;
    if (!v || !openId || place?.id !== openId || place.view !== v.view) this.openPlace = null;
    else if (v.view === 'unread' && v.open?.id === openId && v.open.status === 'open' && !rows.some((r) => r.id === openId)) {
      rows = [...rows.slice(0, place.index), v.open, ...rows.slice(place.index)];
    }
    const index = openId ? rows.findIndex((r) => r.id === openId) : -1;
    if (v && openId && index >= 0) this.openPlace = { id: openId, view: v.view, index };
    // The active row keeps its place under the keyboard when rows above it come or go.
    const moved = activeId ? rows.findIndex((r) => r.id === activeId) : -1;
    if (moved >= 0) this.roving.setActive(moved);
    // Scroll anchoring. A conversation arriving (or leaving) above the rows on screen would move
    // them under the pointer, or the thumb about to tap one. The rows are positioned over a spacer,
    // so the browser's own anchoring (overflow-anchor) has nothing to hold: the first row on screen
    // that is still listed keeps its place, the rest follow. At the very top new rows just appear.
    // A new view or filter starts from no rows (the store empties the list), so nothing is held across.
    const top = this.scroller?.scrollTop;
    if (top && rows !== this.rows) {
      for (let i = Math.floor(top / ROW_HEIGHT); i < this.rows.length && i * ROW_HEIGHT < top + this.viewportHeight; i++) {
        const at = rows.findIndex((r) => r.id === this.rows[i]!.id);
        if (at < 0) continue;
        this.scrollOffset = top + (at - i) * ROW_HEIGHT;
        this.anchored = at !== i;
        break;
      }
    }
    this.rows = rows;
    if (rows.some((r) => r.teamId && waiting(r))) this.teams.want();
    if (this.selected.size && [...this.selected].some((id) => !rows.some((r) => r.id === id))) {
      this.selected = new Set([...this.selected].filter((id) => rows.some((r) => r.id === id)));
    }
  }

  /**
   * After this agent's own command on the open conversation (resolve, assign): if it left the
   * view, opens the row that took its place, focused if focus was in the inbox. A conversation
   * that leaves because of someone else's change stays open: nothing moves under the reader.
   */
  async advanceAfter(conversationId: string): Promise<void> {
    this.requestUpdate();
    await this.updateComplete;
    const place = this.openPlace;
    if (place?.id !== conversationId || this.rows.some((r) => r.id === conversationId)) return;
    this.openPlace = null;
    const next = this.rows[Math.min(place.index, this.rows.length - 1)];
    if (next) this.advance(next.id);
  }

  protected override updated(): void {
    if (this.anchored) this.scroller.scrollTop = this.scrollOffset;
    this.anchored = false;
    const v = this.snapshot.value;
    if (!v || !this.store || !v.hasMore || v.listLoading) return;
    const lastVisible = Math.ceil((this.scrollOffset + this.viewportHeight) / ROW_HEIGHT);
    if (lastVisible + PREFETCH_ROWS >= v.rows.length) void this.store.loadMore().catch(() => undefined);
  }

  private advance(id: string): void {
    const index = this.rows.findIndex((r) => r.id === id);
    if (index < 0) return;
    // Focus follows only if it was in the inbox or was lost with the row that left (now on <body>).
    const inbox = (this.getRootNode() as ShadowRoot).host as HTMLElement | undefined;
    const active = document.activeElement;
    const follow = !active || active === document.body || (inbox !== undefined && inbox.matches(':focus-within'));
    this.roving.setActive(index);
    if (follow) void this.roving.focus(index);
    fire(this, 'inbox-conversation-select', { conversationId: id });
  }

  override render() {
    const v = this.snapshot.value;
    const rows = this.rows;
    const first = Math.max(0, Math.floor(this.scrollOffset / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((this.scrollOffset + this.viewportHeight) / ROW_HEIGHT) + OVERSCAN);
    const indexes: number[] = [];
    for (let i = first; i < last; i++) indexes.push(i);
    // The focusable row must stay in the DOM even when scrolled away, or Tab would skip the list.
    const active = this.roving.active;
    if (active < rows.length && (active < first || active >= last)) indexes.push(active);
    const agents = new Map((v?.agents ?? []).map((a) => [a.id, a]));
    const label = v ? `Conversations, ${VIEW_LABELS[v.view]}` : 'Conversations';

    const filtered = Object.keys(v?.filters ?? {}).length > 0;
    const ticked = this.selected.size;
    const all = rows.length > 0 && rows.every((r) => this.selected.has(r.id));
    return html`<div class="tools" part="tools">
        <label><input type="checkbox" aria-label="Select all in view" .checked=${all} .indeterminate=${ticked > 0 && !all} @change=${this.selectAll} /></label>
        <button class="button" aria-expanded=${this.filtersOpen ? 'true' : 'false'} aria-controls="filters" @click=${this.toggleFilters} @keydown=${this.onFiltersKeydown}>Filters</button>
        ${filtered ? html`<button class="button" @click=${this.clearFilters}>Clear filters</button>` : nothing}
        <span role="status">${this.bulkSummary}</span>
      </div>
      ${this.filtersOpen ? html`<inbox-list-filters id="filters" @keydown=${this.onFiltersKeydown}></inbox-list-filters>` : nothing}
      ${ticked ? html`<inbox-bulk-bar .ids=${[...this.selected]} @inbox-bulk-done=${this.onBulkDone}></inbox-bulk-bar>` : nothing}
      <div
      part="base"
      role="listbox"
      aria-label=${label}
      aria-busy=${v?.listLoading || (v?.status !== 'ready' && !this.stalled) ? 'true' : 'false'}
      style=${styleMap({ '--row-height': `${ROW_HEIGHT}px` })}
      @scroll=${this.onScroll}
      @keydown=${this.onKeydown}
    >
      <div class="spacer" style=${styleMap({ height: `${rows.length * ROW_HEIGHT}px` })}>
        ${repeat(
          indexes,
          (i) => rows[i]!.id,
          (i) => this.renderRow(rows[i]!, i, rows.length, agents, v?.openId ?? null, v?.readMarks ?? {}, v?.me ?? null),
        )}
      </div>
      ${(v?.status !== 'ready' && !this.stalled) || (v?.listLoading && rows.length === 0)
        ? [0, 1, 2, 3, 4, 5].map(() => html`<div class="skeleton-row" aria-hidden="true"><span class="skeleton"></span><span class="skeleton"></span></div>`)
        : nothing}
      ${v?.status === 'ready' && rows.length === 0 && !v.listLoading
        ? html`<p class="empty" role="presentation">No conversations in ${VIEW_LABELS[v.view]}${filtered ? ' match these filters' : ''}</p>`
        : nothing}
    </div>`;
  }

  /** "Snoozed until tomorrow 9:00 AM" or "Waiting for Bilingual · 4 min", as the header says them, ticking with the clock. */
  private renderState(c: Conversation) {
    const now = this.clock.now;
    const snoozed = c.status === 'open' && c.snoozedUntil;
    const label = snoozed ? `Snoozed until ${wakeTime(snoozed, now)}` : waiting(c) && waitingLabel(c.waitingSince!, this.teams.find(c.teamId)?.name, now);
    return label ? html`<span class=${snoozed ? 'state' : 'state waiting'} title=${label}>${label}</span>` : nothing;
  }

  private renderRow(
    c: Conversation,
    index: number,
    total: number,
    agents: Map<string, AgentWithLoad>,
    openId: string | null,
    readMarks: Readonly<Record<string, number>>,
    me: string | null,
  ) {
    const name = contactName(this.contacts, c.contactId);
    // The open conversation is being read; its mark catches up a moment later.
    const unread = c.id !== openId && isUnread(c, readMarks);
    const assignee = c.assigneeId ? agents.get(c.assigneeId) : undefined;
    const preview = c.subject && c.channel === 'email' ? `${c.subject} — ${c.preview ?? ''}` : c.preview ?? '';
    // The row's time is the latest message's, the one the preview shows (not a later reopen or assignment).
    const at = c.lastMessage?.at ?? c.lastMessageAt;
    return html`<div
      role="option"
      id=${`row-${c.id}`}
      data-index=${index}
      class=${unread ? 'unread' : ''}
      part="conversation"
      aria-selected=${c.id === openId ? 'true' : 'false'}
      aria-checked=${this.selected.has(c.id) ? 'true' : 'false'}
      aria-setsize=${total}
      aria-posinset=${index + 1}
      tabindex=${this.roving.tabIndexFor(index)}
      style=${styleMap({ transform: `translateY(${index * ROW_HEIGHT}px)` })}
      @click=${(e: MouseEvent) => (e.shiftKey ? this.toggle(index, true) : this.select(index))}
      @focus=${() => this.roving.setActive(index)}
    >
      <span
        class="check"
        aria-hidden="true"
        @click=${(e: MouseEvent) => {
          e.stopPropagation();
          this.toggle(index, e.shiftKey);
        }}
      ></span>
      ${unread ? html`<span class="dot" aria-hidden="true"></span><span class="visually-hidden">Unread,</span>` : html`<span></span>`}
      <span class="top">
        <span class="name" title=${typeof name === 'string' ? name : ''}>${name}</span>
        <span class="channel" title=${channelName(c.channel)}>${channelIcon(c.channel, 14)}<span class="visually-hidden">${channelName(c.channel)}</span></span>
        ${this.renderState(c)}
      </span>
      <time datetime=${at} title=${absoluteTime(at)}>${relativeTime(at, this.clock.now)}</time>
      <span class="preview">${me && hasDraft(me, c.id) ? html`<span class="draft">Draft</span> ` : nothing}${speaker(c, agents, me)}${preview}</span>
      <span class="assignee">
        ${assignee ? avatarFace(assignee.name, `Assigned to ${assignee.name}`) : nothing}
      </span>
    </div>`;
  }
}
