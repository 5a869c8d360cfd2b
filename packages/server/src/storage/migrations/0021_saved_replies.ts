import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Saved replies (services/saved-replies.ts): canned texts per workspace, listed by name; a shortcut
 * (what an agent types after `/` in the composer) is unique per workspace, case-insensitively.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('saved_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('shortcut', 'text')
    .addColumn('shortcut_lower', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', int64, (c) => c.notNull())
    .addColumn('updated_at', int64, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saved_replies_by_name').on('saved_replies').columns(['workspace_id', 'name', 'id']).execute();
  await db.schema.createIndex('saved_replies_shortcut').on('saved_replies').columns(['workspace_id', 'shortcut_lower']).unique().execute();
}
