import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `workspace_tags`: a row per (workspace, tag) in use, with how many conversations and contacts
 * carry it, for `GET /v1/tags` (tag suggestions). Counting on read would walk every tagged
 * conversation (`conversation_tags`) and parse every contact's JSON `tags` of the workspace on each
 * request; these counts move with the tags instead, in the writers' own transactions
 * (storage/tags.ts), so a read is one range of the workspace's distinct tags.
 * `folded` is the tag in lower case (JavaScript's `toLowerCase`, as contacts store their tags), so a
 * prefix matches either case on both engines: SQLite's `lower()` knows ASCII only.
 *
 * Existing tags are counted here, by plain reads in batches (the same on both engines).
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('workspace_tags')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('folded', 'text', (c) => c.notNull())
    .addColumn('conversations', 'integer', (c) => c.notNull())
    .addColumn('contacts', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_tags_pk', ['workspace_id', 'tag'])
    .execute();

  const counts = new Map<string, { workspace_id: string; tag: string; conversations: number; contacts: number }>();
  const entry = (workspaceId: string, tag: string) => {
    const key = JSON.stringify([workspaceId, tag]);
    let e = counts.get(key);
    if (!e) counts.set(key, (e = { workspace_id: workspaceId, tag, conversations: 0, contacts: 0 }));
    return e;
  };

  const perTag = (await db
    .selectFrom('conversation_tags')
    .select(['workspace_id', 'tag', (eb) => eb.fn.countAll().as('n')])
    .groupBy(['workspace_id', 'tag'])
    .execute()) as { workspace_id: string; tag: string; n: number | string }[];
  for (const r of perTag) entry(r.workspace_id, r.tag).conversations = Number(r.n);

  let after = '';
  for (;;) {
    const rows = (await db
      .selectFrom('contacts')
      .select(['id', 'workspace_id', 'tags'])
      .where('id', '>', after)
      .where('tags', '<>', '[]')
      .orderBy('id')
      .limit(1000)
      .execute()) as { id: string; workspace_id: string; tags: string }[];
    if (!rows.length) break;
    for (const r of rows) for (const tag of new Set(JSON.parse(r.tags) as string[])) entry(r.workspace_id, tag).contacts += 1;
    after = rows[rows.length - 1]!.id;
  }

  const values = [...counts.values()].map((e) => ({ ...e, folded: e.tag.toLowerCase() }));
  for (let i = 0; i < values.length; i += 500) await db.insertInto('workspace_tags').values(values.slice(i, i + 500)).execute();
}
