import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { query, state } from 'lit/decorators.js';
import type { InboxRestClient } from '@baton/client';
import type { SearchConversation, SearchHit } from '@baton/protocol';
import { restContext } from '@baton/ui/contexts/rest';
import { comboboxStyles } from '@baton/ui/combobox-styles';
import { baseStyles } from '@baton/ui/tokens';
import { icon } from '@baton/ui/icons';
import { addStyles, lazyModule } from '../controllers/lazy-part.js';
import { fire } from '../events.js';
import type { ContactResult } from './search-results.js';
import { searchBoxStyles } from './search-box.styles.js';

/** How many messages and notes one page of results shows; "Show older" fetches the next. */
const SEARCH_PAGE = 20;

/** Wait for a pause in typing before asking the server. */
const DEBOUNCE_MS = 200;

/** "20 results, and older ones": what the status region says once results arrive. */
const resultsSaid = (n: number, older: boolean) => `${n} result${n === 1 ? '' : 's'}${older ? ', and older ones' : ''}`;

/** The results' rendering is a chunk of its own, fetched when the box is first focused or typed in. */
type ResultsModule = typeof import('./search-results.js');
const loadResults = lazyModule(() => import('./search-results.js'));

/**
 * Search over contacts (name, phone, email), subjects, messages and notes (`GET /v1/search`) as a combobox: results show under the box,
 * arrows move, Enter opens the result's conversation (`inbox-conversation-select`), Escape closes.
 * Past the newest page, a last option fetches the next one (the server's cursor) below those shown.
 */
export class InboxSearch extends LitElement {
  static override styles = [baseStyles, comboboxStyles, searchBoxStyles];

  @consume({ context: restContext, subscribe: true })
  @state()
  private rest?: InboxRestClient;

  @state() private term = '';
  @state() private hits: SearchHit[] = [];
  /** Contacts that match, one result per conversation of theirs (contacts with none are left out: nothing to open). */
  @state() private contactHits: ContactResult[] = [];
  /** Conversations whose subject matches. */
  @state() private subjectHits: SearchConversation[] = [];
  @state() private open = false;
  @state() private active = -1;
  @state() private searching = false;
  @state() private failed = false;
  @state() private results: ResultsModule | undefined;
  /** The server's cursor for older messages and notes than those shown; null on the last page. */
  @state() private cursor: string | null = null;
  /** The words the shown results are for: a next page asks for the same ones. */
  private shownFor = '';

  @query('input') private input!: HTMLInputElement;

  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: AbortController | null = null;

  focusInput(): void {
    this.input.focus();
    this.input.select();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.inflight?.abort();
  }

  /** Fetches the results' module (once) and adds its styles; search() waits for it with the request. */
  private async loadResults(): Promise<void> {
    if (this.results) return;
    const results = await loadResults();
    addStyles(this, results.searchResultsStyles);
    this.results = results;
  }

  private onInput(): void {
    this.term = this.input.value;
    clearTimeout(this.timer);
    if (this.term.trim() === '') {
      this.inflight?.abort();
      this.hits = [];
      this.contactHits = [];
      this.subjectHits = [];
      this.cursor = null;
      this.open = false;
      return;
    }
    this.timer = setTimeout(() => void this.search(this.term.trim()), DEBOUNCE_MS);
  }

  /** The first page for `q`, or with `after` the next page, added below what is shown. */
  private async search(q: string, after?: string): Promise<void> {
    if (!this.rest) return;
    this.inflight?.abort();
    const controller = (this.inflight = new AbortController());
    this.searching = true;
    this.failed = false;
    this.open = true;
    // New words: the old words' next page is not theirs.
    if (!after) this.cursor = null;
    try {
      const [page] = await Promise.all([this.rest.search({ q, limit: SEARCH_PAGE, ...(after ? { cursor: after } : {}) }, { signal: controller.signal }), this.loadResults()]);
      if (controller.signal.aborted) return;
      if (after) {
        // The keyboard goes on from the first of the older ones, scrolled into view.
        this.active = this.shown;
        this.hits = [...this.hits, ...page.items];
        void this.updateComplete.then(() => this.revealActive());
      } else {
        this.hits = page.items;
        this.contactHits = page.contacts.flatMap((h) => h.conversations.map((conversation) => ({ contact: h.contact, conversation })));
        this.subjectHits = page.conversations;
        this.active = this.shown ? 0 : -1;
      }
      this.cursor = page.nextCursor;
      this.shownFor = q;
    } catch {
      if (controller.signal.aborted) return;
      this.failed = true;
      // A next page that failed keeps what is shown, and its option offers to try again.
      if (after) return;
      this.hits = [];
      this.contactHits = [];
      this.subjectHits = [];
      this.cursor = null;
    } finally {
      if (this.inflight === controller) this.searching = false;
    }
  }

  /** Results in the order shown (contacts, conversations, messages and notes, then "older"), as the keyboard walks them. */
  private get count(): number {
    return this.shown + (this.cursor ? 1 : 0);
  }

  /** Contacts' conversations, conversations by subject, messages and notes shown, without the "older" option. */
  private get shown(): number {
    return this.contactHits.length + this.subjectHits.length + this.hits.length;
  }

  private revealActive(): void {
    this.renderRoot.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }

  /**
   * Opens the conversation of the result at `i` (a message or note at that item), or fetches the
   * next page when `i` is the last option. There are options only once the results' module is here.
   */
  private pick(i: number): void {
    const picked = this.results?.resultAt(this.contactHits, this.subjectHits, this.hits, i);
    if (picked) return this.choose(...picked);
    if (this.cursor && !this.searching) void this.search(this.shownFor, this.cursor);
  }

  private choose(conversationId: string, itemId?: string): void {
    this.open = false;
    fire(this, 'inbox-conversation-select', { conversationId, ...(itemId ? { itemId } : {}) });
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      if (this.open) {
        this.open = false;
        e.stopPropagation();
      } else if (this.input.value) {
        this.input.value = '';
        this.onInput();
      }
      return;
    }
    if (!this.open || this.count === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.count) % this.count;
      void this.updateComplete.then(() => this.revealActive());
    } else if (e.key === 'Enter') {
      e.preventDefault();
      this.pick(this.active);
    }
  }

  override render() {
    const expanded = this.open && this.term.trim() !== '';
    return html`<div part="base">
        ${icon('search', 16)}
        <input
          type="text"
          role="combobox"
          aria-label="Search"
          placeholder="Search"
          aria-autocomplete="list"
          aria-controls="results"
          aria-expanded=${expanded ? 'true' : 'false'}
          aria-activedescendant=${expanded && this.active >= 0 ? `hit-${this.active}` : nothing}
          autocomplete="off"
          spellcheck="false"
          @input=${this.onInput}
          @keydown=${this.onKeydown}
          @focus=${() => {
            this.open = this.count > 0;
            void this.loadResults().catch(() => undefined);
          }}
          @blur=${() => setTimeout(() => (this.open = false), 150)}
        />
      </div>
      <div id="results" class="popup" part="results" role="listbox" aria-label="Search results" ?hidden=${!expanded}>
        ${this.results?.renderSearchResults({
          contactHits: this.contactHits,
          subjectHits: this.subjectHits,
          words: this.shownFor,
          hits: this.hits,
          active: this.active,
          older: this.cursor ? (this.searching ? 'loading' : this.failed ? 'failed' : 'more') : null,
          choose: (i) => this.pick(i),
        })}
      </div>
      <div class="visually-hidden" role="status">
        ${expanded && !this.searching ? (this.failed ? 'Search failed' : resultsSaid(this.shown, !!this.cursor)) : ''}
      </div>
      ${expanded && !this.searching && this.count === 0
        ? html`<div part="results" class="popup status">${this.failed ? 'Search failed, try again' : 'No contacts, conversations, messages or notes match'}</div>`
        : nothing}`;
  }
}
