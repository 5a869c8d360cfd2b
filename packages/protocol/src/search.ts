import { z } from 'zod';
import { Channel, Contact, ConversationStatus, Id, MessageItem, NoteItem, Timestamp } from './domain.js';

/** `newest` (by seq, the default) or `relevance` (best match first). */
export const SEARCH_ORDERS = ['newest', 'relevance'] as const;
export const SearchOrder = z.enum(SEARCH_ORDERS);
export type SearchOrder = z.infer<typeof SearchOrder>;

/**
 * `GET /v1/search`. `q` is plain words, never query syntax: every word is matched as the start
 * of a word (`refun` finds "refund"), all words must match, case and accents are ignored
 * (`maria` finds "María"), and quotes, `*`, `OR`, `NEAR(` and the like are just text.
 */
export const SearchQuery = z.strictObject({
  q: z.string().trim().min(1).max(200),
  order: SearchOrder.default('newest'),
  kind: z.enum(['message', 'note']).optional(),
  conversationId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(200).optional(),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

/** `[start, end)` in UTF-16 code units of `snippet`, i.e. `snippet.slice(start, end)` is a matched word. */
export const Highlight = z.tuple([z.number().int().min(0), z.number().int().min(0)]);

/** What a search result says about its conversation, so it reads without opening it: who, where, what state. */
export const SearchConversation = z.object({
  id: Id,
  contactId: Id,
  contactName: z.string(),
  channel: Channel,
  subject: z.string().nullable(),
  status: ConversationStatus,
  /** Set while snoozed (status stays `open`, as everywhere in the API). */
  snoozedUntil: Timestamp.nullable(),
  lastMessageAt: Timestamp,
});
export type SearchConversation = z.infer<typeof SearchConversation>;

/** A contact whose name, phone or email matches, with their latest conversations (up to 3). */
export const ContactHit = z.object({ contact: Contact, conversations: z.array(SearchConversation) });
export type ContactHit = z.infer<typeof ContactHit>;

export const SearchHit = z.object({
  conversationId: Id,
  /** The hit's conversation: contact, channel, status. */
  conversation: SearchConversation.nullable().default(null),
  /** The matched message or note, exactly as the timeline returns it (notes carry `internal: true`). */
  item: z.discriminatedUnion('kind', [MessageItem, NoteItem]),
  /**
   * Plain text around the best match, with `…` where it was cut; no markup. Render it as text
   * and wrap the `highlights` ranges in marks, so a message can never inject HTML.
   */
  snippet: z.string(),
  highlights: z.array(Highlight),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchPage = z.object({
  items: z.array(SearchHit),
  /**
   * Contacts whose name, phone or email match every word (first page only, and not with `kind` or
   * `conversationId`); at most 5, each with their latest conversations.
   */
  contacts: z.array(ContactHit).default([]),
  /**
   * Conversations whose subject matches every word, as messages do (word prefixes, case and accents
   * ignored; first page only, and not with `kind` or `conversationId`); at most 5, latest activity first.
   */
  conversations: z.array(SearchConversation).default([]),
  /** Pass back as `cursor` (with the same `q`, `order` and filters) for the next page; null on the last. */
  nextCursor: z.string().nullable(),
});
export type SearchPage = z.infer<typeof SearchPage>;
