import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { drainQueue, RoutingQueueTimer } from '../src/services/routing-queue.js';
import { TestServer, type TestAgent, type TestWorkspace, expectStatus as ok } from '../src/testing.js';

// What keeps or ends a conversation's place in the routing queue (DESIGN §6): snoozing keeps it,
// a person's hand ends it; which changes drain the queue; and what a rule does with a conversation
// that is not open, or already has someone.

const MINUTE = 60_000;

interface Fixture {
  server: TestServer;
  ws: TestWorkspace;
  boss: TestAgent;
  /** In Support, away until a test brings her online. */
  ana: TestAgent;
  /** Online, in no team. */
  ben: TestAgent;
  support: { id: string };
}

async function setup(t: TestContext, ana: Record<string, unknown> = {}): Promise<Fixture> {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
  const a = await ws.addAgent('ana', { availability: 'away', capacity: 1, ...ana });
  const ben = await ws.addAgent('ben');
  const { team: support } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [a.id] }), 201);
  return { server, ws, boss, ana: a, ben, support };
}

async function publish(f: Fixture, definition: Record<string, unknown>): Promise<string> {
  const { workflow } = await ok(f.boss.call('POST', '/v1/workflows', definition), 201);
  await ok(f.boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
  return workflow.id;
}

/** New conversations wait for Support (one step, no timeout: "waiting in the queue"). */
const toSupport = (f: Fixture) =>
  publish(f, { name: 'Everyone → Support', trigger: { event: 'conversation.created' }, actions: [{ type: 'assign', steps: [{ pool: { team: f.support.id }, strategy: 'round_robin' }] }] });

async function create(f: Fixture): Promise<string> {
  const { conversation } = await ok(f.ws.api('POST', '/v1/conversations', { contact: { name: 'Rui' }, channel: 'sms', message: { body: 'hello?' } }), 201);
  await f.server.settle();
  return conversation.id;
}

const get = async (f: Fixture, id: string) => (await ok(f.ws.api('GET', `/v1/conversations/${id}`), 200)).conversation;
const events = async (f: Fixture, id: string, type: string) =>
  (await ok(f.ws.api('GET', `/v1/conversations/${id}/timeline`), 200)).items.filter((i: any) => i.kind === 'event' && i.type === type);
const runs = async (f: Fixture, id: string) => (await ok(f.ws.api('GET', `/v1/conversations/${id}/routing`), 200)).items;
const at = (f: Fixture, ms: number) => new Date(f.server.clock!.now() + ms).toISOString();

async function setAvailability(f: Fixture, agent: TestAgent, availability: 'online' | 'away'): Promise<void> {
  await ok(agent.call('PATCH', `/v1/agents/${agent.id}`, { availability }), 200);
  await f.server.settle();
}

describe('snoozing a waiting conversation', () => {
  it('keeps its place: passed over while snoozed, placed oldest first once it wakes, counted from when it started waiting', async (t) => {
    const f = await setup(t);
    await toSupport(f);
    const a = await create(f);
    await f.server.advance(5_000);
    const b = await create(f);
    const since = (await get(f, a)).waitingSince;
    assert.ok(since);
    await ok(f.ben.call('POST', `/v1/conversations/${a}/snooze`, { until: at(f, 60 * MINUTE) }), 200);
    await f.server.settle();

    // Ana (capacity 1) comes online: the snoozed one is passed over, the next one is hers.
    await setAvailability(f, f.ana, 'online');
    assert.equal((await get(f, b)).assigneeId, f.ana.id);
    const snoozed = await get(f, a);
    assert.equal(snoozed.assigneeId, null);
    assert.equal(snoozed.waitingSince, since, 'still waiting, from when it started');

    // Woken while Ana is full: it waits in its old place, ahead of a newer one.
    await ok(f.ben.call('POST', `/v1/conversations/${a}/snooze`, { until: null }), 200);
    await f.server.settle();
    const woken = await get(f, a);
    assert.equal(woken.assigneeId, null);
    assert.equal(woken.waitingSince, since);
    await f.server.advance(5_000);
    const c = await create(f);
    await ok(f.ana.call('POST', `/v1/conversations/${b}/resolve`), 200);
    await f.server.settle();
    assert.equal((await get(f, a)).assigneeId, f.ana.id, 'the older one first');
    assert.equal((await get(f, c)).assigneeId, null);
    const [assigned] = await events(f, a, 'assigned');
    assert.equal(assigned.data.fromQueue, true);
    assert.equal(assigned.data.waitedMs, f.server.clock!.now() - Date.parse(since));
  });
});

describe('what drains the queue', () => {
  it('waking a waiting conversation places it at once: by hand, by the customer writing, on the clock', async (t) => {
    const f = await setup(t, { capacity: 3 });
    await toSupport(f);
    const byHand = await create(f);
    const byCustomer = await create(f);
    const byClock = await create(f);
    for (const id of [byHand, byCustomer]) await ok(f.ben.call('POST', `/v1/conversations/${id}/snooze`, { until: at(f, 60 * MINUTE) }), 200);
    await ok(f.ben.call('POST', `/v1/conversations/${byClock}/snooze`, { until: at(f, 10 * MINUTE) }), 200);
    await setAvailability(f, f.ana, 'online');
    for (const id of [byHand, byCustomer, byClock]) assert.equal((await get(f, id)).assigneeId, null, 'snoozed: not placed');

    await ok(f.ben.call('POST', `/v1/conversations/${byHand}/snooze`, { until: null }), 200);
    await f.server.settle();
    assert.equal((await get(f, byHand)).assigneeId, f.ana.id);

    await ok(f.ws.api('POST', `/v1/conversations/${byCustomer}/messages`, { direction: 'inbound', body: 'any news?' }), 201);
    await f.server.settle();
    assert.equal((await get(f, byCustomer)).assigneeId, f.ana.id);

    f.server.clock!.advance(10 * MINUTE);
    await f.server.server.snoozes.idle();
    await f.server.server.snoozes.wakeDue();
    await f.server.settle();
    assert.equal((await events(f, byClock, 'woke'))[0].data.reason, 'timer');
    assert.equal((await get(f, byClock)).assigneeId, f.ana.id);
  });

  it("snoozing an assigned conversation lowers its agent's open load, so the queue drains", async (t) => {
    const f = await setup(t, { availability: 'online' });
    await toSupport(f);
    const mine = await create(f);
    assert.equal((await get(f, mine)).assigneeId, f.ana.id);
    const waiting = await create(f);
    assert.equal((await get(f, waiting)).assigneeId, null, 'Ana is at capacity');
    await ok(f.ana.call('POST', `/v1/conversations/${mine}/snooze`, { until: at(f, 60 * MINUTE) }), 200);
    await f.server.settle();
    assert.equal((await get(f, waiting)).assigneeId, f.ana.id);
  });
});

describe('what drains the queue: team membership', () => {
  it('adding an agent to the team a conversation waits for places it on them', async (t) => {
    const f = await setup(t);
    await toSupport(f);
    const id = await create(f);
    assert.equal((await get(f, id)).assigneeId, null, 'Ana is away');
    // Renaming the team frees nobody; adding Ben (online) does.
    await ok(f.ws.api('PATCH', `/v1/teams/${f.support.id}`, { name: 'Support desk' }), 200);
    await f.server.settle();
    assert.equal((await get(f, id)).assigneeId, null);
    const { team } = await ok(f.ws.api('PATCH', `/v1/teams/${f.support.id}`, { memberIds: [f.ana.id, f.ben.id] }), 200);
    assert.deepEqual(team.memberIds, [f.ana.id, f.ben.id].sort());
    await f.server.settle();
    const c = await get(f, id);
    assert.equal(c.assigneeId, f.ben.id);
    assert.equal(c.waitingSince, null);
    assert.equal((await events(f, id, 'assigned'))[0].data.fromQueue, true);
  });

  it('so do a raised capacity and a skill gained (an agent updated)', async (t) => {
    const f = await setup(t, { availability: 'online' });
    await publish(f, {
      name: 'Spanish → Support',
      trigger: { event: 'conversation.created' },
      actions: [{ type: 'assign', steps: [{ pool: { team: f.support.id }, require: { skills: ['es'] }, strategy: 'round_robin' }] }],
    });
    await ok(f.ws.api('PATCH', `/v1/agents/${f.ana.id}`, { skills: ['es'] }), 200);
    const first = await create(f);
    const second = await create(f);
    assert.equal((await get(f, first)).assigneeId, f.ana.id);
    await ok(f.ws.api('PATCH', `/v1/agents/${f.ana.id}`, { capacity: 2 }), 200);
    await f.server.settle();
    assert.equal((await get(f, second)).assigneeId, f.ana.id, 'a raised capacity');
    await ok(f.ws.api('PATCH', `/v1/agents/${f.ana.id}`, { skills: [] }), 200);
    await ok(f.ws.api('PATCH', `/v1/agents/${f.ana.id}`, { capacity: 3 }), 200);
    const third = await create(f);
    assert.equal((await get(f, third)).assigneeId, null, 'Ana lacks es now');
    await ok(f.ws.api('PATCH', `/v1/agents/${f.ana.id}`, { skills: ['es'] }), 200);
    await f.server.settle();
    assert.equal((await get(f, third)).assigneeId, f.ana.id, 'a skill gained');
  });
});

describe("a person's hand on a waiting conversation", () => {
  it('assigning and unassigning, moving it to another team, or resolving it takes it out of the queue for good', async (t) => {
    const f = await setup(t, { capacity: 5 });
    await toSupport(f);
    const { team: sales } = await ok(f.ws.api('POST', '/v1/teams', { name: 'Sales', memberIds: [f.ben.id] }), 201);
    const handedBack = await create(f);
    const moved = await create(f);
    const resolved = await create(f);
    for (const id of [handedBack, moved, resolved]) assert.ok((await get(f, id)).waitingSince, 'waiting for Support');

    await ok(f.ben.call('POST', `/v1/conversations/${handedBack}/assign`, { assigneeId: f.ben.id }), 200);
    await ok(f.ben.call('POST', `/v1/conversations/${handedBack}/assign`, { assigneeId: null }), 200);
    const patched = await ok(f.ben.call('PATCH', `/v1/conversations/${moved}`, { teamId: sales.id }), 200);
    assert.equal(patched.conversation.waitingSince, null, 'no longer waiting for Support');
    await ok(f.ben.call('POST', `/v1/conversations/${resolved}/resolve`), 200);
    await ok(f.ben.call('POST', `/v1/conversations/${resolved}/reopen`), 200);
    await f.server.settle();

    // Ana, in Support, comes online: the old rule places none of them.
    await setAvailability(f, f.ana, 'online');
    for (const id of [handedBack, moved, resolved]) {
      const c = await get(f, id);
      assert.equal(c.assigneeId, null, id);
      assert.equal(c.waitingSince, null, id);
    }
    assert.equal((await get(f, moved)).teamId, sales.id, 'still in the team a person chose');
  });
});

describe('a later rule queueing a waiting conversation for another team', () => {
  // Found by test/routing-fuzz.test.ts: the later rule's action took the queue row (and its team),
  // but the conversation stayed in the first team, whose views showed it "Waiting for Support".
  it("moves it to that team's queue: the conversation is that team's, and a queued event says so; its waitingSince stays", async (t) => {
    const f = await setup(t);
    await toSupport(f);
    const { team: billing } = await ok(f.ws.api('POST', '/v1/teams', { name: 'Billing', memberIds: [f.ana.id] }), 201);
    await publish(f, {
      name: 'Unassigned 5 min → Billing',
      trigger: { event: 'conversation.unassigned_for', minutes: 5 },
      actions: [{ type: 'assign', steps: [{ pool: { team: billing.id }, strategy: 'round_robin', skipIfNoneAvailable: true }], onExhausted: { type: 'queue' } }],
    });
    const id = await create(f);
    const first = await get(f, id);
    assert.equal(first.teamId, f.support.id);
    assert.ok(first.waitingSince);

    await f.server.advance(5 * MINUTE + 5_000);
    const c = await get(f, id);
    const wait = await f.server.server.deps.storage.db.selectFrom('routing_waits').selectAll().where('conversation_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(wait.team_id, billing.id, "the later rule's action places it now");
    assert.equal(c.teamId, billing.id, "waiting in Billing's queue, it is Billing's");
    assert.equal(c.waitingSince, first.waitingSince, 'still counted from when it started waiting');
    const queued = await events(f, id, 'queued');
    assert.deepEqual(
      queued.map((e: any) => [e.data.text, e.data.teamFrom ?? null]),
      [
        ['Waiting for Support', null],
        ['Waiting for Billing', f.support.id],
      ],
    );
  });
});

/** Runs `steps` while the outbox relay is held, so the rules run after all of them, as a runner behind would. */
async function beforeTheRules(f: Fixture, steps: () => Promise<void>): Promise<void> {
  await f.server.server.deps.relay.exclusive(steps);
  await f.server.settle();
}

async function createUnsettled(f: Fixture): Promise<string> {
  return (await ok(f.ws.api('POST', '/v1/conversations', { contact: { name: 'Rui' }, channel: 'sms', message: { body: 'hello?' } }), 201)).conversation.id;
}

describe('a rule on a conversation that is no longer open', () => {
  it('neither assigns nor queues a resolved one: the run says it skipped it, and reopening it queues nothing', async (t) => {
    const f = await setup(t, { availability: 'online' });
    const rule = await toSupport(f);
    let free = '';
    await beforeTheRules(f, async () => {
      free = await createUnsettled(f);
      await ok(f.ben.call('POST', `/v1/conversations/${free}/resolve`), 200);
    });
    const resolved = await get(f, free);
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.assigneeId, null, 'Ana was free, but it was resolved');
    assert.deepEqual(await events(f, free, 'assigned'), []);
    const [run] = await runs(f, free);
    assert.equal(run.workflowId, rule);
    assert.equal(run.outcome, 'no_change');
    assert.deepEqual([run.actions[0].status, run.actions[0].detail], ['skipped', 'conversation is resolved']);
    assert.equal((await ok(f.ana.call('GET', '/v1/notifications'), 200)).items.length, 0);

    // With nobody free it is not queued either: no wait, no "Waiting for Support".
    await setAvailability(f, f.ana, 'away');
    let busy = '';
    await beforeTheRules(f, async () => {
      busy = await createUnsettled(f);
      await ok(f.ben.call('POST', `/v1/conversations/${busy}/resolve`), 200);
    });
    assert.equal((await get(f, busy)).waitingSince, null);
    assert.deepEqual(await events(f, busy, 'queued'), []);
    assert.equal((await runs(f, busy))[0].actions[0].detail, 'conversation is resolved');
    await ok(f.ben.call('POST', `/v1/conversations/${busy}/reopen`), 200);
    await setAvailability(f, f.ana, 'online');
    assert.equal((await get(f, busy)).assigneeId, null, 'nothing queued it');
  });

  it('queues a snoozed one instead of placing it, and the queue places it when it wakes', async (t) => {
    const f = await setup(t, { availability: 'online' });
    await toSupport(f);
    let id = '';
    await beforeTheRules(f, async () => {
      id = await createUnsettled(f);
      await ok(f.ben.call('POST', `/v1/conversations/${id}/snooze`, { until: at(f, 60 * MINUTE) }), 200);
    });
    const snoozed = await get(f, id);
    assert.equal(snoozed.assigneeId, null, 'not placed while snoozed');
    assert.ok(snoozed.waitingSince);
    assert.equal(snoozed.teamId, f.support.id);
    const [run] = await runs(f, id);
    assert.equal(run.outcome, 'queued');
    assert.equal(run.actions[0].detail, 'conversation is snoozed: waits for Support until it wakes');
    assert.equal((await events(f, id, 'queued'))[0].data.text, 'Waiting for Support');
    assert.equal((await ok(f.ana.call('GET', '/v1/notifications'), 200)).items.length, 0);

    await ok(f.ben.call('POST', `/v1/conversations/${id}/snooze`, { until: null }), 200);
    await f.server.settle();
    assert.equal((await get(f, id)).assigneeId, f.ana.id);
  });
});

describe('a reassignment', () => {
  /** After 15 minutes without a reply, hand it to Support (`onlyIfUnassigned: false`). */
  const handOn = (f: Fixture) =>
    publish(f, {
      name: 'No reply in 15 → Support',
      trigger: { event: 'conversation.unanswered_for', minutes: 15 },
      actions: [{ type: 'assign', onlyIfUnassigned: false, steps: [{ pool: { team: f.support.id }, strategy: 'round_robin' }] }],
    });

  it('that cannot place the conversation now leaves it with its agent, not queued, and the run says why', async (t) => {
    const f = await setup(t);
    const rule = await handOn(f);
    const id = await create(f);
    await ok(f.ben.call('POST', `/v1/conversations/${id}/assign`, { assigneeId: f.ben.id }), 200);
    await f.server.advance(15 * MINUTE + 5_000);

    const [run] = await runs(f, id);
    assert.equal(run?.workflowId, rule, 'the rule ran');
    assert.equal(run.outcome, 'no_change');
    assert.equal(run.actions[0].status, 'no_change');
    assert.equal(run.actions[0].detail, 'stays with ben: nobody eligible in Support (ana away)');
    const c = await get(f, id);
    assert.equal(c.assigneeId, f.ben.id);
    assert.equal(c.waitingSince, null);
    assert.equal(c.teamId, null, 'not moved to the team it would have waited for');
    assert.deepEqual(await events(f, id, 'queued'), []);

    // Ana coming online places nothing: it was never queued.
    await setAvailability(f, f.ana, 'online');
    assert.equal((await get(f, id)).assigneeId, f.ben.id);
  });

  it('never hands the conversation back to its own agent: round-robin passes over them, and with nobody else it stays', async (t) => {
    const f = await setup(t, { availability: 'online', capacity: 5 });
    await handOn(f);
    await ok(f.ws.api('PATCH', `/v1/teams/${f.support.id}`, { memberIds: [f.ana.id, f.ben.id] }), 200);
    const first = await create(f);
    await ok(f.ben.call('POST', `/v1/conversations/${first}/assign`, { assigneeId: f.ben.id }), 200);
    await f.server.advance(MINUTE);
    const second = await create(f);
    await ok(f.ben.call('POST', `/v1/conversations/${second}/assign`, { assigneeId: f.ben.id }), 200);
    // Ana was assigned after Ben: round-robin's turn is Ben's.
    await f.server.advance(5_000);
    const answered = await create(f);
    await ok(f.ana.call('POST', `/v1/conversations/${answered}/assign`, { assigneeId: f.ana.id }), 200);
    await ok(f.ana.call('POST', `/v1/conversations/${answered}/messages`, { direction: 'outbound', body: 'On it' }), 201);

    await f.server.advance(14 * MINUTE);
    assert.equal((await get(f, first)).assigneeId, f.ana.id, 'handed on to Ana, not back to Ben');
    const [handed] = (await events(f, first, 'assigned')).filter((e: any) => e.actor.type === 'workflow');
    assert.deepEqual([handed.data.from, handed.data.to], [f.ben.id, f.ana.id]);

    // Ana goes away: Ben's other conversation has nobody else to go to, and stays.
    await setAvailability(f, f.ana, 'away');
    await f.server.advance(MINUTE);
    const [run] = await runs(f, second);
    assert.equal(run?.actions[0].detail, 'stays with ben: nobody eligible in Support (ana away; ben is already assigned)');
    assert.equal((await get(f, second)).assigneeId, f.ben.id);
    assert.equal((await events(f, second, 'assigned')).length, 1, 'no "Assigned to ben" again');
  });

  it('of a conversation snoozed before the rule ran leaves it with its agent', async (t) => {
    const f = await setup(t, { availability: 'online' });
    await handOn(f);
    const id = await create(f);
    await ok(f.ben.call('POST', `/v1/conversations/${id}/assign`, { assigneeId: f.ben.id }), 200);
    await f.server.advance(15 * MINUTE - 10_000);
    await beforeTheRules(f, async () => {
      // The timer fires; the rules run only after Ben has snoozed it.
      for (let i = 0; i < 4; i++) {
        f.server.clock!.advance(5_000);
        await f.server.server.timers.idle();
      }
      await ok(f.ben.call('POST', `/v1/conversations/${id}/snooze`, { until: at(f, 60 * MINUTE) }), 200);
    });
    const [run] = await runs(f, id);
    assert.equal(run?.actions[0].detail, 'stays with ben: conversation is snoozed');
    const c = await get(f, id);
    assert.equal(c.assigneeId, f.ben.id, 'Ana was free, but it is snoozed');
    assert.equal(c.waitingSince, null);
  });
});

describe("the queue's clock", () => {
  it('does not poll a wait nobody can take: it waits for a change, and a change still places it', async (t) => {
    const f = await setup(t);
    const carl = await f.ws.addAgent('carl', { availability: 'away' });
    const { team: sales } = await ok(f.ws.api('POST', '/v1/teams', { name: 'Sales', memberIds: [carl.id] }), 201);
    await publish(f, {
      name: 'Support, then Sales',
      trigger: { event: 'conversation.created' },
      actions: [{ type: 'assign', steps: [{ pool: { team: f.support.id }, strategy: 'round_robin', timeoutSec: 60 }, { pool: { team: sales.id }, strategy: 'round_robin' }] }],
    });
    const { deps } = f.server.server;
    // What the queue's 5 s timer finds due from now on, counted beside it over the same database.
    let drains = 0;
    const probe = new RoutingQueueTimer({ storage: deps.storage, clock: deps.clock, drain: (ws) => (drains++, drainQueue(deps, ws)) }, f.server.clock!);
    const dueChecks = async () => {
      drains = 0;
      for (let i = 0; i < 3; i++) {
        f.server.clock!.advance(5_000);
        await probe.check();
      }
      return drains;
    };

    // Ben, in neither team, could take more: the action has nobody, so its step timing out places nothing.
    const first = await create(f);
    await f.server.advance(65_000);
    assert.equal((await get(f, first)).assigneeId, null);
    assert.equal(await dueChecks(), 0, 'step 1 timed out: nothing left to poll for');

    // Nobody at all can take more: the same.
    await setAvailability(f, f.ben, 'away');
    const second = await create(f);
    await f.server.advance(65_000);
    assert.equal(await dueChecks(), 0);

    // A change still places both, on step 2.
    await setAvailability(f, carl, 'online');
    assert.equal((await get(f, first)).assigneeId, carl.id);
    assert.equal((await get(f, second)).assigneeId, carl.id);
  });
});
