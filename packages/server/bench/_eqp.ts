import Sqlite from 'libsql';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { VIEWS } from '@baton/protocol';
import { listView, countViews } from '../src/storage/conversations.js';
import { fixturePath, WORKSPACE_ID, TYPICAL_AGENT } from './fixture.js';
const file = fixturePath(Number(process.env.BENCH_ROWS ?? 100000));
const raw = new Sqlite(file);
const queries: { sql: string; parameters: readonly unknown[] }[] = [];
const db = new Kysely<any>({ dialect: new SqliteDialect({ database: raw as never }), log: (e) => { if (e.level === 'query') queries.push(e.query as never); } });
for (const v of VIEWS) {
  await listView(db, WORKSPACE_ID, TYPICAL_AGENT, v, 50, null);
  await listView(db, WORKSPACE_ID, TYPICAL_AGENT, v, 50, { lastMessageAt: 1750000000000, id: 'conv_zzzz' });
}
await countViews(db, WORKSPACE_ID, TYPICAL_AGENT);
for (const q of queries) {
  console.log('\n' + q.sql);
  for (const r of raw.prepare('EXPLAIN QUERY PLAN ' + q.sql).all(...q.parameters) as any[]) console.log('   ', r.id, r.parent, r.detail);
}
