import { css, html, nothing } from 'lit';
import { ref } from 'lit/directives/ref.js';
import type { AgentWithLoad, InboxRestClient } from '@baton/client';
import type { Conversation, NotificationChannel, NotificationPreferences, Notification, PreferenceType } from '@baton/protocol';
import { absoluteTime, relativeTime } from '@baton/ui/relative-time';
import type { DesktopState } from '../desktop-notifications/push-subscription.js';
import { plainError } from '../format/plain-error.js';
import { notificationText } from './notification-text.js';

/**
 * The bell's open panel: the notifications, "Mark all as read" and the desktop switch. Loaded with
 * `import()` the first time the bell opens (the bell and its count are in the first paint); the
 * bell keeps the state (open, desktop) and the keyboard, this only draws it and runs the switch.
 */

const KIND_WORDS: Record<Notification['type'], string> = { assigned: 'assignment', mentioned: 'mention', reopened: 'reopen', queued_timeout: 'queue alert' };

/**
 * What a group holds besides its newest notification, which its line says: "(+2 earlier: 1
 * assignment, 1 mention)", so the bell's count (every unread notification) adds up with the lines.
 */
export function earlierText(group: readonly Notification[]): string {
  const counts = new Map<Notification['type'], number>();
  for (const n of group.slice(1)) counts.set(n.type, (counts.get(n.type) ?? 0) + 1);
  const kinds = [...counts].map(([type, k]) => `${k} ${KIND_WORDS[type]}${k > 1 ? 's' : ''}`);
  return kinds.length ? ` (+${group.length - 1} earlier: ${kinds.join(', ')})` : '';
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

/** At most this many conversation reads at once for the panel's context. */
const CONTEXT_READS_AT_ONCE = 4;

/**
 * The conversations of notifications the inbox does not hold (not in the current view's list, not
 * open), read from the server while the panel is open, so "Ben mentioned you on Priya Patel" names
 * the contact and shows the snippet wherever the conversation is: a mention is usually about a
 * conversation outside the agent's Mine. One read per conversation and per newest notification
 * (a new one reads it again, for its new snippet), a few at a time; one that cannot be read is
 * not asked again and keeps saying "a conversation".
 */
export class NotificationConversations {
  private readonly read = new Map<string, Conversation>();
  /** Per conversation, the newest notification id it was read (or asked) for. */
  private readonly askedFor = new Map<string, string>();
  private readonly queue: string[] = [];
  private running = 0;
  /**
   * The panel's "Notification settings" view. It lives here, in the lazy chunk, because the bell
   * (in the first paint) already makes one of these when the panel loads: it needs no state of its own.
   */
  readonly settings: NotificationSettings;

  constructor(
    private readonly rest: () => InboxRestClient | undefined,
    private readonly changed: () => void,
  ) {
    this.settings = new NotificationSettings(rest, changed);
  }

  /** What the inbox holds, plus what was read here, starting reads for the groups neither has. */
  context(groups: readonly Notification[][], known: ReadonlyMap<string, Conversation>): ReadonlyMap<string, Conversation> {
    if (!this.rest()) return known;
    const merged = new Map(this.read);
    for (const [id, c] of known) merged.set(id, c);
    for (const group of groups) {
      const id = group[0]!.conversationId;
      if (known.has(id) || this.askedFor.get(id) === group[0]!.id) continue;
      this.askedFor.set(id, group[0]!.id);
      this.queue.push(id);
    }
    this.pump();
    return merged;
  }

  private pump(): void {
    const rest = this.rest();
    while (rest && this.running < CONTEXT_READS_AT_ONCE && this.queue.length) {
      const id = this.queue.shift()!;
      this.running++;
      rest.getConversation(id).then(
        ({ conversation }) => {
          this.read.set(id, conversation);
          this.changed();
        },
        () => undefined,
      ).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }
}

/** The matrix's rows and columns, in the order and words the settings table shows. */
const SETTING_TYPES: readonly (readonly [PreferenceType, string, string])[] = [
  ['assigned', 'Assigned to me', 'when assigned to me'],
  ['mentioned', 'Mentioned', 'when mentioned'],
  ['reopened', 'Reopened', 'when reopened'],
];
const SETTING_CHANNELS: readonly (readonly [NotificationChannel, string])[] = [
  ['inapp', 'In Baton'],
  ['email', 'Email'],
  ['push', 'Desktop'],
];

interface SettingChange {
  type: PreferenceType;
  channel: NotificationChannel;
  on: boolean;
}

/**
 * The agent's notification preferences (type × channel), read when the settings view opens. Each
 * change shows at once and is saved at once (a partial body), one save after another in the order
 * of the clicks, so no click is lost while another is in flight; one that fails goes back to what
 * the server holds, and says why.
 */
export class NotificationSettings {
  /** The settings view is showing (instead of the notifications). */
  open = false;
  /** What the server last said; null until the first read answers. */
  saved: NotificationPreferences | null = null;
  loadError = '';
  saveError = '';
  /** Clicks not yet saved, oldest first: what is shown is the server's matrix with these on top. */
  private readonly pending: SettingChange[] = [];
  private saving: Promise<void> = Promise.resolve();
  /** Where focus goes once the next render has drawn it. */
  private focus: 'settings' | 'toggle' | null = null;
  private loads = 0;

  constructor(
    private readonly rest: () => InboxRestClient | undefined,
    private readonly changed: () => void,
  ) {}

  /** The matrix as shown: the server's, with the clicks still being saved. */
  shown(): NotificationPreferences | null {
    if (!this.saved) return null;
    const m = structuredClone(this.saved);
    for (const c of this.pending) m[c.type][c.channel] = c.on;
    return m;
  }

  show(open: boolean): void {
    this.open = open;
    this.focus = open ? 'settings' : 'toggle';
    if (open) this.load();
    this.changed();
  }

  // Ref callbacks, one per object (a new one each render would be called again each render).

  /** The heading: focused on opening until the table is there; leaving the page means the panel closed. */
  readonly heading = (el?: Element): void => {
    // The bell draws no settings while closed (Escape, a click outside): it opens on the notifications next time.
    if (!el && this.open) {
      this.open = false;
      this.focus = null;
    }
    if (el && this.focus === 'settings' && !this.saved) focusSoon(el);
  };

  /** The first checkbox: focused on opening, or once loaded if focus is still on the heading. */
  readonly firstBox = (el?: Element): void => {
    if (!el || this.focus !== 'settings') return;
    this.focus = null;
    // Not if the agent has moved on while it loaded (to "Back", say).
    focusSoon(el, () => {
      const active = (el.getRootNode() as ShadowRoot).activeElement;
      return !active || active.localName === 'h2';
    });
  };

  /** The "Notification settings" button, focused on the way back. */
  readonly toggle = (el?: Element): void => {
    if (!el || this.focus !== 'toggle') return;
    this.focus = null;
    focusSoon(el);
  };

  load(): void {
    const rest = this.rest();
    const load = ++this.loads;
    this.loadError = '';
    if (!rest) {
      this.loadError = "Can't reach Baton right now. Check your connection and try again.";
      return;
    }
    rest.getPreferences().then(
      ({ preferences }) => {
        if (load !== this.loads) return;
        this.saved = preferences;
        this.changed();
      },
      (e: unknown) => {
        if (load !== this.loads) return;
        this.loadError = `Could not load your notification settings. ${plainError(e)}`;
        this.changed();
      },
    );
  }

  set(type: PreferenceType, channel: NotificationChannel, on: boolean): void {
    const change: SettingChange = { type, channel, on };
    this.pending.push(change);
    this.saveError = '';
    this.changed();
    this.saving = this.saving.then(async () => {
      try {
        const rest = this.rest();
        if (!rest) throw new TypeError('offline');
        const { preferences } = await rest.updatePreferences({ [type]: { [channel]: on } });
        this.saved = preferences;
      } catch (e) {
        this.saveError = `Could not save that change. ${plainError(e)}`;
      }
      this.pending.splice(this.pending.indexOf(change), 1);
      this.changed();
    });
  }
}

export type DesktopAction = 'check' | 'enable' | 'disable';

/** The desktop switch's next state, loading the Web Push module (a chunk of its own) on first use. */
export async function runDesktopAction(
  action: DesktopAction,
  before: DesktopState | 'working' | null,
  rest: InboxRestClient | undefined,
  pushWorker: string,
): Promise<{ desktop: DesktopState | 'working' | null; error: string }> {
  try {
    const push = await import('../desktop-notifications/push-subscription.js');
    if (action === 'check') return { desktop: await push.desktopState(pushWorker), error: '' };
    if (!rest) return { desktop: before, error: '' };
    return { desktop: action === 'enable' ? await push.enableDesktop(rest, pushWorker) : await push.disableDesktop(rest, pushWorker), error: '' };
  } catch (error) {
    return {
      desktop: before === null || before === 'working' ? 'off' : before,
      error:
        action === 'check'
          ? ''
          : `Could not turn desktop notifications ${action === 'enable' ? 'on' : 'off'}: ${error instanceof Error ? error.message : String(error)}. Try again.`,
    };
  }
}

export interface NotificationPanelView {
  items: readonly Notification[];
  unread: number;
  agents: readonly AgentWithLoad[];
  /** Conversations the inbox holds (the list, the open one), for the contact and the snippet. */
  known: ReadonlyMap<string, Conversation>;
  /** Reads the others' conversations (none without one: the panel then says "a conversation"). */
  others?: NotificationConversations;
  contactName(contactId: string): string | undefined;
  now: number;
  pushWorker: string;
  desktop: DesktopState | 'working' | null;
  desktopError: string;
  /** Marks these notifications read (`'all'`: every one of the agent's). */
  markRead(ids: string[] | 'all'): void;
  /** Opens the conversation (a mention at its note), closing the panel. */
  open(conversationId: string, itemId?: string): void;
  desktopAction(action: DesktopAction): void;
}

/** Focuses `el` once the render that drew it is in the page (a ref is set before that). */
function focusSoon(el: Element, when = () => true): void {
  queueMicrotask(() => when() && (el as HTMLElement).focus());
}

function renderFooter(v: NotificationPanelView) {
  const s = v.others?.settings;
  return html`<footer>
    ${s
      ? html`<button
          class="link"
          ${ref(s.toggle)}
          @click=${() => s.show(true)}
        >
          Notification settings
        </button>`
      : nothing}
    ${renderDesktop(v)}
  </footer>`;
}

function renderDesktop(v: NotificationPanelView) {
  const d = v.desktop;
  if (!v.pushWorker || d === null || d === 'unsupported') return nothing;
  return html`${d === 'on'
      ? html`<span>Desktop notifications are on</span><button class="link" @click=${() => v.desktopAction('disable')}>Turn off</button>`
      : d === 'blocked'
        ? html`<span>Desktop notifications are blocked in this browser's site settings</span>`
        : html`<button class="link" ?disabled=${d === 'working'} @click=${() => v.desktopAction('enable')}>
            ${d === 'working' ? 'Working…' : 'Enable desktop notifications'}
          </button>`}
    <p role="status" class="error">${v.desktopError}</p>`;
}

/** The panel's content, rendered inside the bell's `part="panel"` section. */
export function renderNotificationPanel(v: NotificationPanelView) {
  const s = v.others?.settings;
  if (s?.open) return renderSettings(s);
  return html`<header>
      <h2 id="heading">Notifications</h2>
      ${v.unread > 0 ? html`<button class="link" @click=${() => v.markRead('all')}>Mark all as read</button>` : nothing}
    </header>
    ${v.items.length === 0 ? html`<p class="empty">No notifications yet</p>` : renderGroups(v)}
    ${renderFooter(v)}`;
}

function renderSettings(s: NotificationSettings) {
  const m = s.shown();
  return html`<header>
      <h2 id="heading" tabindex="-1" ${ref(s.heading)}>Notification settings</h2>
    </header>
    <div class="settings">
      ${m
        ? html`<table>
            <thead>
              <tr>
                <td></td>
                ${SETTING_CHANNELS.map(([, words]) => html`<th scope="col">${words}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${SETTING_TYPES.map(
                ([type, words, when], row) => html`<tr>
                  <th scope="row">${words}</th>
                  ${SETTING_CHANNELS.map(
                    ([channel, channelWords], column) => html`<td>
                      <input
                        type="checkbox"
                        aria-label="${channelWords} ${when}"
                        .checked=${m[type][channel]}
                        ${row === 0 && column === 0 ? ref(s.firstBox) : nothing}
                        @change=${(e: Event) => s.set(type, channel, (e.target as HTMLInputElement).checked)}
                      />
                    </td>`,
                  )}
                </tr>`,
              )}
            </tbody>
          </table>`
        : s.loadError
          ? html`<p class="error" role="alert">${s.loadError}</p>
              <button class="link" @click=${() => s.load()}>Try again</button>`
          : html`<p role="status">Loading…</p>`}
      <p class="hint">Emails go to your address in Baton, only for what you have not seen here within 2 minutes.</p>
      <p class="error" role="alert">${s.saveError}</p>
    </div>
    <footer>
      <button class="link" @click=${() => s.show(false)}>Back to notifications</button>
    </footer>`;
}

/** A conversation's group picked: its unread notifications marked read, the conversation opened. */
function pick(v: NotificationPanelView, group: Notification[]): void {
  const unread = group.filter((n) => n.readAt === null).map((n) => n.id);
  if (unread.length) v.markRead(unread);
  v.open(group[0]!.conversationId, group[0]!.note?.id);
}

function renderGroups(v: NotificationPanelView) {
  const groups = groupByConversation(v.items);
  const known = v.others ? v.others.context(groups, v.known) : v.known;
  return html`<ul>
          ${groups.map((group) => {
            const n = group[0]!;
            const c = known.get(n.conversationId);
            const unreadHere = group.some((x) => x.readAt === null);
            const contact = c ? v.contactName(c.contactId) : undefined;
            return html`<li>
              <button class="item ${unreadHere ? 'unread' : ''}" @click=${() => pick(v, group)}>
                ${unreadHere ? html`<span class="dot" aria-hidden="true"></span>` : html`<span></span>`}
                <span class="text"
                  >${unreadHere ? html`<span class="visually-hidden">Unread:</span>` : nothing}${notificationText(n, v.agents, contact)}${earlierText(group)}${renderSnippet(n, c)}</span
                >
                <time datetime=${n.createdAt} title=${absoluteTime(n.createdAt)}>${relativeTime(n.createdAt, v.now)}</time>
              </button>
            </li>`;
          })}
        </ul>`;
}

/**
 * Under the sentence: a mention's own note (what the reader was asked), else the conversation's
 * latest message. The store's `preview` is never a note, so a mention needs the notification's.
 */
function renderSnippet(n: Notification, c: Conversation | undefined) {
  if (n.note) return html`<span class="snippet note"> <span class="label">Note:</span> ${n.note.excerpt}</span>`;
  return c?.preview ? html`<span class="snippet"> ${c.preview.slice(0, 80)}</span>` : nothing;
}

/** Added to the bell's shadow root when this module loads. Tokens come from the inbox (no fallbacks). */
export const notificationPanelStyles = css`
  header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    padding: 8px 12px;
    border-bottom: 1px solid var(--baton-color-border);
  }
  h2 {
    margin: 0;
    font-size: 14px;
  }
  .link {
    border: 0;
    background: none;
    color: var(--baton-accent);
    cursor: pointer;
    padding: 2px 4px;
    min-height: 24px;
  }
  ul {
    margin: 0;
    padding: 4px;
    list-style: none;
  }
  .item {
    display: grid;
    grid-template-columns: 10px 1fr auto;
    gap: 8px;
    align-items: center;
    width: 100%;
    padding: 8px;
    border: 0;
    border-radius: var(--baton-radius-small);
    background: transparent;
    text-align: start;
    cursor: pointer;
  }
  .item:hover {
    background: var(--baton-color-hover);
  }
  .text {
    min-width: 0;
    /* A name of one long word wraps, instead of running over the time beside it. */
    overflow-wrap: anywhere;
  }
  .item.unread .text {
    font-weight: 600;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--baton-unread);
  }
  time {
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .empty {
    padding: 12px;
    color: var(--baton-color-text-muted);
  }
  footer {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 4px 8px;
    padding: 8px 12px;
    border-top: 1px solid var(--baton-color-border);
    font-size: var(--baton-font-size-small);
  }
  footer .error {
    flex-basis: 100%;
    margin: 0;
    color: var(--baton-color-danger);
  }
  footer .error:empty {
    display: none;
  }
  .settings {
    padding: 8px 12px;
  }
  .settings table {
    border-collapse: collapse;
    width: 100%;
  }
  .settings th,
  .settings td {
    padding: 2px 4px;
    text-align: center;
    font-weight: 400;
  }
  .settings thead th {
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
  }
  .settings th[scope='row'] {
    text-align: start;
  }
  .settings input {
    width: 24px;
    height: 24px;
    margin: 0;
    cursor: pointer;
  }
  .settings p {
    margin: 8px 0 0;
  }
  .hint {
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .settings .error {
    color: var(--baton-color-danger);
  }
  .snippet {
    display: block;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--baton-color-text-muted);
  }
  /* A note is what the reader was asked: two lines of it, on the notes' own colour. */
  .snippet.note {
    display: -webkit-box;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: 2;
    white-space: normal;
    margin-top: 2px;
    padding: 2px 6px;
    border-radius: var(--baton-radius-small);
    background: var(--baton-note-bg);
    color: var(--baton-color-text);
    font-weight: 400;
  }
  .snippet.note .label {
    font-weight: 600;
    color: var(--baton-note-label);
  }
`;
