import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import Sqlite from 'libsql';
import { ManualClock } from '../src/clock.js';
import type { OutboxRecord } from '../src/outbox/changes.js';
import { toRecord } from '../src/outbox/relay.js';
import { WorkspaceFeeds } from '../src/outbox/workspace-feeds.js';
import type { Storage } from '../src/storage/db.js';
import { lastOutboxId, outboxAfter } from '../src/storage/outbox.js';
import { TestServer, tempDbFile, type TestWorkspace, expectStatus as ok, turnsUntil } from '../src/testing.js';

// The rules runner's feeds (outbox/workspace-feeds.ts): fair between workspaces, bounded in memory,
// and storing a place below every row not finished.

/** Workspace A's `many` conversations, then workspace B's `few`, as real outbox rows. */
async function backlog(t: TestContext, many: number, few: number) {
  const server = await TestServer.startFor(t);
  const a = await server.createWorkspace('A');
  const b = await server.createWorkspace('B');
  await server.settle();
  const storage = server.server.deps.storage;
  const from = await lastOutboxId(storage.db);
  const create = async (ws: TestWorkspace, n: number) => {
    const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
    for (let i = 0; i < n; i++) await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: `hello ${i}` } }), 201);
  };
  await create(a, many);
  await create(b, few);
  const records = (await outboxAfter(storage.db, { from, limit: 10_000 })).rows.map(toRecord);
  return { storage, records, a: a.id, b: b.id };
}

/** Feeds over `storage` whose batches are recorded; `handleBatch` may be replaced to hold or fail one. */
function recordingFeeds(storage: Storage, options: { batchSize: number; heldPerWorkspace: number; heldInAll?: number; readSize?: number }) {
  const clock = new ManualClock();
  const batches: OutboxRecord[][] = [];
  const errors: unknown[] = [];
  const hooks: { before?: (batch: OutboxRecord[], n: number) => Promise<void> | void } = {};
  const feeds = new WorkspaceFeeds({
    name: 'test-feeds',
    storage,
    clock,
    ...options,
    retryMs: 1_000,
    handleBatch: async (batch) => {
      await hooks.before?.(batch, batches.length);
      batches.push(batch);
    },
  });
  feeds.attach({ settled: () => {}, failed: (error) => errors.push(error) });
  return { feeds, clock, batches, errors, hooks };
}

const idsOf = (records: readonly OutboxRecord[], workspaceId?: string) => records.filter((r) => !workspaceId || r.workspaceId === workspaceId).map((r) => r.id);

describe('workspace feeds', () => {
  for (const [bounds, held] of [
    ['5 rows a workspace', { heldPerWorkspace: 5, readSize: 3 }],
    ['4 rows in all', { heldPerWorkspace: 100, heldInAll: 4, readSize: 3 }],
  ] as const) {
    it(`a workspace's rows wait behind one batch, not behind another workspace's backlog; every row is handled once, in its workspace's order (memory: ${bounds})`, async (t) => {
      const { storage, records, a, b } = await backlog(t, 40, 3);
      const { feeds, batches } = recordingFeeds(storage, { batchSize: 8, ...held });
      const bIds = idsOf(records, b);
      assert.ok(Math.min(...bIds) > Math.max(...idsOf(records, a)), "B's rows all come after A's in the outbox");

      await feeds.handle(records);
      await feeds.idle();

      const handled = batches.flat();
      assert.deepEqual(
        handled.map((r) => r.id).sort((x, y) => x - y),
        idsOf(records),
        'each row once',
      );
      for (const ws of [a, b]) assert.deepEqual(idsOf(handled, ws), idsOf(records, ws), 'a workspace in its outbox order');
      // B's rows take turns with A's from the first batch on, though most of A's were read back from the outbox.
      const firstOfB = handled.findIndex((r) => r.workspaceId === b);
      assert.ok(firstOfB < 2, `B's first row was handled at ${firstOfB}`);
      const lastOfB = handled.findLastIndex((r) => r.workspaceId === b);
      assert.ok(lastOfB < 2 * bIds.length, `B's last row was handled at ${lastOfB} of ${handled.length}`);
      assert.equal(feeds.settled(), null, 'nothing left');
    });
  }

  it('the place to store stays below the oldest row not finished, though later rows of another workspace are', async (t) => {
    const { storage, records, a, b } = await backlog(t, 12, 2);
    const { feeds, batches, hooks } = recordingFeeds(storage, { batchSize: 4, heldPerWorkspace: 100 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    hooks.before = (_batch, n) => (n === 1 ? held : undefined);

    await feeds.handle(records);
    // The first batch (two of A's rows and two of B's) is done; the second is held.
    await turnsUntil(() => batches.length >= 1, 'the first batch ran');
    await new Promise((resolve) => setImmediate(resolve));
    const [first] = batches;
    assert.equal(idsOf(first!, b).length, 2, "B's rows all went in the first batch");
    const oldestOfA = idsOf(records, a).find((id) => !idsOf(first!).includes(id))!;
    assert.equal(feeds.settled(), oldestOfA - 1, "below A's oldest row not finished, so a restart replays it (and B's, which are idempotent)");
    assert.ok(feeds.busy());

    release();
    await feeds.idle();
    assert.equal(feeds.settled(), null);
    assert.equal(batches.flat().length, records.length);
  });

  it("a failed batch goes back in the same order and runs again on the clock's retry, or at once when new rows come", async (t) => {
    const { storage, records, a } = await backlog(t, 6, 1);
    const { feeds, batches, errors, hooks, clock } = recordingFeeds(storage, { batchSize: 4, heldPerWorkspace: 100 });
    let failures = 1;
    hooks.before = () => {
      if (failures-- > 0) throw new Error('database is busy');
    };
    const head = records.slice(0, 5);
    const rest = records.slice(5);
    await feeds.handle(head);
    await feeds.idle();
    assert.equal(errors.length, 1);
    assert.equal(batches.length, 0);
    assert.equal(feeds.settled(), head[0]!.id - 1, 'nothing finished');

    clock.advance(1_000);
    await feeds.idle();
    assert.equal(batches.flat().length, head.length, 'the retry ran them');

    failures = 1;
    await feeds.handle(rest);
    await feeds.idle();
    assert.equal(errors.length, 2);
    // A new row wakes the feeds before the clock does.
    await feeds.handle([]);
    await feeds.idle();
    assert.deepEqual(idsOf(batches.flat(), a), idsOf(records, a), "A's rows once each, in order");
    assert.equal(batches.flat().length, records.length);
  });

  it('a failed read of rows not held is retried like a failed batch', async (t) => {
    const { storage, records, a } = await backlog(t, 10, 0);
    let failures = 1;
    // The feeds read unheld rows through `db`; the first read fails.
    const flaky: Storage = Object.create(storage, {
      db: {
        get: () => {
          if (failures-- > 0) throw new Error('disk I/O error');
          return storage.db;
        },
      },
    });
    const { feeds, batches, errors, clock } = recordingFeeds(flaky, { batchSize: 4, heldPerWorkspace: 3, readSize: 3 });
    await feeds.handle(records);
    await feeds.idle();
    assert.equal(errors.length, 1);
    clock.advance(1_000);
    await feeds.idle();
    assert.deepEqual(idsOf(batches.flat(), a), idsOf(records, a), 'every row once, in order, after the retry');
    assert.equal(feeds.settled(), null);
  });

  it("rows handed while a workspace's unheld rows are read from the outbox are read next, not lost", async (t) => {
    const { storage, records, a } = await backlog(t, 20, 0);
    const { feeds, batches } = recordingFeeds(storage, { batchSize: 4, heldPerWorkspace: 3, readSize: 3 });
    const first = records.slice(0, 10);
    const second = records.slice(10);
    await feeds.handle(first);
    // Handed while the worker reads A's unheld rows (up to the end of `first`) from the outbox.
    await feeds.handle(second);
    await feeds.idle();
    assert.deepEqual(idsOf(batches.flat(), a), idsOf(records, a));
  });
});

describe('the rules runner with a backlog', () => {
  it("after a restart with one workspace's backlog of 300 creates, another workspace's conversations are routed within the first batches", async (t) => {
    const file = tempDbFile(t, 'feeds');
    const first = await TestServer.startFor(t, { db: file });
    const setup = async (name: string, n: number) => {
      const ws = await first.createWorkspace(name);
      const admin = await ws.addAgent('admin', { role: 'admin', capacity: 1_000 });
      const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        ids.push((await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: `hello ${i}` } }), 201)).conversation.id);
      }
      return { ws, admin, ids };
    };
    const a = await setup('A', 300);
    const b = await setup('B', 3);
    await first.settle();
    // The rules go live after the creates were passed over, and the runner's place goes back to
    // before them: a restart finds A's 300 creates ahead of B's 3.
    for (const { admin } of [a, b]) {
      const { workflow } = await ok(
        admin.call('POST', '/v1/workflows', { name: 'Everyone → admin', trigger: { event: 'conversation.created' }, actions: [{ type: 'assign', steps: [{ pool: { agents: [admin.id] }, strategy: 'round_robin' }] }] }),
        201,
      );
      await ok(admin.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    }
    await first.settle();
    await first.close();
    const db = new Sqlite(file);
    assert.equal(db.prepare("UPDATE consumer_offsets SET last_id = 0 WHERE consumer = 'workflows'").run().changes, 1);
    db.close();

    const restarted = await TestServer.startFor(t, { db: file });
    await restarted.settle();
    for (const { ws, admin, ids } of [a, b]) {
      for (const id of [ids[0]!, ids[ids.length - 1]!]) {
        const { conversation } = await ok(restarted.request('GET', `/v1/conversations/${id}`, { token: ws.apiKey }), 200);
        assert.equal(conversation.assigneeId, admin.id);
      }
    }
    const after = new Sqlite(file);
    const order = after.prepare('SELECT workspace_id FROM workflow_runs ORDER BY rowid').all() as { workspace_id: string }[];
    after.close();
    assert.equal(order.length, 303, 'one run per create');
    const lastOfB = order.findLastIndex((r) => r.workspace_id === b.ws.id);
    assert.ok(lastOfB < 20, `B's last run was number ${lastOfB + 1} of 303 (in outbox order it would be the last)`);
  });
});
