import type { MessageItem, NoteItem, SearchPage, SearchQuery } from '@baton/protocol';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { AppError, badRequest } from '../errors.js';
import { toTimelineItem } from '../storage/mappers.js';
import { decodeSearchCursor, encodeSearchCursor, searchTerms, searchTimeline } from '../storage/search.js';

/**
 * Messages and notes of the caller's workspace matching every word of `q`. The workspace comes
 * from the credential only. There is no time window: the whole history is searched.
 */
export async function search(deps: Deps, p: WorkspacePrincipal, query: SearchQuery): Promise<SearchPage> {
  if (deps.storage.engine !== 'sqlite') throw new AppError(501, 'internal', 'search is not available on PostgreSQL yet');
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
  return {
    items: result.hits.map((hit) => ({
      conversationId: hit.row.conversation_id,
      item: toTimelineItem(hit.row) as MessageItem | NoteItem,
      snippet: hit.snippet,
      highlights: hit.highlights,
    })),
    nextCursor: result.next ? encodeSearchCursor(result.next) : null,
  };
}
