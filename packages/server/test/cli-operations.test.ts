import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'libsql';
import { listenPort } from '../src/env-options.js';
import { LATEST_MIGRATION, MIGRATION_VERSIONS } from '../src/storage/migrate.js';
import { baton, running, serve } from './support/cli.js';

/** What an operator running `baton` sees: its settings checked at boot, what it says at start, and migrations. */

function dbFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-ops-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'baton.db');
}

test('the port: the flag, else PORT, else 3000; an empty PORT is unset; anything else is refused by name', () => {
  assert.equal(listenPort('4100', { PORT: '5000' }), 4100);
  assert.equal(listenPort(undefined, { PORT: '5000' }), 5000);
  assert.equal(listenPort(undefined, {}), 3000);
  assert.equal(listenPort(undefined, { PORT: '' }), 3000, 'not 0, which would listen on any free port');
  assert.throws(() => listenPort(undefined, { PORT: 'abc' }), { message: 'PORT must be a port number (0 to 65535), got "abc"' });
  assert.throws(() => listenPort('70000', {}), { message: '--port must be a port number (0 to 65535), got "70000"' });
  assert.throws(() => listenPort('-1', {}), /--port must be a port number/);
});

test('serve refuses an SMTP_URL that is not an smtp(s) URL, without echoing it (it may hold a password)', async () => {
  for (const bad of ['notaurl', 'http://mail.example:25', 'smtp://user:hunter2@']) {
    const res = await serve({ SMTP_URL: bad });
    assert.equal(res.code, 1, bad);
    assert.match(res.stderr, /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/, bad);
    assert.ok(!res.stderr.includes('hunter2'));
  }
});

test('serve says its version, its database and the migrations it applied; the next start applies none', async (t) => {
  const db = dbFile(t);
  const first = await running(t, {}, db);
  // The test's admin token is short: said once at start, without the token.
  assert.match(first.stderr(), /\[baton\] BATON_ADMIN_TOKEN has 9 characters: anyone who guesses it can create workspaces\. Use 32 or more/);
  assert.ok(!first.stderr().includes('cli-admin'));
  assert.match(first.stdout(), new RegExp(`\\[baton\\] Baton \\d+\\.\\d+\\.\\d+, database ${db.replaceAll('.', '\\.')}, schema at migration ${LATEST_MIGRATION} \\(applied now: ${MIGRATION_VERSIONS.join(', ')}\\)\\n`));
  const second = await running(t, { BATON_ADMIN_TOKEN: 'a'.repeat(32) }, db);
  assert.match(second.stdout(), new RegExp(`schema at migration ${LATEST_MIGRATION}\\n`));
  assert.ok(!second.stderr().includes('BATON_ADMIN_TOKEN'), 'no warning for a long one');
});

test('migrate says what it applied, then that there was nothing to apply; a database a newer Baton migrated is refused by migrate and serve', async (t) => {
  const db = dbFile(t);
  const fresh = await baton(['migrate', '--db', db]);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(fresh.stdout, `[baton] applied migrations ${MIGRATION_VERSIONS.join(', ')}; ${db} is at migration ${LATEST_MIGRATION}\n`);
  const again = await baton(['migrate', '--db', db]);
  assert.equal(again.stdout, `[baton] ${db} was already at migration ${LATEST_MIGRATION}; nothing to apply\n`);

  // An upgrade to a newer build, rolled back: its migration stays recorded.
  const file = new Database(db, { timeout: 5000 });
  file.prepare('insert into baton_migrations (version, name, applied_at) values (?, ?, ?)').run(LATEST_MIGRATION + 1, 'from_a_newer_build', Date.now());
  file.close();
  const message = `this database was migrated by a newer Baton (migration ${LATEST_MIGRATION + 1}; this build knows up to ${LATEST_MIGRATION})`;
  const refused = await baton(['migrate', '--db', db]);
  assert.equal(refused.code, 1);
  assert.ok(refused.stderr.includes(message), refused.stderr);
  const served = await serve({}, db);
  assert.equal(served.code, 1);
  assert.ok(served.stderr.includes(message), served.stderr);
});

test('backup copies a database a node is writing to: as of one instant, every acknowledged write in it, and it opens', async (t) => {
  const db = dbFile(t);
  const node = await running(t, {}, db);
  const { apiKey } = await node.api('/v1/workspaces', 'cli-admin', { name: 'Acme' });
  const create = (i: number) => node.post('/v1/conversations', apiKey, { contact: { name: `Customer ${i}` }, channel: 'sms', message: { body: `hello ${i}` } });
  for (let i = 0; i < 40; i++) assert.equal((await create(i)).status, 201);
  // Writes keep coming while the copy is taken: a steady trickle, not a flood that would starve the
  // backup command's own start (it compiles with tsx) on a busy CI machine.
  let writing = true;
  const during = (async () => {
    let i = 40;
    while (writing) {
      assert.equal((await create(i++)).status, 201);
      await new Promise((r) => setTimeout(r, 20));
    }
    return i - 40;
  })();
  const out = join(db, '..', 'copy.db');
  const res = await baton(['backup', out, '--db', db]);
  writing = false;
  const writtenDuring = await during;
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, new RegExp(`^\\[baton\\] backed up ${db.replaceAll('.', '\\.')} to ${out.replaceAll('.', '\\.')} in \\d+ ms\\n$`));

  const copy = new Database(out, { timeout: 5000, readonly: true });
  t.after(() => copy.close());
  assert.deepEqual(copy.prepare('pragma integrity_check').all(), [{ integrity_check: 'ok' }]);
  const count = (copy.prepare('select count(*) as n from conversations').get() as { n: number }).n;
  assert.ok(count >= 40 && count <= 40 + writtenDuring, `${count} conversations: the 40 acknowledged before, and up to ${writtenDuring} made meanwhile`);
  // Each conversation in the copy is whole: its first message came with it (one transaction).
  assert.equal((copy.prepare("select count(*) as n from timeline where kind = 'message'").get() as { n: number }).n, count);

  const again = await baton(['backup', out, '--db', db]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /copy\.db exists: a backup is written to a new file/);
  const onPostgres = await baton(['backup', out], { DATABASE_URL: 'postgres://baton@127.0.0.1:5432/baton' });
  assert.equal(onPostgres.code, 1);
  assert.match(onPostgres.stderr, /for PostgreSQL use pg_dump/);
});
