import { sql, type Kysely, type Selectable } from 'kysely';
import { prepared } from './prepared.js';
import type { Database, OutboxRow } from './schema.js';

/**
 * The outbox as its relay reads it, and the durable consumers' places in it. Rows are written by
 * `Change.publish` (storage/change.ts), inside the command's unit of work.
 */

type Q = Kysely<Database>;

/** The relay's read, once per drain: prepared like the rest of the write path. */
export const outboxAfter = prepared<{ from: number; limit: number }, Selectable<OutboxRow>>(['from', 'limit'], (db, { from, limit }) =>
  db.selectFrom('outbox').selectAll().where('id', '>', from).orderBy('id').limit(limit),
);

/**
 * One workspace's rows from `fromSeq` on, up to id `upToId`, in order: how a consumer that is fair
 * between workspaces reads the rows it did not hold (outbox/workspace-feeds.ts). Ordered by seq on
 * the (workspace_id, seq) index; a workspace's seq and id grow together (one writer hands out both).
 */
export const outboxOfWorkspace = prepared<{ workspaceId: string; fromSeq: number; upToId: number; limit: number }, Selectable<OutboxRow>>(
  ['workspaceId', 'fromSeq', 'upToId', 'limit'],
  (db, { workspaceId, fromSeq, upToId, limit }) =>
    db.selectFrom('outbox').selectAll().where('workspace_id', '=', workspaceId).where('seq', '>=', fromSeq).where('id', '<=', upToId).orderBy('seq').limit(limit),
);

export async function lastOutboxId(db: Q): Promise<number> {
  const row = await db.selectFrom('outbox').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** Where a durable consumer stopped; undefined for a consumer never seen. */
export async function consumerPosition(db: Q, consumer: string): Promise<number | undefined> {
  const row = await db.selectFrom('consumer_offsets').select('last_id').where('consumer', '=', consumer).executeTakeFirst();
  return row ? Number(row.last_id) : undefined;
}

const upsertPosition = prepared<{ consumer: string; last_id: number }>(['consumer', 'last_id'], (db, row) =>
  db
    .insertInto('consumer_offsets')
    .values(row)
    .onConflict((oc) => oc.column('consumer').doUpdateSet((eb) => ({ last_id: eb.ref('excluded.last_id') }))),
);

/** Stores durable consumers' places; prepared, as it runs after every relay pass. */
export async function storeConsumerPositions(db: Q, entries: readonly { name: string; position: number }[]): Promise<void> {
  for (const { name, position } of entries) await upsertPosition(db, { consumer: name, last_id: position });
}

/** A durable consumer's stored place, and what the outbox keeps for it. */
export interface DurablePlace {
  name: string;
  /** Rows up to this id have been handed to it. */
  position: number;
  /** When the first row after its place was written (epoch ms); null when it has every row. */
  pendingSince: number | null;
}

/** Every durable consumer's stored place, by name, with the time of the oldest row it has not been handed. */
export async function durablePlaces(db: Q): Promise<DurablePlace[]> {
  const rows = await db
    .selectFrom('consumer_offsets')
    .select((eb) => [
      'consumer',
      'last_id',
      eb.selectFrom('outbox').select('outbox.created_at').whereRef('outbox.id', '>', 'consumer_offsets.last_id').orderBy('outbox.id').limit(1).as('pending_since'),
    ])
    .orderBy('consumer')
    .execute();
  return rows.map((r) => ({ name: r.consumer, position: Number(r.last_id), pendingSince: r.pending_since == null ? null : Number(r.pending_since) }));
}

/**
 * Forgets a durable consumer's place, so the outbox no longer keeps rows for it; true when there was
 * one. For a consumer no process runs any more: one that does starts from the end of the outbox
 * when it next registers, and never sees what was written meanwhile.
 */
export async function retireDurablePlace(db: Q, name: string): Promise<boolean> {
  const result = await db.deleteFrom('consumer_offsets').where('consumer', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Per workspace, the highest seq the retention sweep deleted (0: none); every later row of the workspace is still there. */
export async function prunedSeqOf(db: Q, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('outbox_pruned').select('seq').where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

export interface OutboxPrune {
  /** Rows created before this time (epoch ms) may go. */
  before: number;
  /** Rows at or above this id stay whatever their age: rows some consumer of this process has not been handed yet. */
  keepFrom: number;
  batch: number;
}

/**
 * Deletes the oldest outbox rows, at most `batch`, and records each workspace's highest deleted seq
 * in `outbox_pruned` in the same unit; returns how many rows went. Only a prefix in id order is ever
 * deleted, stopping at the first row young enough to keep, so per workspace the rows left are exactly
 * those after its `outbox_pruned` seq (what replay and `deliveredSeq` rely on). Never deleted: a row
 * at or above any durable consumer's stored place (it may not have been handed to it yet; a crash
 * may replay it), at or above `keepFrom`, or the newest row (`lastOutboxId` and the places derived
 * from it never go back). Ids are AUTOINCREMENT (bigserial on PostgreSQL), so they are never reused.
 */
export async function deleteOutboxBefore(db: Q, { before, keepFrom, batch }: OutboxPrune): Promise<number> {
  const bounds = await db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.max('id').as('newest'), eb.selectFrom('consumer_offsets').select((o) => o.fn.min('last_id').as('p')).as('durable')])
    .executeTakeFirst();
  if (bounds?.newest == null) return 0;
  let below = Math.min(Number(bounds.newest), keepFrom);
  if (bounds.durable != null) below = Math.min(below, Number(bounds.durable));
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'workspace_id', 'seq', 'created_at'])
    .where('id', '<', below)
    .orderBy('id')
    .limit(batch)
    .execute();
  const old = rows.findIndex((r) => Number(r.created_at) >= before);
  const doomed = old === -1 ? rows : rows.slice(0, old);
  if (doomed.length === 0) return 0;
  const lastSeq = new Map<string, number>();
  for (const r of doomed) lastSeq.set(r.workspace_id, Math.max(lastSeq.get(r.workspace_id) ?? 0, Number(r.seq)));
  for (const [workspace_id, seq] of lastSeq) {
    await db
      .insertInto('outbox_pruned')
      .values({ workspace_id, seq })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ seq: sql`CASE WHEN excluded.seq > outbox_pruned.seq THEN excluded.seq ELSE outbox_pruned.seq END` }))
      .execute();
  }
  const result = await db
    .deleteFrom('outbox')
    .where('id', '>=', Number(doomed[0]!.id))
    .where('id', '<=', Number(doomed[doomed.length - 1]!.id))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
