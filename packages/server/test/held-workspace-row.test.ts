import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Kysely, Transaction } from 'kysely';
import { Change } from '../src/storage/change.js';
import type { Database } from '../src/storage/schema.js';
import { markWorkflowDeleted } from '../src/storage/workflows.js';
import { TestServer } from '../src/testing.js';

// Units of one group commit hand the locked workspace row on to each other (storage/change.ts,
// `transactionMemo` in storage/group-commit.ts) instead of reading it again. What they hand on must
// never be what a rolled-back unit wrote, nor a rules stamp older than one bumped in between.

/** A server and workspace, and the workspace's committed seq. */
async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const { storage } = server.server.deps;
  /** The workspace's stored seq, as `db` (the database, or a transaction) sees it. */
  const seqOf = async (db: Kysely<Database> = storage.db) => Number((await db.selectFrom('workspaces').select('seq').where('id', '=', ws.id).executeTakeFirstOrThrow()).seq);
  return { server, ws, storage, seqOf };
}

test('the workspace row handed between units of one transaction: not after a unit rolled back to its savepoint, nor across a rules stamp bump', async (t) => {
  const { server, ws, storage, seqOf } = await setup(t);
  const before = await seqOf();
  const now = server.clock!.now();

  const lastTrx: (Transaction<Database> | null)[] = [null, null, null];
  const took = (i: number) =>
    storage.write(async (trx) => {
      lastTrx[i] = trx;
      const change = new Change(trx, ws.id, now);
      const seq = await change.nextSeq();
      const stamp = change.rulesStamp;
      await change.finish();
      return { seq, stamp };
    });
  // Submitted in one turn, so one group. The first unit to fail sends the group to savepoints (it is
  // left out of the second run); the next one fails only on that second run, after its finish (as a
  // unit whose idempotent reply cannot be stored would), so its savepoint is rolled back.
  const refuse = () =>
    storage.write(async () => {
      throw new Error('refused');
    });
  let runs = 0;
  const failing = storage.write(async (trx) => {
    const change = new Change(trx, ws.id, now);
    await change.nextSeq();
    await change.nextSeq();
    await change.finish();
    if (++runs === 2) throw new Error('refused after finish, on the second run');
  });
  const results = await Promise.allSettled([took(0), failing, took(1), storage.write((trx) => markWorkflowDeleted(trx, ws.id, 'wf_none', now)), took(2), refuse()]);

  assert.equal(runs, 2, 'the group ran again in savepoints');
  assert.equal(results[1].status, 'rejected');
  const [a, b, c] = [results[0], results[2], results[4]].map((r) => (r as PromiseFulfilledResult<{ seq: number; stamp: number }>).value);
  assert.ok(lastTrx[0] === lastTrx[1] && lastTrx[1] === lastTrx[2], 'the three committed in one transaction');
  assert.deepEqual([a!.seq, b!.seq, c!.seq], [before + 1, before + 2, before + 3], 'no seq of the rolled-back unit is carried on');
  assert.equal(await seqOf(), before + 3);
  assert.equal(a!.stamp, b!.stamp);
  assert.notEqual(c!.stamp, b!.stamp, 'the unit after the bump read the new stamp');
});

test('a transaction the group committer does not run writes the workspace row at once (nothing deferred is lost)', async (t) => {
  const { server, ws, storage, seqOf } = await setup(t);
  const before = await seqOf();
  await storage.db.transaction().execute(async (trx) => {
    const change = new Change(trx, ws.id, server.clock!.now());
    await change.nextSeq();
    await change.nextSeq();
    await change.finish();
    assert.equal(await seqOf(trx), before + 2, 'written in the transaction');
  });
  assert.equal(await seqOf(), before + 2);
});
