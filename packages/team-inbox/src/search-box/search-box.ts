import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { query, state } from 'lit/decorators.js';
import type { BatonRestClient } from '@baton/client';
import type { SearchHit } from '@baton/protocol';
import { restContext } from '@baton/ui/contexts/rest';
import { comboboxStyles } from '@baton/ui/combobox-styles';
import { baseStyles } from '@baton/ui/tokens';
import { icon } from '@baton/ui/icons';
import { absoluteTime } from '@baton/ui/relative-time';
import { fire } from '../events.js';
import { searchBoxStyles } from './search-box.styles.js';

/** Wait for a pause in typing before asking the server. */
const DEBOUNCE_MS = 200;

/** The snippet as text with the server's highlight ranges wrapped in `<mark>` (never parsed as HTML). */
function highlighted(hit: SearchHit) {
  const parts = [];
  let last = 0;
  for (const [start, end] of [...hit.highlights].sort((a, b) => a[0] - b[0])) {
    if (start < last || end > hit.snippet.length) continue;
    parts.push(hit.snippet.slice(last, start), html`<mark>${hit.snippet.slice(start, end)}</mark>`);
    last = end;
  }
  parts.push(hit.snippet.slice(last));
  return parts;
}

/**
 * Search over messages and notes (`GET /v1/search`) as a combobox: results show under the box,
 * arrows move, Enter opens the result's conversation (`inbox-conversation-select`), Escape closes.
 */
export class InboxSearch extends LitElement {
  static override styles = [baseStyles, comboboxStyles, searchBoxStyles];

  @consume({ context: restContext, subscribe: true })
  @state()
  private rest?: BatonRestClient;

  @state() private term = '';
  @state() private hits: SearchHit[] = [];
  @state() private open = false;
  @state() private active = -1;
  @state() private searching = false;
  @state() private failed = false;

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

  private onInput(): void {
    this.term = this.input.value;
    clearTimeout(this.timer);
    if (this.term.trim() === '') {
      this.inflight?.abort();
      this.hits = [];
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
      const page = await this.rest.search({ q, limit: 20 }, { signal: controller.signal });
      if (controller.signal.aborted) return;
      this.hits = page.items;
      this.active = page.items.length ? 0 : -1;
    } catch {
      if (controller.signal.aborted) return;
      this.hits = [];
      this.failed = true;
    } finally {
      if (this.inflight === controller) this.searching = false;
    }
  }

  private choose(hit: SearchHit | undefined): void {
    if (!hit) return;
    this.open = false;
    fire(this, 'inbox-conversation-select', { conversationId: hit.conversationId });
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
    if (!this.open || this.hits.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.hits.length) % this.hits.length;
      void this.updateComplete.then(() => this.renderRoot.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' }));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      this.choose(this.hits[this.active]);
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
          @focus=${() => (this.open = this.hits.length > 0)}
          @blur=${() => setTimeout(() => (this.open = false), 150)}
        />
      </div>
      <ul id="results" class="popup" part="results" role="listbox" aria-label="Search results" ?hidden=${!expanded}>
        ${this.hits.map(
          (hit, i) => html`<li
            role="option"
            id=${`hit-${i}`}
            aria-selected=${i === this.active ? 'true' : 'false'}
            @mousedown=${(e: Event) => e.preventDefault()}
            @click=${() => this.choose(hit)}
          >
            <span class="kind ${hit.item.kind}"
              >${hit.item.kind === 'note' ? 'Internal note' : hit.item.direction === 'inbound' ? 'Customer message' : 'Reply'} ·
              <time datetime=${hit.item.createdAt}>${absoluteTime(hit.item.createdAt)}</time></span
            >
            ${highlighted(hit)}
          </li>`,
        )}
      </ul>
      <div class="visually-hidden" role="status">
        ${expanded && !this.searching ? (this.failed ? 'Search failed' : `${this.hits.length} results`) : ''}
      </div>
      ${expanded && !this.searching && this.hits.length === 0
        ? html`<div part="results" class="popup status">${this.failed ? 'Search failed, try again' : 'No messages or notes match'}</div>`
        : nothing}`;
  }
}
