import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { query, state } from 'lit/decorators.js';
import type { AgentWithLoad, InboxStore } from '@baton/client';
import type { Notification } from '@baton/protocol';
import { storeContext } from '@baton/ui/contexts/store';
import { baseStyles } from '@baton/ui/tokens';
import { icon } from '@baton/ui/icons';
import { absoluteTime, relativeTime } from '@baton/ui/relative-time';
import { ClockController } from '../controllers/clock-controller.js';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { fire } from '../events.js';
import { notificationBellStyles } from './notification-bell.styles.js';

/** What happened, from the reader's side: "Ben mentioned you in a note". */
export function notificationText(n: Notification, agents: readonly AgentWithLoad[]): string {
  const actor = n.actor.type === 'agent' ? agents.find((a) => a.id === n.actor.id)?.name.split(/\s+/)[0] : undefined;
  switch (n.type) {
    case 'mentioned':
      return `${actor ?? 'Someone'} mentioned you in a note`;
    case 'assigned':
      return actor ? `${actor} assigned a conversation to you` : 'A conversation was assigned to you';
    case 'reopened':
      return 'A conversation assigned to you was reopened';
    case 'queued_timeout':
      return 'A conversation has waited too long in the queue';
  }
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

  @state() private expanded = false;
  @query('[part="base"]') private button!: HTMLButtonElement;

  private readonly clock = new ClockController(this);
  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({
    items: s.notifications,
    unread: s.unreadNotifications,
    agents: s.agents,
  }));

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
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.expanded) {
      e.stopPropagation();
      this.expanded = false;
      this.button.focus();
    }
  }

  private pick(n: Notification): void {
    this.expanded = false;
    if (n.readAt === null) void this.store?.markNotificationsRead([n.id]).catch(() => undefined);
    fire(this, 'inbox-conversation-select', { conversationId: n.conversationId });
  }

  override render() {
    const { items, unread, agents } = this.snapshot.value ?? { items: [], unread: 0, agents: [] };
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
              ${items.map(
                (n) => html`<li>
                  <button class="item ${n.readAt === null ? 'unread' : ''}" @click=${() => this.pick(n)}>
                    ${n.readAt === null ? html`<span class="dot" aria-hidden="true"></span>` : html`<span></span>`}
                    <span class="text">${n.readAt === null ? html`<span class="visually-hidden">Unread:</span>` : nothing}${notificationText(n, agents)}</span>
                    <time datetime=${n.createdAt} title=${absoluteTime(n.createdAt)}>${relativeTime(n.createdAt, now)}</time>
                  </button>
                </li>`,
              )}
            </ul>`}
      </section>
    </div>`;
  }
}
