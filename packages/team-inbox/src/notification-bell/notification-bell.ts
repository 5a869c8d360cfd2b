import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { property, query, state } from 'lit/decorators.js';
import type { InboxRestClient, InboxStore } from '@baton/client';
import { restContext } from '@baton/ui/contexts/rest';
import { storeContext } from '@baton/ui/contexts/store';
import { baseStyles } from '@baton/ui/tokens';
import { icon } from '@baton/ui/icons';
import { ClockController } from '../controllers/clock-controller.js';
import { addStyles, lazyModule, updateWithLoads } from '../controllers/lazy-part.js';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { fire } from '../events.js';
import { ContactsController } from '../contacts/contacts-controller.js';
import { contactsContext } from '../contacts/contacts-context.js';
import type { ContactDirectory } from '../contacts/contact-directory.js';
import type { DesktopState } from '../desktop-notifications/push-subscription.js';
import { plainError } from '../format/plain-error.js';
import type { DesktopAction, NotificationConversations } from './notification-panel.js';
import { notificationBellStyles } from './notification-bell.styles.js';

/** The open panel is a chunk of its own, fetched the first time the bell opens (or is pointed at). */
type PanelModule = typeof import('./notification-panel.js');
const loadPanelModule = lazyModule(() => import('./notification-panel.js'));

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
  private rest?: InboxRestClient;

  /** The host's service worker (`<team-inbox push-worker>`); without one there is no desktop switch. */
  @property({ attribute: false }) pushWorker = '';

  @state() private expanded = false;
  /** This browser's desktop notifications; null until the panel first opens and the module loads. */
  @state() private desktop: DesktopState | 'working' | null = null;
  @state() private desktopError = '';
  @state() private panel: PanelModule | undefined;
  @state() private panelError = '';
  private panelLoading: Promise<void> | undefined;
  /** Conversations of notifications outside the inbox's list, read once the panel is there. */
  private others: NotificationConversations | undefined;
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
    if (!this.expanded) return;
    void this.loadPanel().then(() => {
      if (this.expanded && this.pushWorker && this.desktop === null) this.desktopAction('check');
    });
  }

  /** Loads the panel (once) and adds its styles to this shadow root. */
  private loadPanel(): Promise<void> {
    if (this.panelLoading) return this.panelLoading;
    this.panelError = '';
    return (this.panelLoading = loadPanelModule().then(
      (panel) => {
        addStyles(this, panel.notificationPanelStyles);
        this.others = new panel.NotificationConversations(() => this.rest, () => this.requestUpdate());
        this.panel = panel;
      },
      (e: unknown) => {
        this.panelLoading = undefined;
        this.panelError = plainError(e);
      },
    ));
  }

  /** Resolves once the panel is drawn too when it is loading, so "rendered" means what it says. */
  protected override getUpdateComplete(): Promise<boolean> {
    return updateWithLoads(() => super.getUpdateComplete(), () => (this.panel || this.panelError ? undefined : this.panelLoading));
  }

  private desktopAction(action: DesktopAction): void {
    const panel = this.panel;
    if (!panel) return;
    const before = this.desktop;
    this.desktop = 'working';
    this.desktopError = '';
    void panel.runDesktopAction(action, before, this.rest, this.pushWorker).then(({ desktop, error }) => {
      this.desktop = desktop;
      this.desktopError = error;
    });
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.expanded) {
      e.stopPropagation();
      this.expanded = false;
      this.button.focus();
    }
  }

  override render() {
    const v = this.snapshot.value;
    const unread = v?.unread ?? 0;
    return html`<div @keydown=${this.onKeydown}>
      <button
        part="base"
        aria-expanded=${this.expanded ? 'true' : 'false'}
        aria-controls="panel"
        @click=${this.toggle}
        @pointerenter=${() => void loadPanelModule().catch(() => undefined)}
      >
        ${icon('bell', 18)}<span class="visually-hidden">Notifications</span>
        ${unread > 0 ? html`<baton-badge variant="attention" count=${unread}></baton-badge><span class="visually-hidden">unread</span>` : nothing}
      </button>
      <section id="panel" part="panel" aria-labelledby="heading" ?hidden=${!this.expanded}>
        ${this.panel ? this.renderPanel(this.panel) : this.expanded ? this.renderLoading() : nothing}
      </section>
    </div>`;
  }

  private renderLoading() {
    return html`<h2 id="heading" class="visually-hidden">Notifications</h2>
      ${this.panelError
        ? html`<p class="error" role="alert">${this.panelError}</p>`
        : html`<p class="loading" role="status"><span class="skeleton"></span><span class="visually-hidden">Loading notifications…</span></p>`}`;
  }

  private renderPanel(panel: PanelModule) {
    const v = this.snapshot.value;
    // Context comes from what the inbox already holds (the list, the open conversation), and for
    // the rest from reads the panel makes: a notification carries only its conversation's id.
    const known = new Map([...(v?.rows ?? []), ...(v?.open ? [v.open] : [])].map((c) => [c.id, c]));
    return panel.renderNotificationPanel({
      items: v?.items ?? [],
      unread: v?.unread ?? 0,
      agents: v?.agents ?? [],
      known,
      // Only while open: a closed panel reads nothing.
      others: this.expanded ? this.others : undefined,
      contactName: (id) => this.contacts?.name(id) ?? undefined,
      now: this.clock.now,
      pushWorker: this.pushWorker,
      desktop: this.desktop,
      desktopError: this.desktopError,
      markRead: (ids) => void this.store?.markNotificationsRead(ids).catch(() => undefined),
      open: (conversationId, itemId) => {
        this.expanded = false;
        fire(this, 'inbox-conversation-select', { conversationId, ...(itemId ? { itemId } : {}) });
      },
      desktopAction: (action) => this.desktopAction(action),
    });
  }
}
