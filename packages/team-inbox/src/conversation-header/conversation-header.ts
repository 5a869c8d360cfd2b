import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { query, state } from 'lit/decorators.js';
import type { AgentWithLoad, InboxStore } from '@baton/client';
import type { Agent, PresenceState } from '@baton/protocol';
import { storeContext } from '@baton/ui/contexts/store';
import { currentAgentContext } from '@baton/ui/contexts/current-agent';
import { baseStyles } from '@baton/ui/tokens';
import { channelIcon, channelName, icon } from '@baton/ui/icons';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { ClockController } from '../controllers/clock-controller.js';
import { waitingLabel, wakeTime } from '../format/snooze-time.js';
import { TeamsController } from '../teams/teams-controller.js';
import type { InboxSnoozeMenu } from '../snooze-menu/snooze-menu.js';
import { ContactsController } from '../contacts/contacts-controller.js';
import { contactsContext } from '../contacts/contacts-context.js';
import type { ContactDirectory } from '../contacts/contact-directory.js';
import { fire } from '../events.js';
import { plainError } from '../format/plain-error.js';
import { contactName } from '../contacts/contact-name.js';
import { assigneeName } from '../format/assignee-name.js';
import { conversationHeaderStyles } from './conversation-header.styles.js';

/** The snooze choices are a chunk of their own, fetched the first time "Snooze" is pressed. */
let snoozeModule: Promise<unknown> | undefined;
const loadSnoozeMenu = () => (snoozeModule ??= import('../snooze-menu/snooze-menu.js'));

function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * "Ben is typing a reply", "Ana is typing a note", "Ben and Tom are viewing": other agents only,
 * replies (the customer will see them) before notes, typing before viewing.
 */
export function collisionWarning(presence: PresenceState | null, me: string | undefined, agents: readonly AgentWithLoad[]): string {
  if (!presence) return '';
  const name = (id: string) => agents.find((a) => a.id === id)?.name.split(/\s+/)[0] ?? 'A teammate';
  const typing = presence.typing.filter((id) => id !== me);
  const notes = typing.filter((id) => presence.typingNotes?.includes(id));
  const replies = typing.filter((id) => !notes.includes(id));
  const viewing = presence.viewing.filter((id) => id !== me && !typing.includes(id));
  const parts: string[] = [];
  const are = (ids: string[]) => (ids.length === 1 ? 'is' : 'are');
  if (replies.length) parts.push(`${listNames(replies.map(name))} ${are(replies)} typing a reply`);
  if (notes.length) parts.push(`${listNames(notes.map(name))} ${are(notes)} typing a note`);
  if (viewing.length) parts.push(`${listNames(viewing.map(name))} ${are(viewing)} viewing`);
  return parts.join('; ');
}

/**
 * The open conversation's contact and channel, "Mark as Resolved" (or "Reopen"), and the
 * collision warning from presence. Fires `inbox-resolve` / `inbox-reopen` after the server agreed.
 * Who has it ("Assigned to María García · Support") is a line <team-inbox> shows through
 * `::part(assignee)` only where the details pane is a drawer (below 1,000 px, phones included): an
 * agent should not have to open it to learn whose conversation this is.
 */
export class InboxConversationHeader extends LitElement {
  static override styles = [baseStyles, conversationHeaderStyles];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  @consume({ context: currentAgentContext, subscribe: true })
  @state()
  private me?: Agent;

  @consume({ context: contactsContext, subscribe: true })
  @state()
  private contacts?: ContactDirectory;

  @state() private busy = false;
  @state() private error = '';
  /** The "Snooze" choices are open for this conversation id. */
  @state() private snoozeFor = '';
  @state() private snoozeLoaded = false;

  @query('inbox-snooze-menu') private snoozeMenu?: InboxSnoozeMenu;
  @query('.snooze') private snoozeButton?: HTMLButtonElement;

  private readonly clock = new ClockController(this);
  /** Team names only for "Waiting for Bilingual": asked when a queued conversation shows up. */
  private readonly teams = new TeamsController(this, () => this.store);

  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({
    conversation: s.open?.conversation ?? null,
    presence: s.open?.presence ?? null,
    agents: s.agents,
  }));
  private readonly contactsWatch = new ContactsController(this, () => this.contacts);

  /** "Mark as Resolved" on the open conversation (the `e` shortcut); does nothing when it is resolved. */
  async resolve(): Promise<void> {
    const c = this.snapshot.value?.conversation;
    if (!c || c.status !== 'open') return;
    await this.run(async (store) => {
      await store.resolve(c.id);
      fire(this, 'inbox-resolve', { conversationId: c.id });
    });
  }

  /** "Assign to me" (the `i` shortcut), through the same endpoint and `If-Match` as "Assigned to". */
  async assignToMe(): Promise<void> {
    const c = this.snapshot.value?.conversation;
    const me = this.me?.id;
    if (!c || !me || c.assigneeId === me) return;
    await this.run(async (store) => {
      const previousAssigneeId = c.assigneeId;
      await store.assign(c.id, me);
      fire(this, 'inbox-assign', { conversationId: c.id, assigneeId: me, previousAssigneeId });
    });
  }

  /**
   * "Snooze" (the `s` shortcut): opens its choices, loading them on first use; pressed again, closes
   * them. On a snoozed conversation `s` is "Unsnooze".
   */
  async toggleSnooze(): Promise<void> {
    const c = this.snapshot.value?.conversation;
    if (this.snoozeFor) return this.closeSnooze();
    if (c?.snoozedUntil) return this.unsnooze();
    if (!c || c.status !== 'open') return;
    this.snoozeFor = c.id;
    try {
      await loadSnoozeMenu();
      this.snoozeLoaded = true;
    } catch (e) {
      snoozeModule = undefined;
      this.snoozeFor = '';
      this.error = plainError(e);
      return;
    }
    await this.updateComplete;
    this.snoozeMenu?.focus();
  }

  private async closeSnooze(): Promise<void> {
    this.snoozeFor = '';
    await this.updateComplete;
    this.snoozeButton?.focus();
  }

  /** "Unsnooze": it rejoins the open views now. */
  async unsnooze(): Promise<void> {
    const c = this.snapshot.value?.conversation;
    if (!c?.snoozedUntil) return;
    await this.run(async (store) => {
      await store.snooze(c.id, null);
      fire(this, 'inbox-snooze', { conversationId: c.id, until: null });
    });
  }

  protected override willUpdate(): void {
    const c = this.snapshot.value?.conversation;
    if (this.snoozeFor && this.snoozeFor !== c?.id) this.snoozeFor = '';
    // Names the team of "Waiting for Support" and of the assignee line (the details pane asks too).
    if (c?.teamId) this.teams.want();
  }

  /** Focus on the conversation's name (where focus goes when what held it went away). */
  focusHeading(): void {
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  async reopen(): Promise<void> {
    const c = this.snapshot.value?.conversation;
    if (!c || c.status !== 'resolved') return;
    await this.run(async (store) => {
      await store.reopen(c.id);
      fire(this, 'inbox-reopen', { conversationId: c.id });
    });
  }

  private async run(command: (store: InboxStore) => Promise<void>): Promise<void> {
    if (!this.store || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      await command(this.store);
    } catch (e) {
      this.error = plainError(e);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const v = this.snapshot.value;
    const c = v?.conversation;
    if (!c) return html`<div part="base"><h2 tabindex="-1">No conversation open</h2></div>`;
    const warning = collisionWarning(v.presence, this.me?.id, v.agents);
    const now = this.clock.now;
    const snoozed = c.status === 'open' && c.snoozedUntil;
    // A snoozed conversation keeps its place in the queue but is not placed until it wakes: it says snoozed, as its list row does.
    const waiting = !snoozed && c.status === 'open' && !c.assigneeId && c.waitingSince;
    // While a command runs its buttons say so but stay focusable (`run` ignores a second press).
    const busy = this.busy ? 'true' : 'false';
    const team = this.teams.find(c.teamId)?.name;
    const assignee = (c.assigneeId ? 'Assigned to ' : '') + assigneeName(v.agents, c.assigneeId);
    return html`<div part="base">
      <div class="who">
        <h2 tabindex="-1" title=${this.contacts?.name(c.contactId) ?? ''}>${contactName(this.contacts, c.contactId)}</h2>
        <div class="meta">
          ${channelIcon(c.channel, 14)}<span>${channelName(c.channel)}</span>
          ${c.subject ? html`<span aria-hidden="true">·</span><span class="subject" title=${c.subject}>${c.subject}</span>` : nothing}
          ${c.status === 'resolved'
            ? html`<span aria-hidden="true">·</span><span class="status-resolved">${icon('check', 12)} Resolved</span>`
            : nothing}
          ${snoozed
            ? html`<span aria-hidden="true">·</span><span class="snoozed">Snoozed until <time datetime=${c.snoozedUntil!}>${wakeTime(c.snoozedUntil!, now)}</time></span>`
            : nothing}
          ${waiting
            ? html`<span aria-hidden="true">·</span><span class="waiting">${waitingLabel(c.waitingSince!, team, now)}</span>`
            : nothing}
          <span part="assignee" class="assignee"
            >${assignee}${team ? html`<span aria-hidden="true"> · </span><span class="visually-hidden">, team </span>${team}` : nothing}</span
          >
        </div>
      </div>
      ${c.status === 'open' && this.me && c.assigneeId !== this.me.id
        ? html`<button part="action" aria-disabled=${busy} aria-keyshortcuts="i" @click=${() => this.assignToMe()}>Assign to me</button>`
        : nothing}
      ${snoozed
        ? html`<button part="action" aria-keyshortcuts="s" aria-disabled=${busy} @click=${() => this.unsnooze()}>Unsnooze</button>`
        : c.status === 'open'
          ? html`<button
              part="action"
              class="snooze"
              aria-keyshortcuts="s"
              aria-expanded=${this.snoozeFor === c.id ? 'true' : 'false'}
              aria-controls="snooze-panel"
              aria-disabled=${busy}
              @click=${() => this.toggleSnooze()}
              @pointerenter=${() => void loadSnoozeMenu().catch(() => undefined)}
            >
              Snooze
            </button>`
          : nothing}
      ${c.status === 'open'
        ? html`<button part="action" class="resolve" aria-disabled=${busy} aria-keyshortcuts="e" @click=${() => this.resolve()}>
            Mark as Resolved
          </button>`
        : html`<button part="action" aria-disabled=${busy} @click=${() => this.reopen()}>Reopen</button>`}
      ${this.snoozeFor === c.id
        ? html`<div id="snooze-panel" part="snooze" class="snooze-panel">
            ${this.snoozeLoaded
              ? html`<inbox-snooze-menu .conversation=${c} .store=${this.store} .done=${() => void this.closeSnooze()}></inbox-snooze-menu>`
              : html`<div class="skeleton" role="status" aria-busy="true"><span class="visually-hidden">Loading snooze options…</span></div>`}
          </div>`
        : nothing}
      <div part="presence" role="status">${warning}</div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </div>`;
  }
}
