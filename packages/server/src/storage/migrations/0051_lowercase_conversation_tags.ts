import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Conversation tags get the one spelling contacts' have always had (docs/decisions.md, "Session 8:
 * one spelling per tag"): lower case by JavaScript's `toLowerCase`, a tag once, order kept. Until
 * now a conversation kept a tag as given, so `VIP` and `vip` were two tags in `GET /v1/tags`, the
 * list's `tag` filter and `conversation_tags`.
 *
 * Conversations are walked by id in batches, by plain reads and writes (the same on both engines),
 * as 0022 walked them: a row whose `tags` JSON changes is rewritten (its `version` stays: nothing an
 * agent did changed, and no timeline event says otherwise), and its `conversation_tags` rows are
 * replaced. The conversation counts of `workspace_tags` (0050) are then counted again, from
 * `conversation_tags` (a primary-key range per tag), for each (workspace, tag) a rewritten
 * conversation had or has, so `VIP` (3) and `vip` (2) become `vip` (5); a row left carrying nothing
 * leaves the table. Contacts are lower case already and their counts are not touched.
 *
 * The spelling is copied here rather than imported (`normalizeTags` in @baton/protocol): a migration
 * runs on the data as it was when it was written and imports nothing that may change after it.
 */
const spell = (tags: readonly string[]): string[] => [...new Set(tags.map((t) => t.toLowerCase()))];

/** `batchSize` is the conversations read per step; tests pass a small one to cross batch edges. */
export async function up(db: Kysely<any>, _engine: Engine, batchSize = 500): Promise<void> {
  // (workspace, tag) pairs whose conversation count may have moved.
  const touched = new Map<string, { workspace_id: string; tag: string }>();
  const touch = (workspaceId: string, tag: string) => touched.set(JSON.stringify([workspaceId, tag]), { workspace_id: workspaceId, tag });

  let after = '';
  for (;;) {
    const rows = (await db
      .selectFrom('conversations')
      .select(['id', 'workspace_id', 'tags'])
      .where('id', '>', after)
      .where('tags', '<>', '[]')
      .orderBy('id')
      .limit(batchSize)
      .execute()) as { id: string; workspace_id: string; tags: string }[];
    if (!rows.length) break;
    after = rows[rows.length - 1]!.id;

    const changed: { id: string; workspace_id: string; tags: string[] }[] = [];
    for (const r of rows) {
      const was = JSON.parse(r.tags) as string[];
      const is = spell(was);
      if (JSON.stringify(is) === r.tags) continue;
      changed.push({ id: r.id, workspace_id: r.workspace_id, tags: is });
      for (const tag of new Set([...was, ...is])) touch(r.workspace_id, tag);
    }
    if (!changed.length) continue;

    for (const c of changed) await db.updateTable('conversations').set({ tags: JSON.stringify(c.tags) }).where('id', '=', c.id).execute();
    await db
      .deleteFrom('conversation_tags')
      .where('conversation_id', 'in', changed.map((c) => c.id))
      .execute();
    const values = changed.flatMap((c) => c.tags.map((tag) => ({ workspace_id: c.workspace_id, tag, conversation_id: c.id })));
    // Bounded per statement whatever the tags per conversation (three parameters a row).
    for (let i = 0; i < values.length; i += 1000) await db.insertInto('conversation_tags').values(values.slice(i, i + 1000)).execute();
  }

  for (const { workspace_id, tag } of touched.values()) {
    const { n } = (await db
      .selectFrom('conversation_tags')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('workspace_id', '=', workspace_id)
      .where('tag', '=', tag)
      .executeTakeFirstOrThrow()) as { n: number | string };
    const conversations = Number(n);
    if (conversations > 0) {
      await db
        .insertInto('workspace_tags')
        .values({ workspace_id, tag, folded: tag.toLowerCase(), conversations, contacts: 0 })
        .onConflict((oc) => oc.columns(['workspace_id', 'tag']).doUpdateSet({ conversations }))
        .execute();
    } else {
      await db.updateTable('workspace_tags').set({ conversations: 0 }).where('workspace_id', '=', workspace_id).where('tag', '=', tag).execute();
      await db
        .deleteFrom('workspace_tags')
        .where('workspace_id', '=', workspace_id)
        .where('tag', '=', tag)
        .where('contacts', '<=', 0)
        .execute();
    }
  }
}
