import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { consume } from '@lit/context';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { AgentWithLoad, InboxStore } from '@baton/client';
import type { Actor, MessageItem, NoteItem, TimelineItem } from '@baton/protocol';
import { storeContext } from '@baton/ui/contexts/store';
import { TeamsController } from '../teams/teams-controller.js';
import { baseStyles } from '@baton/ui/tokens';
import { icon } from '@baton/ui/icons';
import { absoluteTime, dateFormat, relativeTime } from '@baton/ui/relative-time';
import { ClockController } from '../controllers/clock-controller.js';
import { contactName as contactNameOf } from '../contacts/contact-name.js';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { ruleName } from '../format/rule-name.js';
import { ContactsController } from '../contacts/contacts-controller.js';
import { contactsContext } from '../contacts/contacts-context.js';
import type { ContactDirectory } from '../contacts/contact-directory.js';
import { bodyText, splitQuoted } from '../format/body-text.js';
import { lazyModule, updateWithLoads } from '../controllers/lazy-part.js';
import { timelineStyles } from './timeline.styles.js';

/**
 * Events as sentences ("Ana moved this to Bilingual") are a chunk of their own: fetched when a
 * conversation first opens, alongside its timeline request, so the inbox's first paint does not
 * carry them.
 */
type SentencesModule = typeof import('../format/event-sentence.js');
const loadSentences = lazyModule(() => import('../format/event-sentence.js'));

const avatar = (name: string) => html`<baton-avatar name=${name} style="--baton-avatar-size:20px"></baton-avatar>`;

/** "Today", "Yesterday", or the date (with the year when it is not this year). */
export function dayLabel(iso: string, now: number): string {
  const day = new Date(iso);
  const today = new Date(now);
  const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((midnight(today) - midnight(day)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  const options: Intl.DateTimeFormatOptions = { weekday: 'short', month: 'short', day: 'numeric' };
  if (day.getFullYear() !== today.getFullYear()) options.year = 'numeric';
  return dateFormat(options).format(day);
}

/** The items with a day label before the first item of each day. */
function withDays(items: readonly TimelineItem[], now: number): (TimelineItem | string)[] {
  const out: (TimelineItem | string)[] = [];
  let last = '';
  for (const item of items) {
    const label = dayLabel(item.createdAt, now);
    if (label !== last) out.push((last = label));
    out.push(item);
  }
  return out;
}

/** Within this many pixels of the bottom the reader is "following" and new items scroll into view. */
const FOLLOW_SLACK = 80;

/**
 * The open conversation's timeline: customer messages, replies, internal notes (on their own
 * colour, labelled "Internal note") and events as sentences. Bodies are text with safe links.
 */
export class InboxTimeline extends LitElement {
  static override styles = [baseStyles, timelineStyles];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  @consume({ context: contactsContext, subscribe: true })
  @state()
  private contacts?: ContactDirectory;

  @state() private sentences: SentencesModule | undefined;
  private sentencesLoading: Promise<void> | undefined;

  @query('[part="base"]') private scroller!: HTMLElement;

  private readonly clock = new ClockController(this);
  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({
    id: s.open?.id ?? null,
    contactId: s.open?.conversation?.contactId ?? null,
    items: s.open?.timeline ?? [],
    loading: s.open?.loading ?? false,
    agents: s.agents,
  }));
  private readonly contactsWatch = new ContactsController(this, () => this.contacts);
  /** Team names for "Ana moved this to Bilingual", asked once such an event is shown. */
  private readonly teams = new TeamsController(this, () => this.store);
  private following = true;
  private shownId: string | null = null;
  /**
   * A message or note came in below while the reader was scrolled up through the history: "New
   * messages" offers the way down instead of moving the page under them (the log's live region
   * already reads it out to a screen reader).
   */
  @state() private unseen = false;

  /**
   * A message or note to bring into view once its conversation shows it: a search hit's, a
   * mention's note (`inbox-conversation-select`'s `itemId`). A new object each time, so picking the
   * same one again scrolls to it again.
   */
  @property({ attribute: false }) seek: { conversationId: string; itemId: string } | null = null;
  private sought: { conversationId: string; itemId: string } | null = null;
  /** The latest item's seq at the last update, to tell what came in since. */
  private lastSeq = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('seek')) this.sought = this.seek;
    if (this.snapshot.value?.id && !this.sentences && !this.sentencesLoading) {
      this.sentencesLoading = loadSentences().then(
        (m) => void (this.sentences = m),
        // Tried again at the next update (a new item, the clock's tick); the timeline says it is busy meanwhile.
        () => void (this.sentencesLoading = undefined),
      );
    }
    // Team names are read only for a timeline whose sentences name a team: a move, or a rule's assignment into one.
    if (this.snapshot.value?.items.some((i) => i.kind === 'event' && (i.type === 'team_changed' || 'teamFrom' in i.data))) this.teams.want();
    const id = this.snapshot.value?.id ?? null;
    // A newly opened conversation starts at its latest item; otherwise the reader's own scrolling
    // (onScroll) says whether they are at the latest.
    if (id !== this.shownId) this.following = true;
    const items = this.snapshot.value?.items ?? [];
    if (this.following) this.unseen = false;
    else if (id === this.shownId) {
      for (let i = items.length - 1; i >= 0 && items[i]!.seq > this.lastSeq; i--) if (items[i]!.kind !== 'event') this.unseen = true;
    }
    this.lastSeq = items.at(-1)?.seq ?? 0;
    this.shownId = id;
  }

  private atBottom(el: HTMLElement): boolean {
    return el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_SLACK;
  }

  /** Where the log was scrolled to when its last scroll event came. */
  private scrolledTo = 0;

  private onScroll(): void {
    this.scrolledTo = this.scroller.scrollTop;
    this.following = this.atBottom(this.scroller);
    if (this.following) this.unseen = false;
  }

  /**
   * The log gets shorter when the composer below it grows (a second line, a warning over the
   * buttons): a reader at the latest item stays there instead of losing it under the fold.
   */
  private readonly resized = new ResizeObserver(() => {
    const el = this.scroller;
    if (!el) return;
    // Moved since the last scroll event (which comes a frame later): decide from where it is now.
    if (el.scrollTop !== this.scrolledTo) this.following = this.atBottom(el);
    if (this.following) el.scrollTop = el.scrollHeight;
  });

  protected override firstUpdated(): void {
    this.resized.observe(this.scroller);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resized.disconnect();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.resized.observe(this.scroller);
  }

  /** "New messages": down to the latest, with focus on the log so the keyboard reads on from there. */
  private jumpToLatest(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.unseen = false;
    this.scroller.focus();
  }

  /** Resolves once event sentences are drawn too when their module is loading. */
  protected override getUpdateComplete(): Promise<boolean> {
    return updateWithLoads(() => super.getUpdateComplete(), () => (this.sentences ? undefined : this.sentencesLoading));
  }

  protected override updated(): void {
    if (this.following && this.scroller) this.scroller.scrollTop = this.scroller.scrollHeight;
    const v = this.snapshot.value;
    // Once its items are drawn: not while the conversation loads, nor while the log waits for its sentences.
    if (this.sought && v?.id === this.sought.conversationId && !v.loading && !this.awaitingSentences(v.items)) this.showSought(this.sought.itemId);
  }

  /** Events wait for their sentences (the first time only): the log stays busy rather than showing half of it. */
  private awaitingSentences(items: readonly TimelineItem[]): boolean {
    return !this.sentences && !!this.sentencesLoading && items.some((i) => i.kind === 'event');
  }

  /**
   * Scrolls the sought item to the log's middle and marks it for a moment. The reader stops
   * "following" the latest, so what comes in next does not scroll it away. Tried once the
   * conversation has loaded; an item that is not there (another conversation's) is let go.
   */
  private showSought(itemId: string): void {
    this.sought = null;
    const item = [...this.scroller.querySelectorAll<HTMLElement>('[data-item]')].find((el) => el.dataset['item'] === itemId);
    if (!item) return;
    this.following = false;
    // The log's own scroll, not scrollIntoView, which would scroll the host's page around the inbox too.
    const log = this.scroller;
    log.scrollTop += item.getBoundingClientRect().top - log.getBoundingClientRect().top - (log.clientHeight - item.offsetHeight) / 2;
    this.scrolledTo = log.scrollTop;
    item.classList.remove('sought');
    void item.offsetWidth; // restarts the mark's animation when the same item is sought again
    item.classList.add('sought');
  }

  /** Rules' names by workflow id, from the events they wrote here (each carries `workflowName`), for their notes' byline. */
  private ruleNames = new Map<string, string>();
  private ruleNamesOf: readonly TimelineItem[] | null = null;

  /** Rebuilt only when the timeline itself changed (the store hands out a new array then). */
  private namesOfRules(items: readonly TimelineItem[]): Map<string, string> {
    if (items !== this.ruleNamesOf) {
      this.ruleNamesOf = items;
      this.ruleNames = new Map();
      for (const i of items) {
        if (i.kind !== 'event' || !i.actor.id) continue;
        const name = ruleName(i);
        if (name) this.ruleNames.set(i.actor.id, name);
      }
    }
    return this.ruleNames;
  }

  private agentName(actor: Actor, agents: readonly AgentWithLoad[]): string {
    if (actor.type === 'agent') return agents.find((a) => a.id === actor.id)?.name ?? 'A teammate';
    // Items a rule writes name it; older notes are named from the rule's events beside them.
    if (actor.type === 'workflow') return actor.name ?? ((actor.id && this.namesOfRules(this.snapshot.value?.items ?? []).get(actor.id)) || 'A rule');
    return 'Baton';
  }

  override render() {
    const v = this.snapshot.value;
    const items = v?.items ?? [];
    const contactName = v?.contactId ? contactNameOf(this.contacts, v.contactId) : '';
    const now = this.clock.now;
    const waiting = this.awaitingSentences(items);
    return html`<div
        part="base"
        role="log"
        aria-label="Timeline"
        aria-busy=${v?.loading || waiting ? 'true' : 'false'}
        tabindex="0"
        @scroll=${this.onScroll}
      >
      ${waiting
        ? html`<p class="empty"><span class="skeleton"></span></p>`
        : v?.id
        ? html`<ol>
            ${repeat(
              withDays(items, now),
              (i) => (typeof i === 'string' ? `day:${i}` : i.id),
              (i) => (typeof i === 'string' ? html`<li part="day" class="day">${i}</li>` : this.renderItem(i, contactName, v.agents, now)),
            )}
          </ol>`
        : html`<p class="empty">Pick a conversation from the list</p>`}
      </div>
      ${this.unseen ? html`<button class="jump" @click=${this.jumpToLatest}>New messages ↓</button>` : nothing}`;
  }

  private renderItem(item: TimelineItem, contactName: string | TemplateResult, agents: readonly AgentWithLoad[], now: number): TemplateResult {
    const when = html`<time datetime=${item.createdAt} title=${absoluteTime(item.createdAt)}>${relativeTime(item.createdAt, now)}</time>`;
    switch (item.kind) {
      case 'message':
        return this.renderMessage(item, contactName, agents, when);
      case 'note':
        return this.renderNote(item, agents, when);
      case 'event':
        return html`<li part="event">${this.sentences
          ? this.sentences.eventSentence(item, (id) => agents.find((a) => a.id === id), (id) => this.teams.find(id))
          : 'Could not load what happened here'} · ${when}</li>`;
    }
  }

  private renderMessage(item: MessageItem, contactName: string | TemplateResult, agents: readonly AgentWithLoad[], when: TemplateResult) {
    const inbound = item.direction === 'inbound';
    const author = inbound ? contactName : this.agentName(item.author, agents);
    // A customer's email quotes the thread back under what they wrote now: folded, as mail clients do.
    const [shown, quoted] = inbound ? splitQuoted(item.body) : [item.body, ''];
    // No whitespace between the tags: the bubble is `white-space: pre-wrap` for the body's own line breaks.
    return html`<li part="message ${item.direction}" class="bubble ${item.direction}" data-item=${item.id}
      ><div class="byline">${typeof author === 'string' ? avatar(author) : nothing}<span class="author">${author}</span>${inbound ? nothing : html`<span>replied</span>`} · ${when}</div
      >${bodyText(shown)}${quoted ? html`<details part="quoted"><summary>Quoted text</summary>${bodyText(quoted)}</details>` : nothing}</li
    >`;
  }

  private renderNote(item: NoteItem, agents: readonly AgentWithLoad[], when: TemplateResult) {
    const mentioned = new Set(agents.filter((a) => item.mentions.includes(a.id)).map((a) => a.username.toLowerCase()));
    return html`<li part="note" class="bubble" data-item=${item.id}
      ><div class="byline">
        <span class="internal">${icon('note', 12)} Internal note</span> ·
        ${avatar(this.agentName(item.author, agents))}<span class="author">${this.agentName(item.author, agents)}</span> · ${when}
      </div
      >${this.withMentions(item.body, mentioned)}</li
    >`;
  }

  /** Mentions of known teammates stand out; everything stays text. */
  private withMentions(body: string, usernames: Set<string>) {
    if (usernames.size === 0) return bodyText(body);
    const out: unknown[] = [];
    let last = 0;
    for (const m of body.matchAll(/@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])/gi)) {
      if (!usernames.has(m[1]!.toLowerCase())) continue;
      out.push(...bodyText(body.slice(last, m.index)), html`<span class="mention">${m[0]}</span>`);
      last = m.index + m[0].length;
    }
    out.push(...bodyText(body.slice(last)));
    return out;
  }
}
