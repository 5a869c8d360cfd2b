import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The team and priority filter indexes of migration 0022 become partial: they hold only the rows a
 * filter can ask for. A new conversation has no team and `normal` priority, so the create path
 * (and every later message, which moves `last_message_at`) no longer writes an entry into either;
 * the HTTP create benchmark (docs/benchmarks.md) spends its time in exactly these writes.
 * - `conversations_by_team` keeps rows with a team: a team filter always names one, and
 *   `team_id = ?` implies `team_id IS NOT NULL` to both engines' planners.
 * - `conversations_by_priority` keeps rows whose priority is not `normal`; the page query adds that
 *   term for any other priority (SQLite uses a partial index only when the query repeats its
 *   WHERE). A `priority=normal` filter walks the view's own index instead, where nearly every row
 *   matches anyway.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.dropIndex('conversations_by_team').execute();
  await db.schema.dropIndex('conversations_by_priority').execute();
  await db.schema
    .createIndex('conversations_by_team')
    .on('conversations')
    .columns(['workspace_id', 'team_id', 'status', 'last_message_at desc', 'id desc'])
    .where(sql.ref('team_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('conversations_by_priority')
    .on('conversations')
    .columns(['workspace_id', 'status', 'priority', 'last_message_at desc', 'id desc'])
    .where(sql.ref('priority'), '<>', 'normal')
    .execute();
}
