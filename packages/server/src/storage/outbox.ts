import type { Kysely, Selectable } from 'kysely';
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
