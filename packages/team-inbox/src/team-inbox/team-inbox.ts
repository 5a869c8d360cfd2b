import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { ContextProvider } from '@lit/context';
import { property, query, state } from 'lit/decorators.js';
import { BatonApiError, type BatonRealtime, type InboxRestClient, type InboxSnapshot, type InboxStore } from '@baton/client';
import type { Agent, Notification, View } from '@baton/protocol';
import { VIEWS } from '@baton/protocol/constants';
import { storeContext } from '@baton/ui/contexts/store';
import { restContext } from '@baton/ui/contexts/rest';
import { realtimeContext } from '@baton/ui/contexts/realtime';
import { currentAgentContext } from '@baton/ui/contexts/current-agent';
import { baseStyles, controlStyles, tokenStyles } from '@baton/ui/tokens';
import { contactsContext } from '../contacts/contacts-context.js';
import { fire, type InboxAssignDetail, type InboxConversationSelectDetail, type InboxViewSelectDetail } from '../events.js';
import type { InboxSearch } from '../search-box/search-box.js';
import type { InboxConversationList } from '../conversation-list/conversation-list.js';
import type { InboxConversationHeader } from '../conversation-header/conversation-header.js';
import type { InboxViewNav } from '../view-nav/view-nav.js';
import type { InboxComposer } from '../composer/composer.js';
import type { InboxDetails } from '../details/details.js';
import type { InboxUndoToast, UndoableAction } from '../undo-toast/undo-toast.js';
import { connectToServer, useInjected, type InboxServices } from './connection.js';
import { teamInboxStyles } from './team-inbox.styles.js';
import { addStyles, lazyModule } from '../controllers/lazy-part.js';
import { plainError } from '../format/plain-error.js';
import { wakeTime } from '../format/snooze-time.js';
import { notificationText } from '../notification-bell/notification-text.js';
import { Announcer, assignmentText } from './announcer.js';

/** The shortcuts dialog's content is a chunk of its own, fetched the first time it opens. */
type ShortcutsModule = typeof import('./shortcuts.js');
const loadShortcuts = lazyModule(() => import('./shortcuts.js'));
/**
 * The parts only an open conversation shows, the reply box and the details pane ("Assigned to",
 * team, tags, the contact), are chunks of their own, fetched when a conversation first opens
 * (beside that conversation's own requests), or by `a`, `r` and `n`.
 */
const loadConversationParts = lazyModule(() => Promise.all([import('../composer/composer.js'), import('../details/details.js')]));
/** "Resolved … · Undo": a chunk of its own, fetched when the agent first resolves or snoozes. */
const loadUndoToast = lazyModule(() => import('../undo-toast/undo-toast.js'));

export type InboxTheme = 'light' | 'dark' | 'auto';

/** Shortcuts are for when focus is not in a text field, where the letters are text. */
function isEditable(target: EventTarget | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** The focused element, looking through shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

/**
 * A socket error the SDK gets past by itself: too many connects (it waits as the server said), or
 * no answer once the inbox has loaded (it keeps reconnecting). "Reconnecting…" already says so.
 */
const passesByItself = (e: unknown, loaded: boolean): boolean =>
  e instanceof BatonApiError && (e.code === 'rate_limited' || (loaded && e.code === 'network_error'));

/**
 * `<team-inbox server="https://…" token="…">`: the shared team inbox. Builds the SDK (REST,
 * socket, store) for `server` — or uses an injected `store` — and hands it to its parts through
 * context. `view` and `conversation-id` deep-link and follow the user's navigation.
 *
 * @fires inbox-conversation-open - after the user opened a conversation; `detail.conversationId`
 * @fires inbox-assign - after an assignment from "Assigned to"; `detail.{conversationId, assigneeId, previousAssigneeId}`
 * @fires inbox-resolve - after "Mark as Resolved"; `detail.conversationId`
 * @fires inbox-reopen - after "Reopen"; `detail.conversationId`
 */
export class TeamInbox extends LitElement {
  static override styles = [tokenStyles, baseStyles, controlStyles, teamInboxStyles];

  /** The Baton server's base URL. */
  @property() server = '';
  /** An agent token. Prefer `tokenProvider`, which is asked again before expiry and on reconnect. */
  @property() token = '';
  @property({ attribute: false }) tokenProvider: (() => Promise<string>) | undefined;
  /** The signed-in agent's id, when the host knows it: used until the server confirms who the token is for. */
  @property({ attribute: 'agent-id' }) agentId = '';
  @property({ reflect: true }) view: View = 'mine';
  /** The open conversation ('' for none). */
  @property({ attribute: 'conversation-id', reflect: true }) conversationId = '';
  @property({ reflect: true }) theme: InboxTheme = 'auto';
  /** Shortcuts work anywhere on the page, not only with focus inside the inbox (for hosts where the inbox is the page). */
  @property({ type: Boolean, attribute: 'global-shortcuts' }) globalShortcuts = false;
  /**
   * The host's service worker URL, which imports Baton's push-worker.js (README: "Desktop
   * notifications"). With it the notifications panel offers "Enable desktop notifications".
   */
  @property({ attribute: 'push-worker' }) pushWorker = '';
  /**
   * Where the host's page for a workflow is, with `{id}` for its id ("/automation?workflow={id}"):
   * for admins, "Why it was routed this way" links each rule there. Unset, rules are named only.
   */
  @property({ attribute: 'workflow-href' }) workflowHref = '';
  /** A store the host built (tests, or a host sharing one store across tags); then `server` is not used. */
  @property({ attribute: false }) store: InboxStore | undefined;
  /** With an injected `store`: the REST client behind it, for search, contacts and teams. */
  @property({ attribute: false }) rest: InboxRestClient | undefined;
  /** With an injected `store`: its socket, for typing signals. */
  @property({ attribute: false }) realtime: BatonRealtime | undefined;

  @state() private failure = '';
  /** The socket dropped after the first load; it reconnects by itself and this clears when it is back. */
  @state() private reconnecting = false;
  /** What "Try again" runs: the step that failed. */
  private retry: () => void = () => this.setup();
  /** The details drawer, at widths where details are not a column of their own. */
  @state() private detailsOpen = false;
  /** The message or note the last pick asked the timeline to show (`InboxConversationSelectDetail.itemId`). */
  @state() private seek: { conversationId: string; itemId: string } | null = null;
  @state() private shortcuts: ShortcutsModule | undefined;
  @state() private partsLoaded = false;
  @state() private partsFailed = false;
  /** Says what the screen does not (own assignment, resolve, snooze; a teammate's notification). */
  private readonly announcer = new Announcer(this);
  /** The agent's last resolve or snooze, offered back for a few seconds. */
  @state() private undoable: UndoableAction | undefined;
  /** `?` was pressed and the dialog's content is loading: a second press does nothing. */
  private shortcutsOpening = false;

  @query('inbox-search') private searchBox?: InboxSearch;
  @query('inbox-conversation-list') private list?: InboxConversationList;
  @query('inbox-conversation-header') private header?: InboxConversationHeader;
  @query('inbox-view-nav') private viewNav?: InboxViewNav;
  @query('inbox-composer') private composer?: InboxComposer;
  @query('inbox-details') private details?: InboxDetails;
  @query('dialog.shortcuts') private shortcutsDialog?: HTMLDialogElement;
  @query('inbox-undo-toast') private undoToast?: InboxUndoToast;
  @query('.back') private backButton?: HTMLElement;
  @query('aside[part="details"]') private detailsPane?: HTMLElement;
  @query('.close-details') private closeDetailsButton?: HTMLElement;

  private readonly provideStore = new ContextProvider(this, { context: storeContext });
  private readonly provideRest = new ContextProvider(this, { context: restContext });
  private readonly provideRealtime = new ContextProvider(this, { context: realtimeContext });
  private readonly provideAgent = new ContextProvider(this, { context: currentAgentContext });
  private readonly provideContacts = new ContextProvider(this, { context: contactsContext });

  private services: InboxServices | null = null;
  private unsubscribe: (() => void)[] = [];
  /** The open conversation's latest inbound time we marked read, so a new message is marked too. */
  private markedInbound: string | null = null;
  /** Notifications already being marked read because their conversation is open. */
  private readonly markingNotifications = new Set<string>();
  /** The last `inbox-unread-change` detail fired, so it fires only on a change. */
  private lastUnread = '';
  /** What had focus before the shortcuts dialog opened; it gets focus back when it closes. */
  private focusBeforeDialog: HTMLElement | null = null;

  constructor() {
    super();
    this.addEventListener('keydown', this.onShortcut);
    this.addEventListener('focusout', this.onFocusOut);
    this.addEventListener('inbox-view-select', this.onViewSelect);
    this.addEventListener('inbox-conversation-select', this.onConversationSelect);
    // The triage loop: after the agent's own resolve or assignment, the next conversation opens if this one left the view.
    const advance = (e: CustomEvent<{ conversationId: string }>) => void this.list?.advanceAfter(e.detail.conversationId);
    this.addEventListener('inbox-resolve', advance);
    this.addEventListener('inbox-assign', advance);
    this.addEventListener('inbox-snooze', advance);
    this.addEventListener('inbox-resolve', (e) => this.offerUndo({ kind: 'resolved', conversationId: e.detail.conversationId, said: `Resolved ${this.contactOf(e.detail.conversationId)}` }));
    this.addEventListener('inbox-assign', (e) => this.offerAssignmentUndo(e));
    this.addEventListener('inbox-reopen', (e) => this.announcer.say(`Reopened ${this.contactOf(e.detail.conversationId)}`));
    this.addEventListener('inbox-snooze', (e) => {
      const { conversationId, until } = e.detail;
      if (until) this.offerUndo({ kind: 'snoozed', conversationId, said: `Snoozed ${this.contactOf(conversationId)} until ${wakeTime(until, Date.now())}` });
      else this.announcer.say(`Unsnoozed ${this.contactOf(e.detail.conversationId)}`);
    });
  }

  /**
   * Offers the agent's own resolve, snooze or assignment back ("Undo", `z`). Named by the conversation
   * that was open when it happened: the event comes before the triage loop opens the next one.
   */
  private offerUndo(action: UndoableAction): void {
    void loadUndoToast().then(
      () => {
        this.undoable = action;
        this.announcer.say(`${action.said}. Undo: z`);
      },
      () => this.announcer.say(action.said), // no way back offered is not worth an error banner over a resolve that went through
    );
  }

  /** The contact's name of the open conversation if it is `conversationId`, else "the conversation". */
  private contactOf(conversationId: string): string {
    const open = this.services?.store.getSnapshot().open?.conversation;
    return (open?.id === conversationId && this.services?.contacts?.name(open.contactId)) || 'the conversation';
  }

  /**
   * A notification as it arrives, naming its contact: read (conversation, then contact) when the
   * conversation is not among those loaded, so it never says "a conversation" when it could say who.
   */
  private async announceNotification(n: Notification): Promise<void> {
    const services = this.services;
    if (!services) return;
    const s = services.store.getSnapshot();
    const loaded = s.conversations.find((c) => c.id === n.conversationId) ?? (s.open?.id === n.conversationId ? s.open.conversation : null);
    let contact: string | undefined;
    try {
      const contactId = loaded?.contactId ?? (await services.rest?.getConversation(n.conversationId))?.conversation.contactId;
      contact = (contactId && (await services.contacts?.nameWhenKnown(contactId))) || undefined;
    } catch {
      // Said without the name: the notification itself matters more than who it is about.
    }
    this.announcer.say(notificationText(n, services.store.getSnapshot().agents, contact));
  }

  /** The agent's own assignment ("Assign to me", "Assigned to"), said: the header only changes a name. */
  private offerAssignmentUndo(e: CustomEvent<InboxAssignDetail>): void {
    const { conversationId, assigneeId, previousAssigneeId } = e.detail;
    const snapshot = this.services?.store.getSnapshot();
    const agent = snapshot?.agents.find((a) => a.id === assigneeId);
    const assignee = assigneeId ? { name: agent?.name ?? 'a teammate', isMe: assigneeId === snapshot?.agentId } : null;
    const said = assignmentText(this.contactOf(conversationId), assignee);
    // The toast's own Undo gives it back: said, and not offered back again.
    if ((e.composedPath()[0] as Element).localName === 'inbox-undo-toast') this.announcer.say(said);
    else this.offerUndo({ kind: 'assigned', conversationId, said, assigneeId, previousAssigneeId });
  }
  /** The current services' store (built or injected); undefined before it is connected. */
  get inboxStore(): InboxStore | undefined {
    return this.services?.store;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.onPageKeydown);
    navigator.serviceWorker?.addEventListener('message', this.onWorkerMessage);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.onPageKeydown);
    navigator.serviceWorker?.removeEventListener('message', this.onWorkerMessage);
    this.teardown();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!VIEWS.includes(this.view)) this.view = 'mine';
    const rebuild = !this.services || changed.has('server') || changed.has('store') || changed.has('rest') || changed.has('realtime');
    if (rebuild && this.isConnected) this.setup();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.conversationId && !this.partsLoaded && !this.partsFailed) void this.loadParts();
    const store = this.services?.store;
    if (!store) return;
    const snapshot = store.getSnapshot();
    if (changed.has('view') && snapshot.view !== this.view) store.setView(this.view).catch((e: unknown) => this.fail(e, () => void store.setView(this.view).catch((e2: unknown) => this.fail(e2))));
    if (changed.has('conversationId') && (snapshot.open?.id ?? '') !== this.conversationId) void this.openConversation(this.conversationId);
  }

  private currentToken = (): Promise<string> => {
    if (this.tokenProvider) return this.tokenProvider();
    if (this.token) return Promise.resolve(this.token);
    return Promise.reject(new Error('<team-inbox> needs a token or a tokenProvider'));
  };

  private setup(): void {
    this.teardown();
    if (this.store) {
      this.services = useInjected(this.store, this.rest, this.realtime);
    } else if (this.server && (this.token || this.tokenProvider)) {
      this.services = connectToServer({ server: this.server, tokenProvider: this.currentToken, view: this.view });
    } else {
      return;
    }
    const { store, rest, realtime, contacts } = this.services;
    this.lastUnread = '';
    this.provideStore.setValue(store);
    this.provideRest.setValue(rest);
    this.provideRealtime.setValue(realtime);
    this.provideContacts.setValue(contacts);
    this.unsubscribe = [store.subscribe((s) => this.follow(s))];
    // A refused socket keeps retrying with backoff and the store keeps waiting for it: say why.
    if (realtime) {
      this.unsubscribe.push(
        // An alert with a button beside "Reconnecting…" would say the same twice, and trying now
        // would only fail again.
        realtime.on('error', (e) => {
          if (!passesByItself(e, store.getSnapshot().status === 'ready')) this.fail(e);
        }),
        realtime.on('ready', () => (this.failure = '')),
        // A teammate's assignment or mention, said as the bell's panel words it.
        realtime.on('notification:created', ({ notification: n }) => void this.announceNotification(n)),
      );
    }
    this.follow(store.getSnapshot());
    this.failure = '';
    store.start().catch((e: unknown) => this.fail(e, () => this.setup()));
  }

  private teardown(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.services?.close();
    this.services = null;
  }

  /**
   * Keeps the current agent, the read marks of the open conversation and of its notifications,
   * and the host's unread badge (`inbox-unread-change`) in step with the store.
   */
  private follow(s: InboxSnapshot): void {
    const agentId = s.agentId ?? (this.agentId || null);
    const agent: Agent | undefined = s.agents.find((a) => a.id === agentId);
    this.reconnecting = s.status === 'ready' && !s.connected && !!this.services?.realtime;
    if (agent !== this.provideAgent.value) this.provideAgent.setValue(agent);
    // A new customer message in the conversation on screen has been seen.
    const open = s.open?.conversation;
    if (open && open.id === this.conversationId && open.lastInboundAt && open.lastInboundAt !== this.markedInbound) {
      this.markedInbound = open.lastInboundAt;
      this.services?.store.markRead(open.id).catch(() => undefined);
    }
    // Opening a conversation reads its notifications too (and any that arrive while it is open).
    const ids = s.open && s.open.id === this.conversationId
      ? s.notifications.filter((n) => n.readAt === null && n.conversationId === s.open!.id && !this.markingNotifications.has(n.id)).map((n) => n.id)
      : [];
    if (ids.length) {
      for (const id of ids) this.markingNotifications.add(id);
      this.services?.store.markNotificationsRead(ids).catch(() => ids.forEach((id) => this.markingNotifications.delete(id)));
    }
    if (s.status === 'ready') {
      const detail = { unread: s.unreadNotifications, mentions: s.notifications.filter((n) => n.readAt === null && n.type === 'mentioned').length };
      const key = `${detail.unread}/${detail.mentions}`;
      if (key !== this.lastUnread) {
        this.lastUnread = key;
        fire(this, 'inbox-unread-change', detail);
      }
    }
  }

  private async openConversation(id: string): Promise<boolean> {
    const store = this.services?.store;
    if (!store) return false;
    // Cleared so `follow` marks it read once its state is loaded (and again for each new message).
    this.markedInbound = null;
    try {
      await store.open(id || null);
      return true;
    } catch (e) {
      this.fail(e, () => void this.openConversation(id));
      return false;
    }
  }

  private fail(e: unknown, retry?: () => void): void {
    this.failure = plainError(e);
    this.retry = retry ?? (() => this.setup());
  }

  private tryAgain(): void {
    this.failure = '';
    this.retry();
  }

  private onViewSelect = (e: CustomEvent<InboxViewSelectDetail>): void => {
    this.view = e.detail.view;
  };

  private onConversationSelect = async (e: CustomEvent<InboxConversationSelectDetail>): Promise<void> => {
    const id = e.detail.conversationId;
    this.conversationId = id;
    this.seek = e.detail.itemId ? { conversationId: id, itemId: e.detail.itemId } : null;
    if (await this.openConversation(id)) fire(this, 'inbox-conversation-open', { conversationId: id });
  };

  /** A click on a desktop notification (push-worker.js) opens its conversation here. */
  private onWorkerMessage = (e: MessageEvent): void => {
    const data = e.data as { type?: unknown; conversationId?: unknown } | null;
    if (!this.pushWorker || data?.type !== 'baton:open-conversation' || typeof data.conversationId !== 'string') return;
    fire(this, 'inbox-conversation-select', { conversationId: data.conversationId });
  };

  /** With `global-shortcuts`, keys pressed anywhere else on the page (focus on <body>, the host's own UI) count too. */
  private onPageKeydown = (e: KeyboardEvent): void => {
    if (this.globalShortcuts && !e.composedPath().includes(this)) this.onShortcut(e);
  };

  /**
   * Opens the shortcuts dialog (`?`): a modal `<dialog>`, so focus stays in it and Escape closes it.
   * Its content loads on first use; the dialog opens once it is there.
   */
  async openShortcuts(): Promise<void> {
    if (!this.shortcutsDialog || this.shortcutsDialog.open || this.shortcutsOpening) return;
    this.shortcutsOpening = true;
    this.focusBeforeDialog = deepActiveElement();
    try {
      if (!this.shortcuts) {
        const shortcuts = await loadShortcuts();
        addStyles(this, shortcuts.shortcutsStyles);
        this.shortcuts = shortcuts;
        await this.updateComplete;
      }
      this.shortcutsDialog?.showModal();
    } catch (e) {
      this.fail(e, () => void this.openShortcuts());
    } finally {
      this.shortcutsOpening = false;
    }
  }

  private onDialogClose = (): void => {
    const back = this.focusBeforeDialog;
    this.focusBeforeDialog = null;
    if (back?.isConnected) back.focus();
  };

  /** Loads the reply box and details pane once; false when that failed (each says so, with "Try again"). */
  private async loadParts(): Promise<boolean> {
    try {
      await loadConversationParts();
      this.partsLoaded = true;
      this.partsFailed = false;
      return true;
    } catch {
      this.partsFailed = true;
      return false;
    }
  }

  /** Reply (`r`) or Note (`n`): that tab of the reply box, focused, once it is there. */
  private async focusComposer(tab: 'reply' | 'note'): Promise<void> {
    if (!(await this.loadParts())) return;
    await this.updateComplete;
    await this.composer?.selectTab(tab);
  }

  /** "Assigned to" (`a`), opening the details drawer first where details are one. */
  private async focusAssignee(): Promise<void> {
    this.detailsOpen = true;
    if (!(await this.loadParts())) return;
    await this.updateComplete;
    await this.details?.updateComplete;
    this.details?.focusAssignee();
  }

  /** "Details": opens the drawer with focus in it ("Close details" first), or closes it. */
  private async toggleDetails(): Promise<void> {
    if (this.detailsOpen) return this.closeDetails();
    this.detailsOpen = true;
    await this.updateComplete;
    this.closeDetailsButton?.focus();
  }

  /** Closes the drawer; focus goes back to the "Details" button that opened it. */
  private async closeDetails(): Promise<void> {
    this.detailsOpen = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.details-toggle')?.focus();
  }

  /**
   * The toast went (undone, dismissed, timed out). Focus that was on its buttons goes to the open
   * conversation's row, not to <body>, where the shortcuts would stop.
   */
  private async closeUndo(): Promise<void> {
    const hadFocus = this.undoToast?.matches(':focus-within') ?? false;
    this.undoable = undefined;
    if (hadFocus) await this.focusListRow(this.conversationId);
  }

  /**
   * Focus that falls to the page because what held it went away (a button replaced after its
   * command, a row hidden as one column shows the conversation, a panel closed) comes back into the
   * inbox, where the shortcuts work (`rescueFocus` says where). Checked a frame later, once the
   * parts have rendered and any focus they move on purpose has moved; focus the agent took
   * elsewhere is left alone.
   */
  private onFocusOut = (e: FocusEvent): void => {
    const from = e.composedPath()[0];
    if (e.relatedTarget || !(from instanceof HTMLElement)) return;
    requestAnimationFrame(() => {
      const page = document.activeElement;
      if (!this.isConnected || !document.hasFocus() || (page && page !== document.body)) return;
      const gone = !from.isConnected || !from.checkVisibility() || from.matches(':disabled');
      if (!gone) return; // a click on a blank spot of the page: the agent's choice
      this.rescueFocus();
    });
  };

  /**
   * Where lost focus goes: the open conversation's row if it is listed and the list shows; else
   * the conversation's name if it shows (a conversation from outside the view: never another
   * contact's row); else the list's current row; else, the view empty, the current view's button.
   */
  private rescueFocus(): void {
    const list = this.list?.checkVisibility() ? this.list : undefined;
    if (list?.focusListedRow(this.conversationId)) return;
    if (this.conversationId && this.header?.checkVisibility()) return this.header.focusHeading();
    if (list && this.services?.store.getSnapshot().conversations.length) return list.focusRow(this.conversationId);
    this.viewNav?.focusCurrent();
  }

  /**
   * `z`: undoes, and the conversation it brings back (opened again) takes the list's focus from the
   * row the triage loop had moved it to.
   */
  private async undoFromKeyboard(toast: InboxUndoToast): Promise<void> {
    const id = toast.action!.conversationId;
    await toast.undo();
    if (this.conversationId === id && deepActiveElement()?.getAttribute('role') === 'option') await this.focusListRow(id);
  }

  /** Once the list has rendered what just changed, focus goes to a conversation's row. */
  private async focusListRow(conversationId: string): Promise<void> {
    await this.updateComplete;
    await this.list?.updateComplete;
    this.list?.focusRow(conversationId);
  }

  /** Narrow widths: back from the conversation to the list, focus on its row. */
  private async back(): Promise<void> {
    const id = this.conversationId;
    this.conversationId = '';
    this.detailsOpen = false;
    await this.focusListRow(id);
  }

  private onShortcut = (e: KeyboardEvent): void => {
    // Escape closes the details drawer (where details are one) from any of its fields too ("Assigned
    // to" is a text field); a field with something open of its own (a list) has taken the key first.
    const drawer = this.detailsOpen && this.closeDetailsButton?.checkVisibility() ? this.detailsPane : undefined;
    if (e.key === 'Escape' && drawer && !e.defaultPrevented && e.composedPath().includes(drawer)) {
      e.preventDefault();
      void this.closeDetails();
      return;
    }
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isEditable(e.composedPath()[0])) return;
    if (this.shortcutsDialog?.open || this.shortcutsOpening) return;
    switch (e.key) {
      case 'Escape':
        // The details drawer first; then, in one column, back to the list (the Back button shows only there).
        if (this.detailsOpen) void this.closeDetails();
        else if (this.backButton?.offsetParent) void this.back();
        else return;
        break;
      case '?':
        void this.openShortcuts();
        break;
      case 'i':
        void this.header?.assignToMe();
        break;
      case '/':
        this.searchBox?.focusInput();
        break;
      case 'j':
        void this.list?.move(1);
        break;
      case 'k':
        void this.list?.move(-1);
        break;
      case 'a':
        void this.focusAssignee();
        break;
      case 'n':
        void this.focusComposer('note');
        break;
      case 'r':
        void this.focusComposer('reply');
        break;
      case 'e':
        void this.header?.resolve();
        break;
      case 's':
        void this.header?.toggleSnooze();
        break;
      case 'z':
        if (!this.undoToast?.action) return;
        void this.undoFromKeyboard(this.undoToast);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  /**
   * Until the module of the reply box or details pane is there (another inbox on the page, or the
   * host, may have loaded it already): a skeleton, or why it failed with "Try again".
   */
  private renderPlaceholder(tag: 'inbox-composer' | 'inbox-details', what: string) {
    if (this.partsLoaded || customElements.get(tag)) return nothing;
    if (this.partsFailed) {
      return html`<p class="placeholder" role="alert">
        Can't load the ${what} right now. <button class="button" @click=${() => void this.loadParts()}>Try again</button>
      </p>`;
    }
    return html`<p class="placeholder" role="status"><span class="skeleton"></span><span class="visually-hidden">Loading ${what}…</span></p>`;
  }

  /**
   * With nothing open, the conversation column says so and how to go on; no header, composer or
   * details for a conversation that is not there (a disabled reply box invites typing into nothing).
   */
  private renderNothingOpen() {
    return html`<div class="nothing-open" part="nothing-open">
      <h2>No conversation open</h2>
      <p>Pick a conversation from the list.</p>
      <p class="hint"><kbd>j</kbd> <kbd>k</kbd> move through the list · <kbd>?</kbd> all shortcuts</p>
    </div>`;
  }

  override render() {
    // tabindex -1: a click on a non-focusable spot puts focus in the inbox, so its shortcuts work.
    return html`<div part="base" tabindex="-1" class=${this.conversationId ? 'has-open' : ''}>
      <div class="banners">
        <p part="connection" role="status">${this.reconnecting ? 'Reconnecting…' : ''}</p>
        ${this.failure
          ? html`<p part="error" role="alert">${this.failure} <button class="button" @click=${() => this.tryAgain()}>Try again</button></p>`
          : nothing}
      </div>
      <section part="sidebar" aria-label="Inbox">
        <div class="toolbar">
          <inbox-search part="search" aria-keyshortcuts="/"></inbox-search>
          <inbox-notification-bell part="notifications" .pushWorker=${this.pushWorker}></inbox-notification-bell>
          <inbox-availability-switch part="availability"></inbox-availability-switch>
        </div>
        <div class="sidebar-scroll">
          <inbox-view-nav part="views"></inbox-view-nav>
          <inbox-conversation-list part="list" ?stalled=${!!this.failure}></inbox-conversation-list>
          <button class="shortcuts-button" aria-keyshortcuts="?" aria-haspopup="dialog" @click=${() => void this.openShortcuts()}>Keyboard shortcuts</button>
        </div>
      </section>
      <section part="conversation" aria-label="Conversation">
        ${this.conversationId
          ? html`<div class="pane-bar">
                <button class="button back" aria-keyshortcuts="Escape" @click=${() => this.back()}>Back to conversations</button>
                <button class="button details-toggle" aria-expanded=${this.detailsOpen ? 'true' : 'false'} aria-controls="details" @click=${() => this.toggleDetails()}>
                  Details
                </button>
              </div>
              <inbox-conversation-header part="header"></inbox-conversation-header>
              <inbox-timeline part="timeline" .seek=${this.seek}></inbox-timeline>
              <inbox-composer part="composer"></inbox-composer>
              ${this.renderPlaceholder('inbox-composer', 'reply box')}`
          : this.renderNothingOpen()}
      </section>
      <aside part="details" id="details" aria-label="Details" class=${this.detailsOpen ? 'drawer-open' : ''}>
        ${this.conversationId
          ? html`<button class="button close-details" @click=${() => this.closeDetails()}>Close details</button>
              <inbox-details .workflowHref=${this.workflowHref}></inbox-details>
              ${this.renderPlaceholder('inbox-details', 'details')}`
          : nothing}
      </aside>
      ${this.undoable
        ? html`<inbox-undo-toast part="undo" .action=${this.undoable} @close=${() => void this.closeUndo()}></inbox-undo-toast>`
        : nothing}
      ${this.announcer.render()}
      <dialog class="shortcuts" part="shortcuts" aria-labelledby="shortcuts-title" @close=${this.onDialogClose}>${this.shortcuts?.renderShortcuts()}</dialog>
    </div>`;
  }
}
