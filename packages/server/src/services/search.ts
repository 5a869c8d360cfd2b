import type { ContactHit, MessageItem, NoteItem, SearchConversation, SearchPage, SearchQuery } from '@baton/protocol';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { badRequest } from '../errors.js';
import { iso, toContact, toTimelineItem } from '../storage/mappers.js';
import type { ConversationRow } from '../storage/schema.js';
import {
  conversationsWithContacts,
  decodeSearchCursor,
  encodeSearchCursor,
  latestConversationsOf,
  searchContacts,
  searchSubjects,
  searchTerms,
  searchTimeline,
} from '../storage/search.js';

/** Contacts on the first page of a search, and conversations listed with each. */
const CONTACT_HITS = 5;
/** Conversations found by their subject, on the first page of a search. */
const SUBJECT_HITS = 5;
const CONVERSATIONS_PER_CONTACT = 3;
/** A query that is a phone number ("+34 600 111", "(555) 0100"): matched against phone digits. */
const PHONE_LIKE = /^[\d\s+().-]+$/;

const contextOf = (r: ConversationRow, contactName: string): SearchConversation => ({
  id: r.id,
  contactId: r.contact_id,
  contactName,
  channel: r.channel,
  subject: r.subject,
  status: r.status === 'resolved' ? 'resolved' : 'open',
  snoozedUntil: r.snoozed_until === null ? null : iso(r.snoozed_until),
  lastMessageAt: iso(r.last_message_at),
});

/**
 * Messages and notes of the caller's workspace matching every word of `q`, each with its
 * conversation's context (contact, channel, status), and on the first page the conversations whose
 * subject matches and the contacts whose name, email or phone match, with their latest
 * conversations. The workspace comes from the credential only. There is no time window: the whole history is searched.
 */
export async function search(deps: Deps, p: WorkspacePrincipal, query: SearchQuery): Promise<SearchPage> {
  const terms = searchTerms(query.q);
  if (terms.length === 0) {
    throw badRequest('q has no words to search for', [{ path: ['q'], message: 'give at least one word of letters or digits', code: 'custom' }]);
  }
  let after = null;
  if (query.cursor !== undefined) {
    after = decodeSearchCursor(query.cursor);
    if (!after || after.order !== query.order) {
      throw badRequest('cursor is not one this search returned', [{ path: ['cursor'], message: 'invalid cursor', code: 'custom' }]);
    }
  }
  await deps.search.beforeSearch();
  const result = await searchTimeline(deps.storage.db, {
    workspaceId: p.workspaceId,
    terms,
    order: query.order,
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.conversationId ? { conversationId: query.conversationId } : {}),
    limit: query.limit,
    after,
  });
  const db = deps.storage.db;
  const contexts = new Map(
    (await conversationsWithContacts(db, p.workspaceId, [...new Set(result.hits.map((h) => h.row.conversation_id))])).map((r) => [r.id, contextOf(r, r.contact_name)]),
  );
  // Subjects and contacts come with the first page of a search over everything, not with later pages or a narrowed one.
  const contacts: ContactHit[] = [];
  let conversations: SearchConversation[] = [];
  if (query.cursor === undefined && !query.kind && !query.conversationId) {
    conversations = (await searchSubjects(db, p.workspaceId, terms, SUBJECT_HITS)).map((r) => contextOf(r, r.contact_name));
    const digits = PHONE_LIKE.test(query.q) ? query.q.replace(/\D/g, '') : '';
    for (const c of await searchContacts(db, p.workspaceId, terms, digits.length >= 3 ? digits : null, CONTACT_HITS)) {
      const rows = await latestConversationsOf(db, p.workspaceId, c.id, CONVERSATIONS_PER_CONTACT);
      contacts.push({ contact: toContact(c), conversations: rows.map((r) => contextOf(r, c.name)) });
    }
  }
  return {
    contacts,
    conversations,
    items: result.hits.map((hit) => ({
      conversationId: hit.row.conversation_id,
      conversation: contexts.get(hit.row.conversation_id) ?? null,
      item: toTimelineItem(hit.row) as MessageItem | NoteItem,
      snippet: hit.snippet,
      highlights: hit.highlights,
    })),
    nextCursor: result.next ? encodeSearchCursor(result.next) : null,
  };
}
