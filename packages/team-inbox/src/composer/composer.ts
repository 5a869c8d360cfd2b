import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { consume } from '@lit/context';
import { query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { BatonApiError, type BatonRealtime, type InboxRestClient, type InboxStore } from '@baton/client';
import type { Agent, TimelineItem } from '@baton/protocol';
import { storeContext } from '@baton/ui/contexts/store';
import { realtimeContext } from '@baton/ui/contexts/realtime';
import { restContext } from '@baton/ui/contexts/rest';
import { currentAgentContext } from '@baton/ui/contexts/current-agent';
import { baseStyles, controlStyles } from '@baton/ui/tokens';
import { channelName, icon } from '@baton/ui/icons';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import type { MentionController } from './mention-controller.js';
import { composerStyles } from './composer.styles.js';
import { plainError } from '../format/plain-error.js';
import { fire } from '../events.js';
import { updateWithLoads } from '../controllers/lazy-part.js';
import { draftKey, type DraftTab } from './drafts.js';
import { readDraft, saveDraft } from './draft-storage.js';
import type { SavedReplyController } from '../saved-replies/saved-reply-picker.js';

export type ComposerTab = DraftTab;

/** The latest reply to the customer in a timeline, by anyone: its seq and author's id (0 when none). */
function latestReply(items: readonly TimelineItem[] = []): { seq: number; authorId: string | null } {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.kind === 'message' && item.direction === 'outbound') return { seq: item.seq, authorId: item.author.id };
  }
  return { seq: 0, authorId: null };
}

/** Typing signals at most this often; the server lets one lapse after a few seconds. */
const TYPING_THROTTLE_MS = 2500;

/**
 * Reply to the customer (on the conversation's channel) or write an internal Note. In Note,
 * `@` opens the teammate picker. The button says "Send" for replies and "Save" for notes;
 * Ctrl/⌘+Enter does the same. Typing tells teammates (presence) so they see "… is typing a reply".
 */
export class InboxComposer extends LitElement {
  static override styles = [baseStyles, controlStyles, composerStyles];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  @consume({ context: realtimeContext, subscribe: true })
  @state()
  private realtime?: BatonRealtime;

  @consume({ context: restContext, subscribe: true })
  @state()
  private rest?: InboxRestClient;

  @consume({ context: currentAgentContext, subscribe: true })
  @state()
  private me?: Agent;

  @state() private tab: ComposerTab = 'reply';
  @state() private text = '';
  @state() private sending = false;
  @state() private error = '';
  /** "Manage saved replies" (admins): the dialog, loaded when first opened. */
  @state() private managing = false;
  /** The `/` saved-reply picker, loaded on the first `/` typed at the start of the box. */
  private saved: SavedReplyController | undefined;
  /** The `@` teammate picker, loaded when the Note tab first shows (replies have no mentions). */
  private mentions: MentionController | undefined;
  private mentionsLoading: Promise<void> | undefined;

  @query('textarea') private field!: HTMLTextAreaElement;

  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({
    /** Set the moment a conversation is opened, before it has loaded. */
    openId: s.open?.id ?? '',
    conversation: s.open?.conversation ?? null,
    agents: s.agents,
    loading: s.open?.loading ?? true,
  }));
  /**
   * The latest reply in the timeline when this reply was begun: read when the conversation has
   * loaded (a draft may be waiting in the box) and again at the first keystroke into an empty Reply
   * box. The timeline is read from the store then, not followed, so a new message re-renders nothing
   * here. A teammate's reply after it means they answered the customer first: Send then stops once
   * and says so, as Front's collision check does, rather than sending a second answer unseen.
   */
  private repliesSeen: number | undefined;
  /** The conversation `repliesSeen` is for: kept across Reply ↔ Note, so a look at Note does not reset it. */
  private repliesFor = '';
  /** "Ben Okafor replied while you were writing.", with "Send anyway" (and whether it also resolves). */
  @state() private collision: { said: string; andResolve: boolean } | null = null;
  private lastTypingAt = 0;
  private lastTypingKind: 'reply' | 'note' = 'reply';
  /** Where the box's text is kept (./drafts.ts): per conversation and tab, so switching does not lose it. */
  private draftKey = '';
  /** The conversation the tab was chosen for. */
  private tabFor = '';
  /** The conversation `selectTab` was asked to focus the box for, until the box can take focus. */
  private focusFor = '';

  private draftKeyOf(conversationId: string, tab: ComposerTab): string {
    return draftKey(this.me?.id ?? '', conversationId, tab);
  }

  /** Switches tab and puts the caret in the box (the `n` and `r` shortcuts). */
  async selectTab(tab: ComposerTab): Promise<void> {
    this.tab = tab;
    // The agent's own choice for the conversation open now (`n` pressed as it opens, before this
    // element's first update): the choice made on open does not undo it.
    this.tabFor = this.store?.getSnapshot().open?.id ?? this.tabFor;
    // The box is drawn: focus it without waiting for the `@` picker's module to arrive. While the
    // conversation is still loading the box is disabled; it takes focus when it arrives.
    this.focusFor = this.tabFor;
    await super.getUpdateComplete();
    this.takeFocus();
  }

  /** Focuses the box if `selectTab` asked for it for the conversation open now and it can take it. */
  private takeFocus(): void {
    if (!this.focusFor || !this.field || this.field.disabled) return;
    if (this.focusFor === this.tabFor) this.field.focus();
    this.focusFor = '';
  }

  protected override updated(): void {
    this.takeFocus();
  }

  protected override willUpdate(changed: PropertyValues): void {
    // Typed text goes under the key it was typed for, even when the tab switches in the same update.
    if (changed.has('text')) saveDraft(this.draftKey, this.text);
    const openId = this.snapshot.value?.openId ?? '';
    if (openId && openId !== this.tabFor) {
      // Each conversation opens on Reply, as Front and Intercom do: a Note tab carried over from the
      // last conversation (after a note, then resolve and on to the next) would hide that the box
      // now writes somewhere else. Only a note left half-written there, and no reply, opens Note.
      // Chosen on open, not on load, so an `n` pressed while it loads is not undone.
      this.tabFor = openId;
      this.tab = !readDraft(this.draftKeyOf(openId, 'reply')) && readDraft(this.draftKeyOf(openId, 'note')) ? 'note' : 'reply';
    }
    const key = this.draftKeyOf(openId, this.tab);
    if (key !== this.draftKey) {
      this.text = readDraft(key);
      this.draftKey = key;
      this.error = '';
      this.mentions?.close();
      this.collision = null; // it offers to send a reply: not from the Note tab
    }
    if (openId !== this.repliesFor) {
      this.repliesFor = openId;
      this.repliesSeen = undefined;
    }
    if (this.repliesSeen === undefined && this.snapshot.value?.loading === false) this.repliesSeen = this.latestReply().seq;
    if (this.tab === 'note') void this.loadMentions();
  }

  private loadMentions(): Promise<void> {
    return (this.mentionsLoading ??= import('./mention-controller.js').then(
      ({ MentionController }) => {
        // Deactivated teammates are not offered: an @mention of one stays plain text on the server too.
        this.mentions = new MentionController(this, () => (this.snapshot.value?.agents ?? []).filter((a) => a.active && a.id !== this.me?.id));
      },
      () => void (this.mentionsLoading = undefined), // the next update in Note tries again
    ));
  }

  /** Resolves once the `@` picker is here too while it is loading, so "rendered" means what it says. */
  protected override getUpdateComplete(): Promise<boolean> {
    return updateWithLoads(() => super.getUpdateComplete(), () => (this.mentions ? undefined : this.mentionsLoading));
  }

  /** In Note, re-reads `@name` before the caret (once the picker is loaded, if `@` came first). */
  private syncMentions(): void {
    if (this.tab !== 'note') return;
    if (this.mentions) return this.mentions.sync(this.field);
    const field = this.field;
    void this.loadMentions().then(() => this.tab === 'note' && field.isConnected && this.mentions?.sync(field));
  }

  private latestReply() {
    return latestReply(this.store?.getSnapshot().open?.timeline);
  }

  private onInput(): void {
    // The reply begins now (typed while the timeline still loads, the mark is read once it has).
    if (this.tab === 'reply' && this.text.trim() === '' && this.snapshot.value?.loading === false) this.repliesSeen = this.latestReply().seq;
    this.text = this.field.value;
    this.syncMentions();
    this.syncSaved();
    this.signalTyping();
  }

  private syncSaved(): void {
    const field = this.field;
    const id = this.snapshot.value?.conversation?.id;
    if (!id) return;
    if (this.saved) return this.saved.sync(field, id);
    if (!field.value.startsWith('/')) return;
    void import('../saved-replies/saved-reply-picker.js').then(({ SavedReplyController }) => {
      this.saved ??= new SavedReplyController(this, () => this.rest);
      if (field.isConnected) this.saved.sync(field, id);
    });
  }

  private async openManage(): Promise<void> {
    await import('../saved-replies/saved-replies-dialog.js');
    this.managing = true;
  }

  private async closeManage(): Promise<void> {
    this.managing = false;
    this.saved?.reset();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.manage')?.focus();
  }

  private signalTyping(): void {
    const id = this.snapshot.value?.conversation?.id;
    const now = Date.now();
    // A switch between Reply and Note is said at once ("Ana is typing a note"), not after the throttle.
    const kind = this.tab === 'note' ? 'note' : 'reply';
    if (!id || !this.realtime || (now - this.lastTypingAt < TYPING_THROTTLE_MS && kind === this.lastTypingKind)) return;
    this.lastTypingAt = now;
    this.lastTypingKind = kind;
    this.realtime.typing(id, kind).catch(() => undefined); // a lost typing hint is harmless
  }

  private onKeydown(e: KeyboardEvent): void {
    if (this.saved?.handleKeydown(e, this.field)) return;
    if (this.tab === 'note' && this.mentions?.handleKeydown(e, this.field)) return;
    // Escape leaves the box for its tab, where the inbox's shortcuts (j, n, e…) work again; the text stays.
    if (e.key === 'Escape') this.renderRoot.querySelector<HTMLElement>('[aria-selected=true]')?.focus();
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void this.submit(e.shiftKey);
    }
  }

  private onTabKeydown(e: KeyboardEvent): void {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next: ComposerTab = this.tab === 'reply' ? 'note' : 'reply';
    this.tab = next;
    void super.getUpdateComplete().then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${next}`)?.focus());
  }

  /**
   * Send (or Save a note). `andResolve` ("Send and resolve", Ctrl/⌘+Shift+Enter; replies only):
   * the reply first, then "Mark as Resolved" as the header does it, firing `inbox-resolve`, so the
   * triage loop moves on and Undo is offered. A resolve that fails after the reply went says so.
   */
  private async submit(andResolve = false): Promise<void> {
    const c = this.snapshot.value?.conversation;
    const body = this.text.trim();
    if (!c || !this.store || !body || this.sending) return;
    const note = this.tab === 'note';
    // "Send anyway" sends without the check; otherwise the server checks too (`seenSeq`), under the
    // conversation's lock, which catches a reply that crossed this one on its way.
    const anyway = this.collision !== null;
    const seenSeq = note || anyway ? undefined : (this.repliesSeen ?? this.latestReply().seq);
    if (seenSeq !== undefined) {
      const theirs = this.latestReply();
      if (theirs.seq > seenSeq && theirs.authorId !== this.me?.id) return this.collide(theirs.authorId, andResolve);
    }
    this.collision = null;
    // Send disables itself while sending and stays disabled once the box is empty: the focus it held
    // would fall to the page, so it goes back to the box.
    const hadFocus = this.shadowRoot?.activeElement != null;
    this.sending = true;
    this.error = '';
    let sent = false;
    try {
      if (note) await this.store.note(c.id, body);
      else await this.store.reply(c.id, body, seenSeq === undefined ? {} : { seenSeq });
      sent = true;
      this.text = '';
      this.mentions?.close();
      if (andResolve && !note) {
        await this.store.resolve(c.id);
        fire(this, 'inbox-resolve', { conversationId: c.id });
      }
    } catch (e) {
      const author = e instanceof BatonApiError && e.code === 'replied_meanwhile' ? (e.details as { author?: { id?: string | null } } | undefined)?.author : undefined;
      if (author) this.collide(author.id ?? null, andResolve);
      else this.error = sent ? `Sent, but not resolved: ${plainError(e)}` : plainError(e);
    } finally {
      this.sending = false;
    }
    if (hadFocus) await this.refocusIfLost();
  }

  /** Stops a reply once: a teammate (or the host, `null`) answered the customer after it was begun. */
  private collide(authorId: string | null, andResolve: boolean): void {
    const who = this.snapshot.value?.agents.find((a) => a.id === authorId)?.name ?? 'Someone';
    this.collision = { said: `${who} replied while you were writing.`, andResolve };
  }

  /**
   * Focus back in the box when it is on a disabled button here (which the browser then drops to the
   * page) or has already fallen to the page; never taken from elsewhere.
   */
  private async refocusIfLost(): Promise<void> {
    await this.updateComplete;
    const here = this.shadowRoot?.activeElement as HTMLButtonElement | null | undefined;
    const page = document.activeElement;
    if (here?.disabled || page === null || page === document.body) this.field?.focus();
  }

  override render() {
    const c = this.snapshot.value?.conversation ?? null;
    const note = this.tab === 'note';
    const label = note ? 'Note' : `Reply by ${c ? channelName(c.channel) : 'message'}`;
    const saved = this.saved?.open === true;
    const mentioning = this.mentions?.open === true;
    const popup = saved ? 'saved-replies' : mentioning ? 'mentions' : undefined;
    const activeId = saved ? this.saved!.activeId : mentioning ? this.mentions!.activeId : undefined;
    // Full size on a phone (composer.styles.ts) whenever there is something to see besides an empty box.
    const drafting = this.text !== '' || this.error !== '' || this.collision !== null || this.managing;
    return html`<div part="base" class="${note ? 'note' : 'reply'}${drafting ? ' drafting' : ''}">
      <div role="tablist" aria-label="Compose" @keydown=${this.onTabKeydown}>
        <button role="tab" id="tab-reply" aria-selected=${!note ? 'true' : 'false'} aria-controls="panel" tabindex=${note ? -1 : 0}
          aria-keyshortcuts="r" @click=${() => this.selectTab('reply')}>
          Reply${c ? html` <span class="channel">(${channelName(c.channel)})</span>` : nothing}
        </button>
        <button role="tab" id="tab-note" aria-selected=${note ? 'true' : 'false'} aria-controls="panel" tabindex=${note ? 0 : -1}
          aria-keyshortcuts="n" @click=${() => this.selectTab('note')}>
          ${icon('note', 14)} Note
        </button>
      </div>
      <div id="panel" role="tabpanel" aria-labelledby=${note ? 'tab-note' : 'tab-reply'}>
        ${saved ? this.saved!.render(() => this.field) : nothing}
        ${mentioning ? this.mentions!.render(() => this.field) : nothing}
        <textarea
          aria-label=${label}
          placeholder=${note ? 'Internal note — @ to mention a teammate. Not visible to the customer.' : `Reply to the customer by ${c ? channelName(c.channel) : 'message'}`}
          .value=${live(this.text)}
          ?disabled=${!c}
          aria-controls=${popup ?? nothing}
          aria-autocomplete="list"
          aria-activedescendant=${activeId ?? nothing}
          @input=${this.onInput}
          @keydown=${this.onKeydown}
          @click=${() => this.syncMentions()}
          @blur=${() => {
            this.mentions?.close();
            this.saved?.close();
          }}
        ></textarea>
        <div class="row">
          <span class="hint"
            >${note
              ? 'Only your team sees notes'
              : html`${c?.status === 'resolved' ? 'Resolved: sending reopens it. ' : ''}<span class="keys">Ctrl+Enter to send, </span>/ for saved replies`}</span
          >
          ${this.me?.role === 'admin'
            ? html`<button class="button manage" aria-haspopup="dialog" @click=${() => this.openManage()}>Manage saved replies</button>`
            : nothing}
          ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
          ${this.collision
            ? html`<span class="error" role="alert"
                >${this.collision.said}
                <button class="button" @click=${() => this.submit(this.collision!.andResolve)}>Send anyway</button></span
              >`
            : nothing}
          <span class="send">
            ${note
              ? nothing
              : html`<button class="button" aria-keyshortcuts="Control+Shift+Enter" ?disabled=${!c || this.sending || this.text.trim() === ''} @click=${() => this.submit(true)}>
                  Send and resolve
                </button>`}
            <button part="submit" ?disabled=${!c || this.sending || this.text.trim() === ''} @click=${() => this.submit()}>
              ${note ? 'Save' : 'Send'}
            </button>
          </span>
        </div>
      </div>
      ${this.managing ? html`<inbox-saved-replies-dialog @close=${() => this.closeManage()}></inbox-saved-replies-dialog>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'inbox-composer': InboxComposer;
  }
}

// Its own define module: <team-inbox> loads it with import() when a conversation first opens.
if (!customElements.get('inbox-composer')) customElements.define('inbox-composer', InboxComposer);
