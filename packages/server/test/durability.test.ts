import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { serverOptionsFromEnv } from '../src/env-options.js';
import { TestServer, tempDbFile } from '../src/testing.js';

// An acknowledged write survives a power cut on a database file as it does on PostgreSQL: SQLite
// syncs its WAL at each commit (synchronous = FULL) unless the operator chose otherwise. A power
// cut cannot be staged in a test; what is checked is the setting the writer runs with.

async function writerSynchronous(server: TestServer): Promise<number> {
  const { rows } = await server.server.deps.storage.write((trx) => sql<{ synchronous: number }>`PRAGMA synchronous`.execute(trx));
  return rows[0]!.synchronous;
}

it("a database file syncs each commit unless BATON_SQLITE_SYNCHRONOUS says normal", async (t) => {
  const byDefault = await TestServer.startFor(t, { db: tempDbFile(t, 'default') });
  assert.equal(await writerSynchronous(byDefault), 2, 'FULL');
  const normal = await TestServer.startFor(t, { db: tempDbFile(t, 'normal'), sqliteSynchronous: 'normal' });
  assert.equal(await writerSynchronous(normal), 1, 'NORMAL');

  assert.equal(serverOptionsFromEnv({ BATON_SQLITE_SYNCHRONOUS: 'NORMAL' }).sqliteSynchronous, 'normal');
  assert.equal(serverOptionsFromEnv({ BATON_SQLITE_SYNCHRONOUS: 'full' }).sqliteSynchronous, 'full');
  assert.equal(serverOptionsFromEnv({}).sqliteSynchronous, undefined);
  assert.throws(() => serverOptionsFromEnv({ BATON_SQLITE_SYNCHRONOUS: 'off' }), /BATON_SQLITE_SYNCHRONOUS must be full or normal, got off/);
});
