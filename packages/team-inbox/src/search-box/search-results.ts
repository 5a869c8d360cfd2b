import { css, html, nothing } from 'lit';
import type { ContactHit, SearchConversation, SearchHit } from '@baton/protocol';
import { channelName } from '@baton/ui/icons';
import { absoluteTime } from '@baton/ui/relative-time';

/**
 * Search's results (contacts, conversations by subject, then messages and notes), loaded with `import()` when the search box
 * is first focused or typed in. The box keeps the state, the request and the keyboard; this draws
 * the options inside its `role="listbox"`.
 */

export type ContactResult = { contact: ContactHit['contact']; conversation: SearchConversation };

export interface SearchResultsView {
  contactHits: readonly ContactResult[];
  /** Conversations whose subject matches `words`. */
  subjectHits: readonly SearchConversation[];
  /** What was searched for, to mark in subjects as the server marks snippets. */
  words: string;
  hits: readonly SearchHit[];
  active: number;
  /** The last option, past the newest page: fetch it, being fetched, or failed (try again); null on the last page. */
  older: 'more' | 'loading' | 'failed' | null;
  choose(index: number): void;
}

/** `text` with the `[start, end)` ranges wrapped in `<mark>` (text, never parsed as HTML). */
function marked(text: string, ranges: readonly (readonly [number, number])[]) {
  const parts = [];
  let last = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start < last || end > text.length) continue;
    parts.push(text.slice(last, start), html`<mark>${text.slice(start, end)}</mark>`);
    last = end;
  }
  parts.push(text.slice(last));
  return parts;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replaceAll('ß', 'ss');

/**
 * The words of `text` the server matched for `words`, as it matches them (storage/search.ts): each
 * searched word starts one of them, any case and accents; one letter is a whole word. The server
 * sends no ranges for subjects, and they are short.
 */
function matchedWords(text: string, words: string): [number, number][] {
  const terms = (words.match(WORD) ?? []).map(fold).filter(Boolean);
  return [...text.matchAll(WORD)]
    .filter((m) => terms.some((t) => (t.length > 1 ? fold(m[0]).startsWith(t) : fold(m[0]) === t)))
    .map((m) => [m.index, m.index + m[0].length]);
}

/** "Priya Patel · Email · Resolved": which conversation a result opens, without opening it. */
function context(c: SearchConversation, withName = true, withSubject = true): string {
  const state = c.status === 'resolved' ? 'Resolved' : c.snoozedUntil ? 'Snoozed' : 'Open';
  return [withName ? c.contactName : '', channelName(c.channel), state, withSubject ? (c.subject ?? '') : ''].filter(Boolean).join(' · ');
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

/**
 * The conversation (and the message or note in it) of the option at `i`, in the order the options
 * show; undefined past them ("Show older").
 */
export function resultAt(
  contactHits: readonly ContactResult[],
  subjectHits: readonly SearchConversation[],
  hits: readonly SearchHit[],
  i: number,
): [string, string?] | undefined {
  return [
    ...contactHits.map((h): [string] => [h.conversation.id]),
    ...subjectHits.map((c): [string] => [c.id]),
    ...hits.map((h): [string, string] => [h.conversationId, h.item.id]),
  ][i];
}

export function renderSearchResults(v: SearchResultsView) {
  const firstHit = v.contactHits.length + v.subjectHits.length;
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
  ${v.subjectHits.length
    ? html`<div role="group" aria-label="Conversations">
        ${v.subjectHits.map((c, i) =>
          option(
            v,
            v.contactHits.length + i,
            html`<span class="subject" dir="auto">${marked(c.subject ?? '', matchedWords(c.subject ?? '', v.words))}</span>
              <span class="kind">${context(c, true, false)}</span>`,
          ),
        )}
      </div>`
    : nothing}
  ${v.hits.length
    ? html`<div role="group" aria-label="Messages and notes">
        ${v.hits.map((hit, i) =>
          option(
            v,
            firstHit + i,
            html`<span class="kind ${hit.item.kind}"
                >${hit.item.kind === 'note' ? 'Internal note' : hit.item.direction === 'inbound' ? 'Customer message' : 'Reply'} ·
                <time datetime=${hit.item.createdAt}>${absoluteTime(hit.item.createdAt)}</time></span
              >
              <span class="snippet" dir="auto">${marked(hit.snippet, hit.highlights)}</span> ${hit.conversation ? html`<span class="kind">${context(hit.conversation)}</span>` : nothing}`,
          ),
        )}
      </div>
      ${v.older ? option(v, firstHit + v.hits.length, html`<span class="older">${OLDER_LABELS[v.older]}</span>`, v.older === 'loading') : nothing}`
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
  .contact,
  .subject {
    font-weight: 600;
  }
  mark {
    background: var(--baton-mark-bg);
    color: inherit;
  }
`;
