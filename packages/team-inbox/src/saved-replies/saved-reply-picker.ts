import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { InboxRestClient } from '@baton/client';
import type { SavedReply } from '@baton/protocol';
import { pickerKeydown } from '../composer/picker-keys.js';

/** `/` at the very start of the composer, then what has been typed of a reply's shortcut or name. */
const SLASH_AT_START = /^\/([^\s/]*)$/;
const MAX_CANDIDATES = 8;

/**
 * The saved-reply picker's state for the composer's textarea (a combobox, like the `@` picker):
 * opens when the text before the caret is `/` plus a word, lists the workspace's saved replies
 * whose shortcut or name matches, moves with arrows, and with Enter or Tab replaces `/word` with
 * the reply as the server rendered it for this conversation (`{{contact.name}}` filled in);
 * Escape closes it. Loaded on the first `/`, so the inbox does not carry it until then.
 */
export class SavedReplyController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly rest: () => InboxRestClient | undefined;
  /** Replies rendered for one conversation, fetched once per conversation. */
  private cache: { conversationId: string; items: Promise<SavedReply[]> } | null = null;
  private items: SavedReply[] = [];
  private typed: string | null = null;
  private dismissed = false;
  loading = false;
  error = '';
  candidates: SavedReply[] = [];
  active = 0;

  constructor(host: ReactiveControllerHost, rest: () => InboxRestClient | undefined) {
    this.host = host;
    this.rest = rest;
    host.addController(this);
  }

  hostConnected(): void {}

  get open(): boolean {
    return this.typed !== null;
  }

  get activeId(): string | undefined {
    const c = this.candidates[this.active];
    return c && `saved-reply-${c.id}`;
  }

  /** Re-reads the text before the caret after input; `conversationId` is the one replies render for. */
  sync(field: HTMLTextAreaElement, conversationId: string): void {
    const match = SLASH_AT_START.exec(field.value.slice(0, field.selectionStart ?? field.value.length));
    if (!match) {
      this.dismissed = false;
      return this.close();
    }
    if (this.dismissed) return;
    const typed = match[1]!.toLowerCase();
    if (typed !== this.typed) this.active = 0;
    this.typed = typed;
    this.load(conversationId);
    this.filter();
  }

  private load(conversationId: string): void {
    const rest = this.rest();
    if (!rest || this.cache?.conversationId === conversationId) return;
    const items = rest.listSavedReplies({ conversationId }).then((r) => r.items);
    this.cache = { conversationId, items };
    this.loading = true;
    this.error = '';
    items.then(
      (list) => {
        if (this.cache?.items !== items) return;
        this.items = list;
        this.loading = false;
        this.filter();
      },
      () => {
        if (this.cache?.items !== items) return;
        this.cache = null;
        this.loading = false;
        this.error = "Can't load saved replies right now.";
        this.host.requestUpdate();
      },
    );
  }

  /** Forgets the loaded replies (after they were edited), so the next `/` fetches them again. */
  reset(): void {
    this.cache = null;
  }

  private filter(): void {
    const t = this.typed ?? '';
    this.candidates = this.items
      .filter((r) => !t || r.shortcut?.toLowerCase().startsWith(t) || r.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(t)))
      .slice(0, MAX_CANDIDATES);
    this.active = Math.min(this.active, Math.max(0, this.candidates.length - 1));
    this.host.requestUpdate();
  }

  close(): void {
    if (this.typed === null) return;
    this.typed = null;
    this.candidates = [];
    this.host.requestUpdate();
  }

  /** Handles picker keys while it is open; returns whether the key was used. */
  handleKeydown(event: KeyboardEvent, field: HTMLTextAreaElement): boolean {
    if (!this.open || event.ctrlKey || event.metaKey) return false;
    return pickerKeydown(event, this, this.host, {
      choose: () => this.choose(this.candidates[this.active]!, field),
      dismiss: () => {
        this.dismissed = true;
        this.close();
      },
    });
  }

  /** Replaces `/typed` with the reply (rendered for this conversation) and puts the caret after it. */
  choose(reply: SavedReply, field: HTMLTextAreaElement): void {
    const caret = field.selectionStart ?? field.value.length;
    field.setRangeText(reply.rendered ?? reply.body, 0, caret, 'end');
    this.close();
    field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertReplacementText' }));
    field.focus();
  }

  /** The listbox, rendered by the composer under its textarea (so `aria-activedescendant` reaches it). */
  render(field: () => HTMLTextAreaElement) {
    const empty = this.loading ? 'Loading saved replies…' : this.error || 'No saved replies match';
    return html`<ul id="saved-replies" part="mentions" role="listbox" aria-label="Saved replies">
      ${this.candidates.length
        ? this.candidates.map(
            (r, i) => html`<li
              role="option"
              id=${`saved-reply-${r.id}`}
              aria-selected=${i === this.active ? 'true' : 'false'}
              @mousedown=${(e: Event) => e.preventDefault()}
              @click=${() => this.choose(r, field())}
            >
              <span>${r.name}</span>${r.shortcut ? html` <span class="username">/${r.shortcut}</span>` : ''}
            </li>`,
          )
        : html`<li role="option" aria-disabled="true" aria-selected="false" id="saved-reply-none">${empty}</li>`}
    </ul>`;
  }
}
