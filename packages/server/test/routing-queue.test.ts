import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { TestServer, tempDbFile, type TestAgent, type TestWorkspace, expectStatus as ok } from '../src/testing.js';

// The routing queue (DESIGN §6, issue 9): nobody eligible → the conversation waits (waitingSince, a
// `queued` event naming the team) and is assigned oldest first when an agent becomes available or
// drops below capacity; step timeouts count from the stored waitingSince on the clock, across restarts.

interface Fixture {
  server: TestServer;
  ws: TestWorkspace;
  boss: TestAgent;
  maria: TestAgent;
  luis: TestAgent;
  ana: TestAgent;
  bilingual: { id: string };
  support: { id: string };
  spanish: { id: string };
}

async function setup(t: TestContext, ladder: 'queue' | 'timeout', options: { db?: string } = {}): Promise<Fixture> {
  const server = await TestServer.startFor(t, options);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
  const maria = await ws.addAgent('maria', { skills: ['es'], availability: 'away', capacity: 1 });
  const luis = await ws.addAgent('luis', { skills: ['es'], availability: 'away', capacity: 1 });
  const ana = await ws.addAgent('ana');
  const { team: bilingual } = await ok(ws.api('POST', '/v1/teams', { name: 'Bilingual', memberIds: [maria.id, luis.id] }), 201);
  const { team: support } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id] }), 201);
  const steps =
    ladder === 'queue'
      ? [{ pool: { team: bilingual.id }, require: { skills: ['es'] }, strategy: 'round_robin', skipIfNoneAvailable: true }]
      : [
          { pool: { team: bilingual.id }, require: { skills: ['es'] }, strategy: 'round_robin', timeoutSec: 120 },
          { pool: { team: support.id }, strategy: 'round_robin' },
        ];
  const { workflow: spanish } = await ok(
    boss.call('POST', '/v1/workflows', {
      name: 'Spanish → bilingual',
      trigger: { event: 'conversation.created' },
      conditions: { all: [{ field: 'contact.language', op: 'eq', value: 'es' }] },
      actions: [{ type: 'assign', steps }],
    }),
    201,
  );
  await ok(boss.call('POST', `/v1/workflows/${spanish.id}/publish`), 200);
  return { server, ws, boss, maria, luis, ana, bilingual, support, spanish };
}

async function spanishConversation(f: Fixture): Promise<string> {
  const { contact } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'José', language: 'es' }), 201);
  const { conversation } = await ok(f.ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hola' } }), 201);
  await f.server.settle();
  return conversation.id;
}

const get = async (f: Fixture, id: string) => (await ok(f.server.request('GET', `/v1/conversations/${id}`, { token: f.ws.apiKey }), 200)).conversation;

describe('the routing queue', () => {
  it('with every bilingual agent away, Spanish conversations wait and drain oldest first as agents come back or free up', async (t) => {
    const f = await setup(t, 'queue');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await spanishConversation(f));
      await f.server.advance(1_000, 1_000);
    }
    for (const id of ids) {
      const c = await get(f, id);
      assert.equal(c.assigneeId, null);
      assert.ok(c.waitingSince, 'waitingSince is set');
      const { items } = await ok(f.ws.api('GET', `/v1/conversations/${id}/timeline`), 200);
      const queued = items.filter((i: any) => i.kind === 'event' && i.type === 'queued');
      assert.equal(queued.length, 1);
      assert.equal(queued[0].data.teamId, f.bilingual.id);
      assert.equal(queued[0].data.text, 'Waiting for Bilingual');
      assert.deepEqual(queued[0].actor, { type: 'workflow', id: f.spanish.id, name: 'Spanish → bilingual' });
    }
    const routing = await ok(f.ws.api('GET', `/v1/conversations/${ids[0]!}/routing`), 200);
    assert.equal(routing.items[0].outcome, 'queued');
    assert.match(routing.items[0].actions[0].detail, /luis away; maria away/);

    // Luis comes back (capacity 1): the oldest goes to him, the others keep waiting.
    await ok(f.luis.call('PATCH', `/v1/agents/${f.luis.id}`, { availability: 'online' }), 200);
    await f.server.settle();
    assert.equal((await get(f, ids[0]!)).assigneeId, f.luis.id);
    assert.equal((await get(f, ids[0]!)).waitingSince, null);
    assert.equal((await get(f, ids[1]!)).assigneeId, null);
    assert.equal((await get(f, ids[2]!)).assigneeId, null);
    const { items } = await ok(f.ws.api('GET', `/v1/conversations/${ids[0]!}/timeline`), 200);
    const assigned = items.find((i: any) => i.kind === 'event' && i.type === 'assigned');
    assert.equal(assigned.data.text, 'Assigned to luis by rule Spanish → bilingual (skill es, round-robin)');
    assert.equal(assigned.data.fromQueue, true);
    assert.equal(assigned.data.waitedMs, 3_000);

    // He resolves it: below capacity again, so the next oldest is his.
    await ok(f.luis.call('POST', `/v1/conversations/${ids[0]!}/resolve`), 200);
    await f.server.settle();
    assert.equal((await get(f, ids[1]!)).assigneeId, f.luis.id);
    assert.equal((await get(f, ids[2]!)).assigneeId, null);

    // Someone takes the last one by hand: it leaves the queue, and Maria's return assigns nothing.
    await ok(f.ws.api('POST', `/v1/conversations/${ids[2]!}/assign`, { assigneeId: f.ana.id }), 200);
    await ok(f.maria.call('PATCH', `/v1/agents/${f.maria.id}`, { availability: 'online' }), 200);
    await f.server.settle();
    assert.equal((await get(f, ids[2]!)).assigneeId, f.ana.id);
    const counts = await ok(f.ws.api('GET', '/v1/agents'), 200);
    assert.equal(counts.items.find((a: any) => a.id === f.maria.id).openAssigned, 0);
  });

  it('a step timeout counts from the stored waitingSince on the clock, and survives a restart', async (t) => {
    const file = tempDbFile(t, 'queue');
    const f = await setup(t, 'timeout', { db: file });
    const id = await spanishConversation(f);
    const waiting = await get(f, id);
    assert.equal(waiting.assigneeId, null);
    const routing = await ok(f.ws.api('GET', `/v1/conversations/${id}/routing`), 200);
    assert.equal(routing.items[0].outcome, 'waiting');
    const queued = (await ok(f.ws.api('GET', `/v1/conversations/${id}/timeline`), 200)).items.find((i: any) => i.type === 'queued');
    assert.equal(queued.data.text, 'Waiting for Bilingual');

    await f.server.advance(60_000, 1_000);
    assert.equal((await get(f, id)).assigneeId, null, 'the first step still holds it');
    await f.server.close();

    // A new process, whose clock starts where this one's is now.
    const restarted = await TestServer.startFor(t, { db: file });
    const g = { ...f, server: restarted };
    restarted.clock!.advance(Date.parse(waiting.waitingSince) + 60_000 - restarted.clock!.now());
    await g.server.advance(30_000, 1_000);
    assert.equal((await get(g, id)).assigneeId, null, '90 s after it started waiting: still on step 1');
    await g.server.advance(35_000, 1_000);
    const placed = await get(g, id);
    assert.equal(placed.assigneeId, f.ana.id, 'after 120 s the second step (Support) takes it');
    const { items } = await ok(restarted.request('GET', `/v1/conversations/${id}/timeline`, { token: f.ws.apiKey }), 200);
    const assigned = items.find((i: any) => i.kind === 'event' && i.type === 'assigned');
    assert.equal(assigned.data.stepIndex, 1);
    assert.ok(assigned.data.waitedMs >= 120_000 && assigned.data.waitedMs < 130_000, String(assigned.data.waitedMs));
  });
});
