import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { TestServer } from '../../src/testing.js';

/**
 * Every row of every table a request can write, read straight from the server's database (SQLite
 * or PostgreSQL), once the changes committed so far have gone through their consumers: two equal
 * images mean nothing was written in between, in any workspace, whether or not the API shows it
 * (an outbox row, an idempotency key, a workspace whose creation was refused).
 *
 * Left out (`BACKGROUND_TABLES`, shared with idempotent-replies.test.ts's observer) is what
 * background work keeps on its own schedule: delivery jobs, their attempts and
 * each destination's circuit (a delivery may still be trying when a later image is taken), consumers'
 * places in the outbox, what the outbox's pruning keeps, timer rebuilds' progress, the search
 * index's progress and rows, read bands, server keys, the migrations' ledger. A request reaches
 * those only through rows that are in the image.
 *
 * It replaces reading everything back through the API (about 40 GETs a time) where a test takes
 * one after each of hundreds of refused requests: 0.4 s against 9.6 s for write-fuzz's 245 on
 * SQLite, 1.6 s against 13.7 s on PostgreSQL (docs/decisions.md, session 26).
 */
export const BACKGROUND_TABLES = /^(baton_migrations|consumer_offsets|delivery_circuits|jobs|job_attempts|outbox_pruned|read_bands|search_progress|server_keys|sqlite_.*|timeline_fts.*|timer_rebuilds)$/;

/** Table name → its rows as JSON text, sorted, so only their content is compared. */
export type DatabaseImage = Record<string, string[]>;

export async function databaseImage(server: TestServer): Promise<DatabaseImage> {
  await server.settle();
  const { db, engine } = server.server.deps.storage;
  const tables =
    engine === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  const names = tables.rows.map((t) => t.name).filter((name) => !BACKGROUND_TABLES.test(name)).sort();
  const rows = await Promise.all(names.map(async (name) => (await sql<object>`select * from ${sql.table(name)}`.execute(db)).rows));
  return Object.fromEntries(names.map((name, i) => [name, rows[i]!.map((row) => JSON.stringify(row)).sort()]));
}

/** Fails with the rows that appeared or went away since `before`, table by table. */
export async function assertNothingWritten(server: TestServer, before: DatabaseImage, what: string): Promise<void> {
  const after = await databaseImage(server);
  const changes: string[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    // Counted, not a set: a second copy of a row with no key of its own is a change too.
    const count = new Map<string, number>();
    for (const row of before[table] ?? []) count.set(row, (count.get(row) ?? 0) - 1);
    for (const row of after[table] ?? []) count.set(row, (count.get(row) ?? 0) + 1);
    for (const [row, n] of count) if (n !== 0) changes.push(`${table} ${n > 0 ? '+' : '-'}${Math.abs(n)} ${row}`);
  }
  assert.equal(changes.length, 0, `${what}; rows changed:\n${changes.join('\n').slice(0, 4000)}`);
}
