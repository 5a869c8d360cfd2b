import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { query, state } from 'lit/decorators.js';
import type { InboxRestClient } from '@baton/client';
import type { SearchHit } from '@baton/protocol';
import { restContext } from '@baton/ui/contexts/rest';
import { comboboxStyles } from '@baton/ui/combobox-styles';
import { baseStyles } from '@baton/ui/tokens';
import { icon } from '@baton/ui/icons';
import { addStyles, lazyModule } from '../controllers/lazy-part.js';
import { fire } from '../events.js';
import type { ContactResult } from './search-results.js';
import { searchBoxStyles } from './search-box.styles.js';
import { SEARCH_PAGE } from './search-page.js';

/** Wait for a pause in typing before asking the server. */
const DEBOUNCE_MS = 200;

/** The results' rendering is a chunk of its own, fetched when the box is first focused or typed in. */
type ResultsModule = typeof import('./search-results.js');
const loadResults = lazyModule(() => import('./search-results.js'));

/**
 * Search over contacts (name, phone, email), messages and notes (`GET /v1/search`) as a combobox: results show under the box,
 * arrows move, Enter opens the result's conversation (`inbox-conversation-select`), Escape closes.
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
  @state() private open = false;
  @state() private active = -1;
  @state() private searching = false;
  @state() private failed = false;
  @state() private results: ResultsModule | undefined;

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
      this.open = false;
      return;
    }
    this.timer = setTimeout(() => void this.search(this.term.trim()), DEBOUNCE_MS);
  }

  private async search(q: string): Promise<void> {
    if (!this.rest) return;
    this.inflight?.abort();
    const controller = (this.inflight = new AbortController());
    this.searching = true;
    this.failed = false;
    this.open = true;
    try {
      const [page] = await Promise.all([this.rest.search({ q, limit: SEARCH_PAGE }, { signal: controller.signal }), this.loadResults()]);
      if (controller.signal.aborted) return;
      this.hits = page.items;
      this.contactHits = page.contacts.flatMap((h) => h.conversations.map((conversation) => ({ contact: h.contact, conversation })));
      this.active = this.count ? 0 : -1;
    } catch {
      if (controller.signal.aborted) return;
      this.hits = [];
      this.contactHits = [];
      this.failed = true;
    } finally {
      if (this.inflight === controller) this.searching = false;
    }
  }

  /** Results in the order shown (contacts, then messages and notes), as the keyboard walks them. */
  private get count(): number {
    return this.contactHits.length + this.hits.length;
  }

  private conversationAt(i: number): string | undefined {
    const n = this.contactHits.length;
    return i < n ? this.contactHits[i]?.conversation.id : this.hits[i - n]?.conversationId;
  }

  private choose(conversationId: string | undefined): void {
    if (!conversationId) return;
    this.open = false;
    fire(this, 'inbox-conversation-select', { conversationId });
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
      void this.updateComplete.then(() => this.renderRoot.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' }));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      this.choose(this.conversationAt(this.active));
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
          hits: this.hits,
          active: this.active,
          choose: (i) => this.choose(this.conversationAt(i)),
        })}
      </div>
      <div class="visually-hidden" role="status">
        ${expanded && !this.searching ? (this.failed ? 'Search failed' : `${this.count} result${this.count === 1 ? '' : 's'}`) : ''}
      </div>
      ${expanded && !this.searching && this.count === 0
        ? html`<div part="results" class="popup status">${this.failed ? 'Search failed, try again' : 'No contacts, messages or notes match'}</div>`
        : nothing}`;
  }
}
