import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * List filters (DESIGN §5: `channel`, `teamId`, `tag`, `priority`, with every view, newest or
 * oldest first). Each view already pages over `(workspace_id, status, last_message_at, id)` (or the
 * assignee's); these add the filtered column after the status, so a filtered page is still one
 * index range read in either direction (`sort=oldest_waiting` walks it backwards):
 * - `conversations_by_channel`, `conversations_by_priority`: (workspace_id, status, column, last_message_at, id);
 * - `conversations_by_team`: (workspace_id, team_id, status, last_message_at, id).
 * Tags live in a JSON column, which no index reaches, so `conversation_tags` keeps a row per
 * (conversation, tag), written with the column by storage/conversations.ts; the tag filter reads
 * the tagged conversations from its `(workspace_id, tag)` prefix. Existing tags are copied here, in
 * batches, by plain reads and inserts (the same on both engines).
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('conversation_tags')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addPrimaryKeyConstraint('conversation_tags_pk', ['workspace_id', 'tag', 'conversation_id'])
    .execute();
  await db.schema.createIndex('conversation_tags_by_conversation').on('conversation_tags').columns(['conversation_id']).execute();
  await db.schema
    .createIndex('conversations_by_channel')
    .on('conversations')
    .columns(['workspace_id', 'status', 'channel', 'last_message_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('conversations_by_priority')
    .on('conversations')
    .columns(['workspace_id', 'status', 'priority', 'last_message_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('conversations_by_team')
    .on('conversations')
    .columns(['workspace_id', 'team_id', 'status', 'last_message_at desc', 'id desc'])
    .execute();

  let after = '';
  for (;;) {
    const rows = (await db
      .selectFrom('conversations')
      .select(['id', 'workspace_id', 'tags'])
      .where('id', '>', after)
      .where('tags', '<>', '[]')
      .orderBy('id')
      .limit(1000)
      .execute()) as { id: string; workspace_id: string; tags: string }[];
    if (!rows.length) return;
    const values = rows.flatMap((r) => [...new Set(JSON.parse(r.tags) as string[])].map((tag) => ({ workspace_id: r.workspace_id, tag, conversation_id: r.id })));
    if (values.length) await db.insertInto('conversation_tags').values(values).execute();
    after = rows[rows.length - 1]!.id;
  }
}
