import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

type Q = Kysely<Database>;

/** Which count of `workspace_tags` a tag change moves. */
export type TagHolder = 'conversations' | 'contacts';

/**
 * Moves the workspace's tag counts (migration 0050) for one conversation or contact whose tags go
 * from `before` to `after`; a tag no longer on anything leaves the table. Called in the same unit as
 * the write of the tags themselves, by their only writers (storage/conversations.ts,
 * storage/contacts.ts), with a `before` read under that write's lock, so the counts cannot drift.
 */
export async function moveTagCounts(trx: Q, workspaceId: string, holder: TagHolder, before: readonly string[], after: readonly string[]): Promise<void> {
  const was = new Set(before);
  const is = new Set(after);
  // One tag at a time, in name order: two writers moving overlapping tags (on PostgreSQL, where
  // they run at once) lock the rows in the same order, so they wait for each other, never deadlock.
  const touched = [...new Set([...was, ...is])].filter((t) => was.has(t) !== is.has(t)).sort();
  const emptied: string[] = [];
  for (const tag of touched) {
    if (is.has(tag)) {
      await trx
        .insertInto('workspace_tags')
        .values({ workspace_id: workspaceId, tag, folded: tag.toLowerCase(), conversations: 0, contacts: 0, [holder]: 1 })
        .onConflict((oc) => oc.columns(['workspace_id', 'tag']).doUpdateSet((eb) => ({ [holder]: eb(`workspace_tags.${holder}`, '+', 1) })))
        .execute();
    } else {
      await trx.updateTable('workspace_tags').set((eb) => ({ [holder]: eb(holder, '-', 1) })).where('workspace_id', '=', workspaceId).where('tag', '=', tag).execute();
      emptied.push(tag);
    }
  }
  if (emptied.length) {
    // Rows this unit has locked already: a tag no longer on anything leaves the table.
    await trx
      .deleteFrom('workspace_tags')
      .where('workspace_id', '=', workspaceId)
      .where('tag', 'in', emptied)
      .where('conversations', '<=', 0)
      .where('contacts', '<=', 0)
      .execute();
  }
}

/** `%` and `_` are LIKE's wildcards, `\` its escape here: a prefix matches them as themselves. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The workspace's tags in use, most used (conversations + contacts) first, then by name; with a
 * prefix, those whose lower-case form starts with the prefix's. The read is one range of the
 * workspace's rows (the primary key's prefix): its distinct tags, not its conversations or contacts.
 */
export async function listWorkspaceTags(db: Q, workspaceId: string, opts: { prefix?: string; limit: number }) {
  let q = db.selectFrom('workspace_tags').select(['tag', 'conversations', 'contacts']).where('workspace_id', '=', workspaceId);
  if (opts.prefix) q = q.where(sql<boolean>`folded like ${likePrefix(opts.prefix.toLowerCase())} escape '\\'`);
  const rows = await q
    .orderBy(sql`conversations + contacts`, 'desc')
    .orderBy('tag')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({ name: r.tag, conversations: Number(r.conversations), contacts: Number(r.contacts) }));
}
