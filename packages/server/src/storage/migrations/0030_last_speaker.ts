import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Who wrote a conversation's latest message and when (issue #11: list rows say "You: …", "Ana: …"
 * and that message's time, not the time of the latest activity). Kept on the conversation row,
 * beside `preview`, by the same writes that set `preview` (the create's INSERT and the message's
 * UPDATE), so a list page reads no timeline and a create runs no extra statement.
 *
 * Notes do not count: like `preview`, these describe the latest *message* (what the customer saw
 * or sent). Existing rows are filled from their latest message in `timeline`; rows without one
 * stay null.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('conversations').addColumn('last_message_direction', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('last_message_author_type', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('last_message_author_id', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('last_message_sent_at', int64).execute();
  await fillLastMessage(db);
}

/** Fills the columns of every conversation with a message from its latest message in `timeline`. */
export async function fillLastMessage(db: Kysely<any>): Promise<void> {
  const latest = (column: string) =>
    sql`(SELECT ${sql.ref(`t.${column}`)} FROM timeline t WHERE t.conversation_id = conversations.id AND t.kind = 'message' ORDER BY t.seq DESC LIMIT 1)`;
  await sql`UPDATE conversations SET
    last_message_direction = ${latest('direction')},
    last_message_author_type = ${latest('actor_type')},
    last_message_author_id = ${latest('actor_id')},
    last_message_sent_at = ${latest('created_at')}
    WHERE preview IS NOT NULL`.execute(db);
}
