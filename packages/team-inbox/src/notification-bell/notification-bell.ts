import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { property, query, state } from 'lit/decorators.js';
import type { AgentWithLoad, BatonRestClient, InboxStore } from '@baton/client';
import type { Notification } from '@baton/protocol';
import { restContext } from '@baton/ui/contexts/rest';
import { storeContext } from '@baton/ui/contexts/store';
import { baseStyles } from '@baton/ui/tokens';
import { icon } from '@baton/ui/icons';
import { absoluteTime, relativeTime } from '@baton/ui/relative-time';
import { ClockController } from '../controllers/clock-controller.js';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { fire } from '../events.js';
import { ContactsController } from '../contacts/contacts-controller.js';
import { contactsContext } from '../contacts/contacts-context.js';
import type { ContactDirectory } from '../contacts/contact-directory.js';
import type { DesktopState } from '../desktop-notifications/push-subscription.js';
import { notificationBellStyles } from './notification-bell.styles.js';

/** What happened, from the reader's side, naming the contact when known: "Ben mentioned you on Priya Patel". */
export function notificationText(n: Notification, agents: readonly AgentWithLoad[], contact?: string): string {
  const actor = n.actor.type === 'agent' ? agents.find((a) => a.id === n.actor.id)?.name.split(/\s+/)[0] : undefined;
  const on = contact ?? 'a conversation';
  switch (n.type) {
    case 'mentioned':
      return `${actor ?? 'Someone'} mentioned you on ${on}`;
    case 'assigned':
      return `${actor ?? 'Someone'} assigned ${on} to you`;
    case 'reopened':
      return contact ? `${contact} wrote again: reopened` : 'A conversation assigned to you was reopened';
    case 'queued_timeout':
      return `${contact ?? 'A conversation'} has waited too long in the queue`;
  }
}

/** Notifications grouped per conversation, newest group first; each group newest first. */
export function groupByConversation(items: readonly Notification[]): Notification[][] {
  const groups = new Map<string, Notification[]>();
  for (const n of items) {
    const group = groups.get(n.conversationId);
    if (group) group.push(n);
    else groups.set(n.conversationId, [n]);
  }
  return [...groups.values()];
}

/**
 * The bell with the unread count and, when opened, the notifications. Picking one marks it read
 * and opens its conversation (`inbox-conversation-select`).
 */
export class InboxNotificationBell extends LitElement {
  static override styles = [baseStyles, notificationBellStyles];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  @consume({ context: contactsContext, subscribe: true })
  @state()
  private contacts?: ContactDirectory;

  @consume({ context: restContext, subscribe: true })
  @state()
  private rest?: BatonRestClient;

  /** The host's service worker (`<team-inbox push-worker>`); without one there is no desktop switch. */
  @property({ attribute: false }) pushWorker = '';

  @state() private expanded = false;
  /** This browser's desktop notifications; null until the panel first opens and the module loads. */
  @state() private desktop: DesktopState | 'working' | null = null;
  @state() private desktopError = '';
  @query('[part="base"]') private button!: HTMLButtonElement;

  private readonly clock = new ClockController(this);
  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({
    items: s.notifications,
    unread: s.unreadNotifications,
    agents: s.agents,
    rows: s.conversations,
    open: s.open?.conversation,
  }));
  private readonly contactsWatch = new ContactsController(this, () => this.contacts);

  private readonly onDocumentClick = (e: MouseEvent) => {
    if (this.expanded && !e.composedPath().includes(this)) this.expanded = false;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('click', this.onDocumentClick);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('click', this.onDocumentClick);
  }

  private toggle(): void {
    this.expanded = !this.expanded;
    if (this.expanded && this.pushWorker && this.desktop === null) void this.desktopAction('check');
  }

  /** Loads the Web Push module on first use (it is not part of the inbox's first load). */
  private async desktopAction(action: 'check' | 'enable' | 'disable'): Promise<void> {
    const before = this.desktop;
    this.desktop = 'working';
    this.desktopError = '';
    try {
      const push = await import('../desktop-notifications/push-subscription.js');
      if (action === 'check') this.desktop = await push.desktopState(this.pushWorker);
      else if (!this.rest) this.desktop = before;
      else this.desktop = action === 'enable' ? await push.enableDesktop(this.rest, this.pushWorker) : await push.disableDesktop(this.rest, this.pushWorker);
    } catch (error) {
      this.desktop = before === null || before === 'working' ? 'off' : before;
      this.desktopError =
        action === 'check'
          ? ''
          : `Could not turn desktop notifications ${action === 'enable' ? 'on' : 'off'}: ${error instanceof Error ? error.message : String(error)}. Try again.`;
    }
  }

  private renderDesktop() {
    const d = this.desktop;
    if (!this.pushWorker || d === null || d === 'unsupported') return nothing;
    return html`<footer>
      ${d === 'on'
        ? html`<span>Desktop notifications are on</span><button class="link" @click=${() => void this.desktopAction('disable')}>Turn off</button>`
        : d === 'blocked'
          ? html`<span>Desktop notifications are blocked in this browser's site settings</span>`
          : html`<button class="link" ?disabled=${d === 'working'} @click=${() => void this.desktopAction('enable')}>
              ${d === 'working' ? 'Working…' : 'Enable desktop notifications'}
            </button>`}
      <p role="status" class="error">${this.desktopError}</p>
    </footer>`;
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.expanded) {
      e.stopPropagation();
      this.expanded = false;
      this.button.focus();
    }
  }

  private pick(group: Notification[]): void {
    this.expanded = false;
    const unread = group.filter((n) => n.readAt === null).map((n) => n.id);
    if (unread.length) void this.store?.markNotificationsRead(unread).catch(() => undefined);
    fire(this, 'inbox-conversation-select', { conversationId: group[0]!.conversationId });
  }

  override render() {
    const v = this.snapshot.value;
    const { items, unread, agents } = v ?? { items: [], unread: 0, agents: [] };
    // Context comes from what the inbox already holds (the list, the open conversation): a
    // notification carries only its conversation's id. The preview is a message, never a note.
    const known = new Map([...(v?.rows ?? []), ...(v?.open ? [v.open] : [])].map((c) => [c.id, c]));
    const now = this.clock.now;
    return html`<div @keydown=${this.onKeydown}>
      <button part="base" aria-expanded=${this.expanded ? 'true' : 'false'} aria-controls="panel" @click=${this.toggle}>
        ${icon('bell', 18)}<span class="visually-hidden">Notifications</span>
        ${unread > 0 ? html`<baton-badge variant="attention" count=${unread}></baton-badge><span class="visually-hidden">unread</span>` : nothing}
      </button>
      <section id="panel" part="panel" aria-labelledby="heading" ?hidden=${!this.expanded}>
        <header>
          <h2 id="heading">Notifications</h2>
          ${unread > 0
            ? html`<button class="link" @click=${() => void this.store?.markNotificationsRead('all').catch(() => undefined)}>Mark all as read</button>`
            : nothing}
        </header>
        ${items.length === 0
          ? html`<p class="empty">No notifications yet</p>`
          : html`<ul>
              ${groupByConversation(items).map((group) => {
                const n = group[0]!;
                const c = known.get(n.conversationId);
                const unreadHere = group.some((x) => x.readAt === null);
                const contact = c ? (this.contacts?.name(c.contactId) ?? undefined) : undefined;
                return html`<li>
                  <button class="item ${unreadHere ? 'unread' : ''}" @click=${() => this.pick(group)}>
                    ${unreadHere ? html`<span class="dot" aria-hidden="true"></span>` : html`<span></span>`}
                    <span class="text"
                      >${unreadHere ? html`<span class="visually-hidden">Unread:</span>` : nothing}${notificationText(n, agents, contact)}${group.length > 1
                        ? ` (+${group.length - 1} more)`
                        : nothing}${c?.preview ? html`<span class="snippet"> ${c.preview.slice(0, 80)}</span>` : nothing}</span
                    >
                    <time datetime=${n.createdAt} title=${absoluteTime(n.createdAt)}>${relativeTime(n.createdAt, now)}</time>
                  </button>
                </li>`;
              })}
            </ul>`}
        ${this.renderDesktop()}
      </section>
    </div>`;
  }
}
