import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Housekeeping } from '../src/housekeeping.js';
import { startServer, type ServerOptions } from '../src/server.js';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// The rules' run log is kept for a retention (default 90 days, BATON_RUN_RETENTION_DAYS): the hourly
// housekeeping sweep deletes older runs on the injected clock, and nothing else they explained.

const HOUR = 3600_000;

/** A workspace whose one rule assigns every new conversation to ana; `create` waits for the runner. */
async function routed(t: TestContext, options: ServerOptions = {}) {
  const server = await TestServer.startFor(t, options);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
  const ana = await ws.addAgent('ana');
  const rule = { name: 'All to Ana', trigger: { event: 'conversation.created' }, actions: [{ type: 'assign', steps: [{ pool: { agents: [ana.id] }, strategy: 'round_robin' }] }] };
  const { workflow } = await ok(boss.call('POST', '/v1/workflows', rule), 201);
  await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
  const create = async () => {
    const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'hello' } }), 201);
    await server.settle();
    return conversation.id as string;
  };
  // Agent tokens are short-lived; the API key reads the log across the days.
  const runsOf = async () => (await ok(ws.api('GET', `/v1/workflows/${workflow.id}/runs`), 200)).items.map((r: any) => r.conversationId);
  return { server, ws, ana, workflow, create, runsOf };
}

describe('run log retention', () => {
  it('the hourly sweep deletes runs past the retention and keeps newer ones; the timeline still says who assigned', async (t) => {
    const { server, ws, ana, workflow, create, runsOf } = await routed(t, { runRetentionDays: 2 });
    const { housekeeping } = server.server.deps;
    // An hour at a time, letting each scheduled sweep finish and schedule the next.
    const hours = async (n: number) => {
      for (let i = 0; i < n; i++) {
        server.clock!.advance(HOUR);
        await housekeeping.idle();
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    const old = await create();
    await hours(24);
    const recent = await create();
    await hours(23);
    assert.deepEqual(await runsOf(), [recent, old], 'both kept within 2 days');
    // `since`: the runs at or after a time (here, the hour before `recent`).
    const since = new Date(server.clock!.now() - 23 * HOUR - HOUR).toISOString();
    assert.deepEqual((await ok(ws.api('GET', `/v1/workflows/${workflow.id}/runs?since=${since}`), 200)).items.map((r: any) => r.conversationId), [recent]);
    assert.equal((await ws.api('GET', `/v1/workflows/${workflow.id}/runs?since=yesterday`)).status, 400);

    await hours(2); // `old` is now 49 hours old, `recent` 25
    assert.deepEqual(await runsOf(), [recent], 'the scheduled sweep deleted the run past 2 days');
    const routing = await ok(ws.api('GET', `/v1/conversations/${old}/routing`), 200);
    assert.deepEqual(routing, { items: [], keptSince: new Date(server.clock!.now() - 48 * HOUR).toISOString() }, 'says since when runs are kept');
    const { items } = await ok(ws.api('GET', `/v1/conversations/${old}/timeline`), 200);
    assert.equal(items.find((i: any) => i.type === 'assigned').data.text, 'Assigned to ana by rule All to Ana (round-robin)');
    assert.equal(await housekeeping.sweep(), 0, 'nothing left to delete');
    assert.equal((await ok(ws.api('GET', `/v1/conversations/${old}`), 200)).conversation.assigneeId, ana.id);
  });

  it('deletes in batches until none is left, and keeps a run logged exactly at the cutoff', async (t) => {
    const { server, create, runsOf } = await routed(t);
    for (let i = 0; i < 5; i++) await create();
    server.clock!.advance(1);
    const edge = await create();
    // The server's own sweep keeps 90 days; this one keeps 1, two rows a unit, on the same database.
    const { storage } = server.server.deps;
    const units: number[] = [];
    const counted = { ...storage, write: (work: Parameters<typeof storage.write>[0], lane?: Parameters<typeof storage.write>[1]) => (units.push(1), storage.write(work, lane)) };
    const sweeper = new Housekeeping(counted as typeof storage, server.clock!, { runRetentionDays: 1, batch: 2 });
    server.clock!.advance(24 * HOUR); // the cutoff is now the millisecond `edge` was routed in
    assert.equal(await sweeper.sweep(), 5);
    // Idempotency keys: one unit finding none; runs: 2 + 2 + 1; the outbox, jobs and notifications
    // (younger than their retentions): one unit each finding none.
    assert.equal(units.length, 7);
    assert.deepEqual(await runsOf(), [edge]);
  });

  it('refuses a retention that is not a whole number of days', async () => {
    for (const days of [0, -1, 1.5]) {
      await assert.rejects(startServer({ runRetentionDays: days }), /whole number of days/);
    }
  });
});
