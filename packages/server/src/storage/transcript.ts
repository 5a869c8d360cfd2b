import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Messages only: the query itself cannot return a note or an event. */
export const listMessages = (db: Kysely<Database>, workspaceId: string, conversationId: string, afterSeq: number, limit: number) =>
  db
    .selectFrom('timeline')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('conversation_id', '=', conversationId)
    .where('kind', '=', 'message')
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
