import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import { sql } from 'kysely';
import { Housekeeping } from '../src/housekeeping.js';
import { newId } from '../src/ids.js';
import type { OutboxRecord } from '../src/outbox/changes.js';
import { startServer } from '../src/server.js';
import type { Storage } from '../src/storage/db.js';
import { enqueueJobs } from '../src/storage/jobs.js';
import { insertNotification } from '../src/storage/notifications.js';
import { deleteOutboxBefore, lastOutboxId, storeConsumerPositions } from '../src/storage/outbox.js';
import { TestServer, tempDbFile, type TestWorkspace, expectStatus as ok } from '../src/testing.js';

// Session 8: the hourly sweep deletes outbox rows past 7 days (never one a consumer has not been
// handed), finished delivery jobs past 30 and notifications past 90 (unread ones past 365), on the
// injected clock; replay and `deliveredSeq` stay right when a workspace's rows are gone.

const DAY = 24 * 3600_000;

async function inbound(ws: TestWorkspace) {
  return (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'hi' } }), 201)).conversation as { id: string };
}

/** A fresh agent token (the clock moves days, tokens last an hour). */
async function tokenFor(server: TestServer, ws: TestWorkspace, agentId: string): Promise<string> {
  return (await ok(server.request('POST', '/v1/tokens', { token: ws.apiKey, body: { agentId } }), 201)).token;
}

async function outboxRows(storage: Storage, workspaceId?: string) {
  let q = storage.db.selectFrom('outbox').select(['id', 'seq', 'workspace_id']).orderBy('id');
  if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
  return (await q.execute()).map((r) => ({ id: Number(r.id), seq: Number(r.seq), workspaceId: r.workspace_id }));
}

/** The server's own sweep, run to the end (the scheduled one may be running after a clock jump). */
async function sweep(server: TestServer): Promise<number> {
  const { housekeeping } = server.server.deps;
  await housekeeping.idle();
  return housekeeping.sweep();
}

describe('outbox retention', () => {
  it('deletes rows past the retention, oldest first, a batch per unit; keeps younger rows and always the newest', async (t) => {
    const server = await TestServer.startFor(t);
    const { storage } = server.server.deps;
    const ws = await server.createWorkspace('Acme');
    for (let i = 0; i < 5; i++) await inbound(ws);
    await server.settle();
    const old = await outboxRows(storage);
    // Stopped, so the jump below does not start a sweep before the batches are looked at.
    server.server.deps.housekeeping.stop();
    server.clock!.advance(8 * DAY);
    await inbound(ws);
    await server.settle();
    const young = (await outboxRows(storage)).filter((r) => r.id > old[old.length - 1]!.id);
    assert.ok(old.length >= 5 && young.length >= 1);

    // Two at a time, each call one unit: the oldest two go, then the next two.
    const unit = (batch: number) => storage.write((trx) => deleteOutboxBefore(trx, { before: server.clock!.now() - 7 * DAY, keepFrom: Infinity, batch }), 'background');
    assert.equal(await unit(2), 2);
    assert.deepEqual(await outboxRows(storage), [...old.slice(2), ...young]);
    assert.equal(await unit(2), 2);
    assert.deepEqual(await outboxRows(storage), [...old.slice(4), ...young]);

    const before = await lastOutboxId(storage.db);
    await sweep(server);
    assert.deepEqual(await outboxRows(storage), young, 'every row past 7 days went; the young ones stayed');
    assert.equal(await lastOutboxId(storage.db), before);

    // Everything old now, even the newest row: it stays, so the outbox's last id never goes back
    // (a sweeper not told where the relay is, and no durable place stored: only that rule keeps it).
    server.clock!.advance(8 * DAY);
    await storage.write((trx) => trx.deleteFrom('consumer_offsets').execute());
    await new Housekeeping(storage, server.clock!).sweep();
    assert.deepEqual(await outboxRows(storage), young.slice(-1));
    assert.equal(await lastOutboxId(storage.db), before);
  });

  it('ids are never reused, even if the outbox is emptied (AUTOINCREMENT)', async (t) => {
    const server = await TestServer.startFor(t);
    const { storage } = server.server.deps;
    const ws = await server.createWorkspace('Acme');
    await inbound(ws);
    await server.settle();
    const last = await lastOutboxId(storage.db);
    await storage.write((trx) => trx.deleteFrom('outbox').execute());
    await inbound(ws);
    await server.settle();
    const [first] = await outboxRows(storage);
    assert.equal(first!.id, last + 1);
  });

  it("keeps every row at or after a durable consumer's stored place; when it comes back it gets them all, then they go", async (t) => {
    const server = await TestServer.startFor(t);
    const { storage, relay } = server.server.deps;
    const ws = await server.createWorkspace('Acme');
    await inbound(ws);
    await inbound(ws);
    await server.settle();
    // A consumer of a process that is down, its place stored where the outbox ended.
    const place = await lastOutboxId(storage.db);
    await storage.write((trx) => storeConsumerPositions(trx, [{ name: 'test-behind', position: place }]));
    const created = [await inbound(ws), await inbound(ws), await inbound(ws)].map((c) => c.id);
    await server.settle();
    const waiting = (await outboxRows(storage)).filter((r) => r.id > place);
    assert.ok((await outboxRows(storage))[0]!.id < place, 'there are rows before its place');

    server.clock!.advance(8 * DAY);
    await sweep(server);
    assert.deepEqual(
      (await outboxRows(storage)).map((r) => r.id),
      [place, ...waiting.map((r) => r.id)],
      'its place and everything after it stayed',
    );

    const got: OutboxRecord[] = [];
    await relay.register({ name: 'test-behind', durable: true, handle: async (records) => void got.push(...records) });
    await relay.drain();
    assert.deepEqual(
      got.map((r) => r.id),
      waiting.map((r) => r.id),
      'resumed after its place, nothing missing',
    );
    assert.deepEqual(
      got.filter((r) => r.type === 'conversation.created').map((r) => r.conversationId),
      created,
    );

    await sweep(server);
    assert.deepEqual((await outboxRows(storage)).map((r) => r.id), [waiting[waiting.length - 1]!.id], 'once passed, they go too');
  });

  it('keeps the rows this process has not handed to every consumer yet (the relay place)', async (t) => {
    const server = await TestServer.startFor(t);
    const { storage } = server.server.deps;
    const ws = await server.createWorkspace('Acme');
    for (let i = 0; i < 3; i++) await inbound(ws);
    await server.settle();
    const rows = await outboxRows(storage);
    const handed = rows[rows.length - 3]!.id;
    server.clock!.advance(8 * DAY);
    const sweeper = new Housekeeping(storage, server.clock!, { outboxHandedUpTo: () => handed });
    await sweeper.sweep();
    assert.deepEqual(
      (await outboxRows(storage)).map((r) => r.id),
      rows.slice(-3).map((r) => r.id),
    );
  });
});

describe('durable places no process runs', () => {
  it("a stored place that holds changes past the retention and that this process does not run is warned about, once a day; one it runs is not", async (t) => {
    const server = await TestServer.startFor(t);
    const { storage, relay } = server.server.deps;
    const ws = await server.createWorkspace('Acme');
    await inbound(ws);
    await server.settle();
    server.server.deps.housekeeping.stop();
    // A consumer of an older version (a feature since removed), its place stored where the outbox ended.
    const place = await lastOutboxId(storage.db);
    await storage.write((trx) => storeConsumerPositions(trx, [{ name: 'old-feature', position: place }]));
    await inbound(ws);
    await server.settle();
    const warnings: string[] = [];
    const sweeper = (names: () => readonly string[]) => new Housekeeping(storage, server.clock!, { durableConsumers: names, onWarning: (m) => void warnings.push(m), outboxHandedUpTo: () => relay.handedToAll() });
    const housekeeping = sweeper(() => relay.durableNames());

    await housekeeping.sweep();
    assert.deepEqual(warnings, [], 'within the retention: nothing to say');

    server.clock!.advance(8 * DAY);
    await housekeeping.sweep();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /for durable consumer "old-feature", which this process does not run/);
    assert.match(warnings[0]!, /\(8 days\)/);
    assert.match(warnings[0]!, /baton consumers retire old-feature --db FILE/);
    assert.ok((await outboxRows(storage)).some((r) => r.id > place), 'its rows stay: the warning deletes nothing');

    await housekeeping.sweep();
    assert.equal(warnings.length, 1, 'not again the same day');
    server.clock!.advance(DAY);
    await housekeeping.sweep();
    assert.equal(warnings.length, 2, 'again the next day');

    // A process that runs it says nothing: its place moves when it runs.
    await sweeper(() => [...relay.durableNames(), 'old-feature']).sweep();
    assert.equal(warnings.length, 2);
    assert.ok(relay.durableNames().includes('workflows') && relay.durableNames().includes('webhooks'));
  });

  it('`baton consumers` lists the places; `retire` forgets one this build does not run (refusing its own), and the sweep then lets its changes go', async (t) => {
    const file = tempDbFile(t);
    const server = await TestServer.start({ db: file });
    const ws = await server.createWorkspace('Acme');
    await inbound(ws);
    await server.settle();
    const { storage } = server.server.deps;
    const place = await lastOutboxId(storage.db);
    await storage.write((trx) => storeConsumerPositions(trx, [{ name: 'old-feature', position: place }]));
    await inbound(ws);
    await server.settle();
    await server.close();

    const cli = (...args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'consumers', ...args, '--db', file], { timeout: 30_000 }, (error, out, err) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err }),
        );
      });
    const listed = await cli();
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, /^old-feature\tat \d+\t1 changes behind, oldest 0 h old\t\(not this build\)$/m);
    assert.match(listed.out, /^workflows\tat \d+\tup to date\t\(this build\)$/m);

    const refused = await cli('retire', 'workflows');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /"workflows" is one of this build's consumers/);
    const unknown = await cli('retire', 'no-such');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no durable consumer "no-such"/);

    const retired = await cli('retire', 'old-feature');
    assert.equal(retired.code, 0, retired.err);
    assert.match(retired.out, /retired "old-feature"/);
    assert.doesNotMatch((await cli()).out, /old-feature/);

    const again = await TestServer.startFor(t, { db: file });
    again.server.deps.housekeeping.stop();
    again.clock!.advance(8 * DAY);
    await again.server.deps.housekeeping.sweep();
    assert.deepEqual((await outboxRows(again.server.deps.storage)).map((r) => r.id), [await lastOutboxId(again.server.deps.storage.db)], 'only the newest row is left');
  });
});

describe('replay and delivered seq after pruning', () => {
  it("a reconnect from before a workspace's pruned changes gets resync; from after, a replay; other workspaces are not affected", async (t) => {
    const server = await TestServer.startFor(t);
    const { storage } = server.server.deps;
    const acme = await server.createWorkspace('Acme');
    const beta = await server.createWorkspace('Beta');
    const ana = await acme.addAgent('ana');
    const bob = await beta.addAgent('bob');
    await inbound(acme);
    await inbound(beta);
    await server.settle();
    const anaSeen = (await server.live(await tokenFor(server, acme, ana.id))).ready.seq;
    const bobSeen = (await server.live(await tokenFor(server, beta, bob.id))).ready.seq;
    await inbound(acme);
    await server.settle();
    const anaLater = (await server.live(await tokenFor(server, acme, ana.id))).ready.seq;

    server.clock!.advance(8 * DAY);
    // Beta's change after bob's seq is young; everything before it is pruned.
    const betaLate = await inbound(beta);
    await server.settle();
    await sweep(server);
    assert.deepEqual(await outboxRows(storage, acme.id), [], "all of Acme's rows are gone");

    const anaOld = await server.live(await tokenFor(server, acme, ana.id), { since: anaSeen });
    assert.equal(anaOld.ready.resync, true, 'the changes after its seq are gone: reload, not a gap');
    assert.equal(anaOld.ready.replayed, 0);
    assert.equal(anaOld.ready.seq, anaLater, "the workspace's last seq, though no row of it is left");
    const anaCurrent = await server.live(await tokenFor(server, acme, ana.id), { since: anaLater });
    assert.equal(anaCurrent.ready.resync, false, 'missed nothing');
    assert.equal(anaCurrent.ready.replayed, 0);

    const bobBack = await server.live(await tokenFor(server, beta, bob.id), { since: bobSeen });
    assert.equal(bobBack.ready.resync, false, "Acme's pruning says nothing about Beta");
    assert.ok(bobBack.ready.replayed > 0);
    assert.ok(bobBack.rec.of('conversation:created').some((p) => p.conversation.id === betaLate.id));
  });

  it("after a restart, a workspace whose rows are all pruned still says its last seq in ready, and resyncs older clients", async (t) => {
    const file = tempDbFile(t, 'retention');
    const first = await TestServer.startFor(t, { db: file });
    const acme = await first.createWorkspace('Acme');
    const beta = await first.createWorkspace('Beta');
    const ana = await acme.addAgent('ana');
    await inbound(acme);
    await first.settle();
    const early = (await first.live(await tokenFor(first, acme, ana.id))).ready.seq;
    await inbound(acme);
    await first.settle();
    const last = (await first.live(await tokenFor(first, acme, ana.id))).ready.seq;
    assert.ok(last > early);
    await inbound(beta); // the newest row, which stays
    await first.settle();
    first.clock!.advance(8 * DAY);
    await sweep(first);
    assert.deepEqual(await outboxRows(first.server.deps.storage, acme.id), []);
    await first.close();

    const second = await TestServer.startFor(t, { db: file });
    const token = await tokenFor(second, acme, ana.id);
    assert.equal((await second.live(token)).ready.seq, last, 'deliveredSeq from the pruned record');
    const current = await second.live(token, { since: last });
    assert.deepEqual([current.ready.resync, current.ready.replayed], [false, 0]);
    const behind = await second.live(token, { since: early });
    assert.equal(behind.ready.resync, true);
  });
});

describe('delivery log retention', () => {
  it('deletes finished jobs (done, failed, skipped) and their attempts past 30 days; never pending ones; in batches', async (t) => {
    const server = await TestServer.startFor(t);
    const { storage } = server.server.deps;
    const clock = server.clock!;
    // An unregistered kind: the job runner leaves these alone.
    const job = (key: string) => ({ workspaceId: 'ws_test', kind: 'retention-test', target: 't', destination: 'd', dedupeKey: key, payload: {} });
    const finish = async (key: string, status: 'done' | 'failed' | 'skipped') => {
      await storage.write(async (trx) => {
        const { id } = await trx.selectFrom('jobs').select('id').where('dedupe_key', '=', key).executeTakeFirstOrThrow();
        await trx.insertInto('job_attempts').values({ job_id: id, attempt: 1, at: clock.now(), ok: status === 'done' ? 1 : 0, status_code: 200, error: null, duration_ms: 1 }).execute();
        await trx.updateTable('jobs').set({ status, next_run_at: clock.now(), finished_at: clock.now() }).where('id', '=', id).execute();
      });
    };
    const keys = ['done-1', 'done-2', 'done-3', 'failed', 'skipped', 'pending', 'retrying'];
    await storage.write((trx) => enqueueJobs(trx, keys.map(job), clock.now()));
    for (const key of ['done-1', 'done-2', 'done-3']) await finish(key, 'done');
    await finish('failed', 'failed');
    await finish('skipped', 'skipped');
    // Waiting for its next attempt, far behind: still pending.
    await storage.write((trx) => trx.updateTable('jobs').set({ attempts: 3, next_run_at: clock.now() + 60 * DAY }).where('dedupe_key', '=', 'retrying').execute());
    clock.advance(29 * DAY);
    await storage.write((trx) => enqueueJobs(trx, [job('young')], clock.now()));
    await finish('young', 'done');
    clock.advance(2 * DAY);

    const units: number[] = [];
    const counted = { ...storage, write: (work: Parameters<typeof storage.write>[0], lane?: Parameters<typeof storage.write>[1]) => (units.push(1), storage.write(work, lane)) };
    const sweeper = new Housekeeping(counted as Storage, clock, { batch: 2 });
    await sweeper.sweep();
    const left = (await storage.db.selectFrom('jobs').select('dedupe_key').orderBy('id').execute()).map((r) => r.dedupe_key);
    assert.deepEqual(left, ['pending', 'retrying', 'young']);
    const attempts = await storage.db.selectFrom('job_attempts').select('job_id').execute();
    assert.equal(attempts.length, 1, "only the young job's attempt is left");
    // Keys, runs, outbox: one unit each; jobs: 2 + 2 + 1; notifications: one.
    assert.equal(units.length, 7);
  });
});

describe('notification retention', () => {
  async function setup(t: TestContext) {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace('Acme');
    const ana = await ws.addAgent('ana');
    const { storage } = server.server.deps;
    const add = (agentId: string, ageDays: number, read: boolean) => {
      const at = server.clock!.now() - ageDays * DAY;
      const id = newId('ntf', at);
      return storage
        .write((trx) =>
          insertNotification(trx, { id, workspace_id: ws.id, agent_id: agentId, type: 'mentioned', conversation_id: 'conv_x', actor_type: 'agent', actor_id: null, created_at: at, read_at: read ? at : null, rule: null }),
        )
        .then(() => id);
    };
    const list = async () => {
      const token = await tokenFor(server, ws, ana.id);
      return ok(server.request('GET', '/v1/notifications?limit=100', { token }), 200);
    };
    return { server, ws, ana, add, list };
  }

  it('deletes read notifications past 90 days and unread ones past 365; the unread count follows', async (t) => {
    const { server, ana, add, list } = await setup(t);
    const readOld = await add(ana.id, 91, true);
    const unreadOld = await add(ana.id, 91, false);
    const unreadAncient = await add(ana.id, 366, false);
    const readAncient = await add(ana.id, 400, true);
    const readYoung = await add(ana.id, 89, true);
    const unreadYoung = await add(ana.id, 1, false);
    const before = await list();
    assert.equal(before.unread, 3);
    assert.equal(before.items.length, 6);

    await sweep(server);
    const after = await list();
    assert.deepEqual(after.items.map((n: any) => n.id).sort(), [unreadOld, readYoung, unreadYoung].sort());
    assert.equal(after.unread, 2, 'the count is of the rows left: the year-old unread one is no longer in it');
    assert.ok(![readOld, unreadAncient, readAncient].some((id) => after.items.some((n: any) => n.id === id)));
  });

  it('walks in batches past unread rows it keeps', async (t) => {
    const { server, ana, add, list } = await setup(t);
    const kept = [];
    for (let i = 0; i < 5; i++) {
      kept.push(await add(ana.id, 100 + i, false));
      await add(ana.id, 100 + i, true);
    }
    const sweeper = new Housekeeping(server.server.deps.storage, server.clock!, { batch: 2 });
    assert.equal(await sweeper.sweep(), 5);
    assert.deepEqual((await list()).items.map((n: any) => n.id).sort(), kept.sort());
  });
});

describe('retention settings', () => {
  it('refuses a retention that is not a whole number of days before opening storage, naming which', async (t) => {
    const file = tempDbFile(t, 'bad-retention');
    const cases = [
      [{ outboxRetentionDays: 0 }, /the outbox's retention must be a whole number of days \(at least 1\), got 0/],
      [{ jobRetentionDays: 1.5 }, /the delivery log's retention must be a whole number of days \(at least 1\), got 1.5/],
      [{ notificationRetentionDays: -3 }, /notifications' retention must be a whole number of days \(at least 1\), got -3/],
      [{ outboxRetentionDays: Number.NaN }, /the outbox's retention/],
    ] as const;
    for (const [options, message] of cases) {
      await assert.rejects(startServer({ db: file, ...options }), message);
    }
    assert.equal(existsSync(file), false, 'no database was opened');
  });

  it('by default the outbox keeps a row 7 days (one created exactly at the cutoff stays)', async (t) => {
    const server = await TestServer.startFor(t);
    const { storage } = server.server.deps;
    const ws = await server.createWorkspace('Acme');
    await inbound(ws);
    await inbound(ws);
    await server.settle();
    const rows = await outboxRows(storage);
    server.clock!.advance(7 * DAY);
    await sweep(server);
    assert.equal((await outboxRows(storage)).length, rows.length, 'exactly 7 days old');
    server.clock!.advance(1);
    await sweep(server);
    assert.deepEqual(await outboxRows(storage), rows.slice(-1));
    const { rows: seqRows } = await sql<{ n: number }>`SELECT count(*) AS n FROM outbox_pruned`.execute(storage.db);
    assert.equal(Number(seqRows[0]!.n), 1);
  });
});
