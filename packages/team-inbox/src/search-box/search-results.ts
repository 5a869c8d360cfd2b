import { css, html, nothing } from 'lit';
import type { ContactHit, SearchConversation, SearchHit } from '@baton/protocol';
import { channelName } from '@baton/ui/icons';
import { absoluteTime } from '@baton/ui/relative-time';

/**
 * Search's results (contacts, then messages and notes), loaded with `import()` when the search box
 * is first focused or typed in. The box keeps the state, the request and the keyboard; this draws
 * the options inside its `role="listbox"`.
 */

export type ContactResult = { contact: ContactHit['contact']; conversation: SearchConversation };

export interface SearchResultsView {
  contactHits: readonly ContactResult[];
  hits: readonly SearchHit[];
  active: number;
  /** The last option, past the newest page: fetch it, being fetched, or failed (try again); null on the last page. */
  older: 'more' | 'loading' | 'failed' | null;
  choose(index: number): void;
}

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

/** "Priya Patel · Email · Resolved": which conversation a result opens, without opening it. */
function context(c: SearchConversation, withName = true): string {
  const state = c.status === 'resolved' ? 'Resolved' : c.snoozedUntil ? 'Snoozed' : 'Open';
  return [withName ? c.contactName : '', channelName(c.channel), state, c.subject ?? ''].filter(Boolean).join(' · ');
}

const OLDER_LABELS = { more: 'Show older messages and notes', loading: 'Loading older messages and notes…', failed: "Couldn't load older ones. Try again" };

function option(v: SearchResultsView, i: number, content: unknown, disabled = false) {
  return html`<div
    role="option"
    id=${`hit-${i}`}
    aria-selected=${i === v.active ? 'true' : 'false'}
    aria-disabled=${disabled ? 'true' : nothing}
    @mousedown=${(e: Event) => e.preventDefault()}
    @click=${() => v.choose(i)}
  >
    ${content}
  </div>`;
}

export function renderSearchResults(v: SearchResultsView) {
  return html`${v.contactHits.length
    ? html`<div role="group" aria-label="Contacts">
        ${v.contactHits.map((h, i) =>
          option(
            v,
            i,
            html`<span class="contact">${h.contact.name}</span>
              ${h.contact.phone || h.contact.email ? html`<span class="kind">${[h.contact.phone, h.contact.email].filter(Boolean).join(' · ')}</span>` : nothing}
              <span class="kind">${context(h.conversation, false)}</span>`,
          ),
        )}
      </div>`
    : nothing}
  ${v.hits.length
    ? html`<div role="group" aria-label="Messages and notes">
        ${v.hits.map((hit, i) =>
          option(
            v,
            v.contactHits.length + i,
            html`<span class="kind ${hit.item.kind}"
                >${hit.item.kind === 'note' ? 'Internal note' : hit.item.direction === 'inbound' ? 'Customer message' : 'Reply'} ·
                <time datetime=${hit.item.createdAt}>${absoluteTime(hit.item.createdAt)}</time></span
              >
              <span class="snippet" dir="auto">${highlighted(hit)}</span> ${hit.conversation ? html`<span class="kind">${context(hit.conversation)}</span>` : nothing}`,
          ),
        )}
      </div>
      ${v.older ? option(v, v.contactHits.length + v.hits.length, html`<span class="older">${OLDER_LABELS[v.older]}</span>`, v.older === 'loading') : nothing}`
    : nothing}`;
}

/** Added to the search box's shadow root when this module loads. Tokens come from the inbox. */
export const searchResultsStyles = css`
  /* A name or a word of thousands of letters wraps inside the popup, and a snippet keeps to three
     lines (its whole message is a click away). */
  [role='option'] {
    overflow-wrap: anywhere;
  }
  .snippet {
    display: -webkit-box;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: 3;
    overflow: hidden;
  }
  .older {
    font-weight: 600;
  }
  .kind {
    display: block;
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
  }
  .kind.note {
    color: var(--baton-note-label);
  }
  [role='group'][aria-label]::before {
    content: attr(aria-label);
    display: block;
    padding: 4px 8px 2px;
    font-size: var(--baton-font-size-small);
    font-weight: 600;
    color: var(--baton-color-text-muted);
  }
  .contact {
    font-weight: 600;
  }
  mark {
    background: var(--baton-mark-bg);
    color: inherit;
  }
`;
