import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { TestServer, tempDbFile, type TestAgent, type TestWorkspace, expectStatus as ok } from '../src/testing.js';

// Availability (DESIGN §6, issue 9): auto-away after the workspace's autoAwayAfterSec without a
// socket (back on reconnect only if the server made them away), and the away policy for an away
// agent's open conversations: keep / unassign on the next inbound message / unassign now (requeue).

const availabilityOf = async (ws: TestWorkspace, id: string) => (await ok(ws.api('GET', '/v1/agents'), 200)).items.find((a: any) => a.id === id).availability;

async function settle(server: TestServer): Promise<void> {
  await server.server.deps.availability.idle();
  await server.settle();
}

describe('workspace availability settings', () => {
  it('PATCH /v1/workspace sets autoAwayAfterSec and awayPolicy; bad values and agents are refused and change nothing', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace();
    const before = (await ok(ws.api('GET', '/v1/workspace'), 200)).workspace;
    assert.equal(before.autoAwayAfterSec, 300);
    assert.equal(before.awayPolicy, 'keep');
    const { workspace } = await ok(ws.api('PATCH', '/v1/workspace', { autoAwayAfterSec: 120, awayPolicy: 'unassign_now' }), 200);
    assert.equal(workspace.autoAwayAfterSec, 120);
    assert.equal(workspace.awayPolicy, 'unassign_now');
    for (const body of [{ autoAwayAfterSec: 59 }, { autoAwayAfterSec: 86_401 }, { autoAwayAfterSec: 90.5 }, { awayPolicy: 'drop' }, { awayPolicy: null }]) {
      const res = await ws.api('PATCH', '/v1/workspace', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'validation_failed');
    }
    const agent = await ws.addAgent('ana');
    assert.equal((await agent.call('PATCH', '/v1/workspace', { awayPolicy: 'keep' })).status, 403);
    const other = await server.createWorkspace('Other');
    assert.equal((await ok(other.api('GET', '/v1/workspace'), 200)).workspace.awayPolicy, 'keep', 'another workspace keeps its own');
    const after = (await ok(ws.api('GET', '/v1/workspace'), 200)).workspace;
    assert.equal(after.autoAwayAfterSec, 120);
    assert.equal(after.awayPolicy, 'unassign_now');
  });
});

describe('auto-away', () => {
  it('an online agent with no socket for autoAwayAfterSec becomes away, live for everyone; a reconnect brings them back', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace();
    await ok(ws.api('PATCH', '/v1/workspace', { autoAwayAfterSec: 120 }), 200);
    const ana = await ws.addAgent('ana');
    const bob = await ws.addAgent('bob');
    const watcher = await server.live(bob.token);
    const first = await server.live(ana.token);
    await settle(server);
    await server.advance(10 * 60_000);
    assert.equal(await availabilityOf(ws, ana.id), 'online', 'connected: never away');

    first.socket.disconnect();
    await first.disconnected;
    while (server.server.deps.availability.hasSocket(ws.id, ana.id)) await new Promise(setImmediate);
    await settle(server);
    await server.advance(100_000);
    assert.equal(await availabilityOf(ws, ana.id), 'online', 'not before 120 s');
    await server.advance(45_000);
    assert.equal(await availabilityOf(ws, ana.id), 'away');
    const update = await watcher.rec.waitFor('agent:updated', (p) => p.agent.id === ana.id && p.agent.availability === 'away');
    assert.ok(update.seq > 0);

    await server.live(ana.token);
    await settle(server);
    assert.equal(await availabilityOf(ws, ana.id), 'online', 'the server made her away, so reconnecting brings her back');
    await watcher.rec.waitFor('agent:updated', (p) => p.agent.id === ana.id && p.agent.availability === 'online');
  });

  it('an agent who chose away stays away on reconnect; agents that never connected are left alone', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace();
    const ana = await ws.addAgent('ana');
    const api = await ws.addAgent('api');
    await ok(ana.call('PATCH', `/v1/agents/${ana.id}`, { availability: 'away' }), 200);
    const s = await server.live(ana.token);
    await settle(server);
    assert.equal(await availabilityOf(ws, ana.id), 'away');
    s.socket.disconnect();
    await s.disconnected;
    await server.advance(6 * 60_000);
    assert.equal(await availabilityOf(ws, api.id), 'online');
  });

  it('counts from the stored last-seen time: a server that stopped with the socket open still makes the agent away after a restart', async (t) => {
    const file = tempDbFile(t, 'away');
    const server = await TestServer.start({ db: file });
    const ws = await server.createWorkspace();
    const ana = await ws.addAgent('ana');
    await server.live(ana.token);
    await settle(server);
    const seenAt = server.clock!.now();
    await server.close();

    const restarted = await TestServer.startFor(t, { db: file });
    restarted.clock!.advance(seenAt + 200_000 - restarted.clock!.now());
    const read = async () =>
      (await ok(restarted.request('GET', '/v1/agents', { token: ws.apiKey }), 200)).items.find((a: any) => a.id === ana.id).availability;
    await restarted.advance(60_000);
    assert.equal(await read(), 'online', '260 s after she was last seen');
    await restarted.advance(60_000);
    assert.equal(await read(), 'away');
  });
});

describe('auto-away across workspaces (DESIGN §7a)', () => {
  it("each agent goes away by their own workspace's delay: a page of another tenant's agents not yet due does not hold them online", async (t) => {
    const server = await TestServer.startFor(t);
    const db = server.server.deps.storage.db;
    const a = await server.createWorkspace('A');
    await ok(a.api('PATCH', '/v1/workspace', { autoAwayAfterSec: 86_400 }), 200);
    for (let i = 0; i < 101; i++) await ok(a.api('POST', '/v1/agents', { name: `A${i}`, username: `a${i}`, availability: 'online' }), 201);
    const b = await server.createWorkspace('B');
    const bob = await b.addAgent('bob');
    const now = server.clock!.now();
    // Where the heartbeat and the socket closes left them: A's agents left two hours ago (their
    // workspace waits a day), Bob half an hour ago (his waits the default 300 s).
    await db.updateTable('agents').set({ last_seen_at: now - 2 * 3_600_000 }).where('workspace_id', '=', a.id).execute();
    await db.updateTable('agents').set({ last_seen_at: now - 30 * 60_000 }).where('id', '=', bob.id).execute();

    await server.advance(20_000);
    assert.equal(await availabilityOf(b, bob.id), 'away');
    const listed = (await ok(a.api('GET', '/v1/agents'), 200)).items;
    assert.equal(listed.filter((x: any) => x.availability === 'online').length, 101, "A's agents are not due for another 22 hours");
  });
});

interface PolicyFixture {
  server: TestServer;
  ws: TestWorkspace;
  ana: TestAgent;
  bob: TestAgent;
}

/** Ana and Bob in Support, dealt round-robin by a rule; Bob is away until a test needs him. */
async function policySetup(t: TestContext, policy: string): Promise<PolicyFixture> {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace();
  await ok(ws.api('PATCH', '/v1/workspace', { awayPolicy: policy }), 200);
  const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
  const ana = await ws.addAgent('ana');
  const bob = await ws.addAgent('bob', { availability: 'away' });
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id, bob.id] }), 201);
  const { workflow } = await ok(
    boss.call('POST', '/v1/workflows', {
      name: 'Everyone → Support',
      trigger: { event: 'conversation.created' },
      actions: [{ type: 'assign', steps: [{ pool: { team: team.id }, strategy: 'round_robin' }] }],
    }),
    201,
  );
  await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
  return { server, ws, ana, bob };
}

async function conversation(f: PolicyFixture): Promise<string> {
  const { contact } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Rui' }), 201);
  const { conversation } = await ok(f.ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hello' } }), 201);
  await f.server.settle();
  return conversation.id;
}

const assigneeOf = async (f: PolicyFixture, id: string) => (await ok(f.ws.api('GET', `/v1/conversations/${id}`), 200)).conversation.assigneeId;

describe('the away policy', () => {
  it('unassign_now: when an agent goes away their open conversations are requeued and placed on who is available', async (t) => {
    const f = await policySetup(t, 'unassign_now');
    const ids = [await conversation(f), await conversation(f)];
    for (const id of ids) assert.equal(await assigneeOf(f, id), f.ana.id);
    const manual = await conversation(f);
    await ok(f.ws.api('POST', `/v1/conversations/${manual}/assign`, { assigneeId: f.bob.id }), 200);

    await ok(f.ana.call('PATCH', `/v1/agents/${f.ana.id}`, { availability: 'away' }), 200);
    await f.server.settle();
    for (const id of ids) assert.equal(await assigneeOf(f, id), null, 'unassigned and waiting: nobody online');
    const waiting = (await ok(f.ws.api('GET', `/v1/conversations/${ids[0]}`), 200)).conversation;
    assert.ok(waiting.waitingSince);
    const { items } = await ok(f.ws.api('GET', `/v1/conversations/${ids[0]}/timeline`), 200);
    const unassigned = items.find((i: any) => i.kind === 'event' && i.type === 'unassigned');
    assert.equal(unassigned.data.text, 'Unassigned from ana: away');
    assert.equal(unassigned.data.policy, 'unassign_now');
    assert.ok(items.some((i: any) => i.kind === 'event' && i.type === 'queued' && i.data.text === 'Waiting for Support'));
    assert.equal(await assigneeOf(f, manual), f.bob.id, 'an away agent who did not just go away is not touched');

    // Bob comes online: the queue drains to him, oldest first.
    await ok(f.bob.call('PATCH', `/v1/agents/${f.bob.id}`, { availability: 'online' }), 200);
    await f.server.settle();
    for (const id of ids) assert.equal(await assigneeOf(f, id), f.bob.id);
    const after = await ok(f.ws.api('GET', `/v1/conversations/${ids[0]}/timeline`), 200);
    assert.ok(after.items.some((i: any) => i.kind === 'event' && i.type === 'assigned' && i.data.to === f.bob.id && i.data.fromQueue === true));
    // Each rule assignment names its assign action, which is what a later requeue waits with.
    assert.ok(after.items.filter((i: any) => i.kind === 'event' && i.type === 'assigned' && i.actor.type === 'workflow').every((i: any) => i.data.actionIndex === 0));
  });

  it('keep: an away agent keeps their conversations, even when the customer writes', async (t) => {
    const f = await policySetup(t, 'keep');
    const id = await conversation(f);
    await ok(f.ana.call('PATCH', `/v1/agents/${f.ana.id}`, { availability: 'away' }), 200);
    await ok(f.bob.call('PATCH', `/v1/agents/${f.bob.id}`, { availability: 'online' }), 200);
    await ok(f.ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'anyone?' }), 201);
    await f.server.settle();
    assert.equal(await assigneeOf(f, id), f.ana.id);
  });

  it('unassign_on_inbound: the conversation stays with the away agent until the customer writes, then goes back to the queue', async (t) => {
    const f = await policySetup(t, 'unassign_on_inbound');
    const id = await conversation(f);
    const quiet = await conversation(f);
    assert.equal(await assigneeOf(f, quiet), f.ana.id);
    await ok(f.ana.call('PATCH', `/v1/agents/${f.ana.id}`, { availability: 'away' }), 200);
    await ok(f.bob.call('PATCH', `/v1/agents/${f.bob.id}`, { availability: 'online' }), 200);
    await f.server.settle();
    assert.equal(await assigneeOf(f, id), f.ana.id, 'nothing happens until the customer writes');

    await ok(f.ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'anyone?' }), 201);
    await f.server.settle();
    assert.equal(await assigneeOf(f, id), f.bob.id, 'unassigned and placed on Bob');
    assert.equal(await assigneeOf(f, quiet), f.ana.id);
    const { items } = await ok(f.ws.api('GET', `/v1/conversations/${id}/timeline`), 200);
    const unassigned = items.find((i: any) => i.kind === 'event' && i.type === 'unassigned');
    assert.equal(unassigned.data.policy, 'unassign_on_inbound');
    // An agent's own reply does not count as the customer writing.
    await ok(f.ana.call('POST', `/v1/conversations/${quiet}/messages`, { direction: 'outbound', body: 'back soon' }), 201);
    await f.server.settle();
    assert.equal(await assigneeOf(f, quiet), f.ana.id);
  });

  it("unassign_now applies to auto-away too: a disconnected agent's conversations go to who is online", async (t) => {
    const f = await policySetup(t, 'unassign_now');
    await ok(f.ws.api('PATCH', '/v1/workspace', { autoAwayAfterSec: 60 }), 200);
    const id = await conversation(f);
    assert.equal(await assigneeOf(f, id), f.ana.id);
    await ok(f.bob.call('PATCH', `/v1/agents/${f.bob.id}`, { availability: 'online' }), 200);
    const s = await f.server.live(f.ana.token);
    await settle(f.server);
    s.socket.disconnect();
    await s.disconnected;
    while (f.server.server.deps.availability.hasSocket(f.ws.id, f.ana.id)) await new Promise(setImmediate);
    await settle(f.server);
    await f.server.advance(40_000);
    assert.equal(await assigneeOf(f, id), f.ana.id, 'not before 60 s');
    await f.server.advance(45_000);
    assert.equal(await availabilityOf(f.ws, f.ana.id), 'away');
    assert.equal(await assigneeOf(f, id), f.bob.id);
  });
});

describe('the away policy: snoozed conversations', () => {
  // Found by test/routing-fuzz.test.ts: a conversation snoozed by the time the policy ran (before the
  // agent went away, or just after, with the runner behind) stayed with the away agent, and woke
  // with them: what unassign_now did depended on how far behind the runner was.
  it('unassign_now takes a snoozed conversation from an agent who goes away too: it waits, and is placed when it wakes', async (t) => {
    const f = await policySetup(t, 'unassign_now');
    const id = await conversation(f);
    assert.equal(await assigneeOf(f, id), f.ana.id);
    await ok(f.ws.api('POST', `/v1/conversations/${id}/snooze`, { until: new Date(f.server.clock!.now() + 60_000).toISOString() }), 200);
    await ok(f.ana.call('PATCH', `/v1/agents/${f.ana.id}`, { availability: 'away' }), 200);
    await f.server.settle();
    const c = (await ok(f.ws.api('GET', `/v1/conversations/${id}`), 200)).conversation;
    assert.equal(c.assigneeId, null, 'not left with an agent who is away');
    assert.ok(c.waitingSince, 'back in the queue, waiting while snoozed');
    assert.ok(c.snoozedUntil, 'still snoozed');

    await ok(f.bob.call('PATCH', `/v1/agents/${f.bob.id}`, { availability: 'online' }), 200);
    await f.server.settle();
    assert.equal(await assigneeOf(f, id), null, 'passed over while snoozed');
    await f.server.advance(70_000);
    assert.equal(await assigneeOf(f, id), f.bob.id, 'placed when it wakes');
  });
});

describe('the away policy: what it requeues', () => {
  it('unassign_now requeues only what a rule assigned last: one a person reassigned afterwards just becomes unassigned', async (t) => {
    const f = await policySetup(t, 'unassign_now');
    const id = await conversation(f);
    assert.equal(await assigneeOf(f, id), f.ana.id, 'the rule assigned it');
    await ok(f.bob.call('PATCH', `/v1/agents/${f.bob.id}`, { availability: 'online' }), 200);
    await ok(f.ws.api('POST', `/v1/conversations/${id}/assign`, { assigneeId: f.bob.id }), 200);
    await f.server.settle();

    await ok(f.bob.call('PATCH', `/v1/agents/${f.bob.id}`, { availability: 'away' }), 200);
    await f.server.settle();
    const c = (await ok(f.ws.api('GET', `/v1/conversations/${id}`), 200)).conversation;
    assert.equal(c.assigneeId, null, 'not placed on Ana by the rule: nobody queued it');
    assert.equal(c.waitingSince, null);
    const { items } = await ok(f.ws.api('GET', `/v1/conversations/${id}/timeline`), 200);
    const events = items.filter((i: any) => i.kind === 'event').map((i: any) => i.type);
    assert.deepEqual(events.slice(-2), ['assigned', 'unassigned']);
    assert.equal(events.filter((e: string) => e === 'queued').length, 0);
  });

  it("requeues into the assign action that assigned it, and waiting in that action's team puts the conversation in the team", async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace();
    await ok(ws.api('PATCH', '/v1/workspace', { awayPolicy: 'unassign_now' }), 200);
    const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
    const ana = await ws.addAgent('ana');
    const bob = await ws.addAgent('bob', { availability: 'away' });
    const carl = await ws.addAgent('carl', { availability: 'away' });
    const { team: sales } = await ok(ws.api('POST', '/v1/teams', { name: 'Sales', memberIds: [bob.id] }), 201);
    const { team: support } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [carl.id] }), 201);
    const { workflow } = await ok(
      boss.call('POST', '/v1/workflows', {
        name: 'Sales, else Ana, else Support',
        trigger: { event: 'conversation.created' },
        actions: [
          // Nobody in Sales is online: this one queues it in Sales…
          { type: 'assign', steps: [{ pool: { team: sales.id }, strategy: 'round_robin', skipIfNoneAvailable: true }] },
          // …and this one assigns it to Ana (not from a team's pool, so it stays in Sales).
          {
            type: 'assign',
            steps: [
              { pool: { agents: [ana.id] }, strategy: 'round_robin', skipIfNoneAvailable: true },
              { pool: { team: support.id }, strategy: 'round_robin' },
            ],
          },
        ],
      }),
      201,
    );
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Rui' }), 201);
    const { conversation: created } = await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hello' } }), 201);
    await server.settle();
    const read = async () => (await ok(ws.api('GET', `/v1/conversations/${created.id}`), 200)).conversation;
    assert.equal((await read()).assigneeId, ana.id);
    assert.equal((await read()).teamId, sales.id);

    await ok(ana.call('PATCH', `/v1/agents/${ana.id}`, { availability: 'away' }), 200);
    await server.settle();
    const waiting = await read();
    assert.equal(waiting.assigneeId, null);
    assert.ok(waiting.waitingSince);
    assert.equal(waiting.teamId, support.id, "waiting in Support's queue, it is Support's");
    const { items } = await ok(ws.api('GET', `/v1/conversations/${created.id}/timeline`), 200);
    const queued = items.filter((i: any) => i.kind === 'event' && i.type === 'queued').pop();
    assert.equal(queued.data.text, 'Waiting for Support');
    assert.equal(queued.data.teamId, support.id);
    assert.equal(queued.data.teamFrom, sales.id);

    // Carl (Support, not Sales) comes online: the action that assigned it places it on him.
    await ok(carl.call('PATCH', `/v1/agents/${carl.id}`, { availability: 'online' }), 200);
    await server.settle();
    assert.equal((await read()).assigneeId, carl.id);
  });
});

describe('deactivation and the away policy', () => {
  it('unassign_now: deactivating an agent takes their open conversations (requeueing what a rule assigned) and shows them offline', async (t) => {
    const f = await policySetup(t, 'unassign_now');
    const routed = await conversation(f);
    const manual = await conversation(f);
    for (const id of [routed, manual]) assert.equal(await assigneeOf(f, id), f.ana.id);
    await ok(f.bob.call('PATCH', `/v1/agents/${f.bob.id}`, { availability: 'online' }), 200);
    await f.server.settle();
    // A person's assignment counts as the latest: assign to Bob and back to Ana by hand.
    await ok(f.ws.api('POST', `/v1/conversations/${manual}/assign`, { assigneeId: f.bob.id }), 200);
    await ok(f.ws.api('POST', `/v1/conversations/${manual}/assign`, { assigneeId: f.ana.id }), 200);

    const { agent } = await ok(f.ws.api('PATCH', `/v1/agents/${f.ana.id}`, { active: false }), 200);
    assert.equal(agent.availability, 'offline');
    await f.server.settle();
    assert.equal(await assigneeOf(f, routed), f.bob.id, "the rule's conversation is requeued and placed on Bob");
    assert.equal(await assigneeOf(f, manual), null, 'the one a person assigned just becomes unassigned');
    const { items } = await ok(f.ws.api('GET', `/v1/conversations/${manual}/timeline`), 200);
    const unassigned = items.filter((i: any) => i.kind === 'event' && i.type === 'unassigned').pop();
    assert.equal(unassigned.data.text, 'Unassigned from ana: deactivated');
    assert.equal(unassigned.data.reason, 'agent_deactivated');
    assert.equal(await availabilityOf(f.ws, f.ana.id), 'offline');
  });

  it('unassign_now: an agent deactivated while away loses what a person assigned them meanwhile', async (t) => {
    const f = await policySetup(t, 'unassign_now');
    await ok(f.ana.call('PATCH', `/v1/agents/${f.ana.id}`, { availability: 'away' }), 200);
    await f.server.settle();
    const id = await conversation(f);
    // Nobody is online, so the rule queued it; a person hands it to Ana anyway (a manual assign may).
    await ok(f.ws.api('POST', `/v1/conversations/${id}/assign`, { assigneeId: f.ana.id }), 200);
    await f.server.settle();
    assert.equal(await assigneeOf(f, id), f.ana.id);

    // Deactivated while away: she never stops being online, yet can no longer work it.
    await ok(f.ws.api('PATCH', `/v1/agents/${f.ana.id}`, { active: false }), 200);
    await f.server.settle();
    assert.equal(await assigneeOf(f, id), null, 'unassigned (a person assigned it last, so not requeued)');
    const { items } = await ok(f.ws.api('GET', `/v1/conversations/${id}/timeline`), 200);
    assert.equal(items.filter((i: any) => i.kind === 'event' && i.type === 'unassigned').pop().data.text, 'Unassigned from ana: deactivated');
  });

  it('unassign_on_inbound: a deactivated agent loses the conversation when the customer writes, as an away one would', async (t) => {
    const f = await policySetup(t, 'unassign_on_inbound');
    const id = await conversation(f);
    await ok(f.ws.api('PATCH', `/v1/agents/${f.ana.id}`, { active: false }), 200);
    await ok(f.bob.call('PATCH', `/v1/agents/${f.bob.id}`, { availability: 'online' }), 200);
    await f.server.settle();
    assert.equal(await assigneeOf(f, id), f.ana.id, 'nothing moves until the customer writes');
    await ok(f.ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'anyone?' }), 201);
    await f.server.settle();
    assert.equal(await assigneeOf(f, id), f.bob.id);
  });
});
