import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import Sqlite from 'libsql';
import { ManualClock } from '../src/clock.js';
import { WalCheckpointer } from '../src/storage/wal-checkpointer.js';
import { tempDbFile } from '../src/testing.js';

/** WAL checkpoints on a worker thread (storage/wal-checkpointer.ts), scheduled by the injected clock. */

function setup(t: TestContext) {
  const file = tempDbFile(t, 'checkpoint');
  const writer = new Sqlite(file, { timeout: 5000 });
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0'); // only the checkpointer copies the log back
  writer.exec('CREATE TABLE rows (n INTEGER, body TEXT)');
  const insert = writer.prepare('INSERT INTO rows (n, body) VALUES (?, ?)');
  const write = (count: number) => {
    for (let i = 0; i < count; i++) insert.run(i, 'x'.repeat(500));
  };
  const clock = new ManualClock();
  const checkpointer = new WalCheckpointer(file, clock, 200);
  t.after(async () => {
    await checkpointer.close();
    writer.close();
  });
  return { file, writer, write, clock, checkpointer };
}

test('a checkpoint copies every committed frame back into the database file', async (t) => {
  const { file, write, checkpointer, writer } = setup(t);
  write(200);
  const before = statSync(file).size;
  const result = await checkpointer.checkpoint();
  assert.ok(result.log > 0, 'the writer left frames in the log');
  assert.equal(result.checkpointed, result.log);
  assert.ok(statSync(file).size > before, 'the database file grew with the copied pages');
  // The writer goes on writing, and the next checkpoint finds only the new frames.
  write(10);
  const next = await checkpointer.checkpoint();
  assert.equal(next.checkpointed, next.log);
  assert.equal((writer.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n, 210);
});

test('checkpoints run on the clock: one per interval, the next scheduled after the last finishes', async (t) => {
  const { write, clock, checkpointer } = setup(t);
  write(50);
  checkpointer.start();
  clock.advance(199);
  await checkpointer.idle();
  assert.equal(checkpointer.completed, 0, 'not due yet');
  clock.advance(1);
  await checkpointer.idle();
  assert.equal(checkpointer.completed, 1);
  // Rescheduled once finished (a microtask after the reply), then due again one interval later.
  await new Promise((resolve) => setImmediate(resolve));
  clock.advance(200);
  await checkpointer.idle();
  assert.equal(checkpointer.completed, 2);
  await checkpointer.close();
  clock.advance(1_000);
  assert.equal(checkpointer.completed, 2, 'nothing after close');
  await assert.rejects(checkpointer.checkpoint(), /closed/);
});
