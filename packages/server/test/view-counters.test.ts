import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { io } from 'socket.io-client';
import { VIEWS, type Counts } from '@baton/protocol';
import { toRecord } from '../src/outbox/relay.js';
import { LiveCounts } from '../src/realtime/live-counts.js';
import type { Database } from '../src/storage/schema.js';
import { fillViewCounters } from '../src/storage/view-counters.js';
import { TestServer, tempDbFile, type BatonTestSocket, type HttpResult, type TestAgent, type TestWorkspace } from '../src/testing.js';
import { prng } from '../bench/prng.js';

/**
 * View counts are kept as counters, moved by every write that changes them (src/storage/view-
 * counters.ts), instead of being counted. These tests drive commands through HTTP and compare every
 * agent's counts — from REST, and from the live `counts:updated` events — with plain COUNT(*)
 * queries over the tables, written out here by hand.
 */

const ZERO: Counts = { mine: 0, unassigned: 0, mentioned: 0, unread: 0, all: 0, resolved: 0, snoozed: 0 };

/** Each view's definition (DESIGN §3), as COUNT(*) over the tables: no counters, no shared query code. */
async function countedByHand(db: Kysely<Database>, workspaceId: string, agentId: string): Promise<Counts> {
  const { rows } = await sql<Counts>`
    SELECT
      (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = ${workspaceId} AND c.status = 'open' AND c.assignee_id = ${agentId}) AS mine,
      (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = ${workspaceId} AND c.status = 'open' AND c.assignee_id IS NULL) AS unassigned,
      (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = ${workspaceId} AND c.status = 'open'
        AND EXISTS (SELECT 1 FROM mentions AS m WHERE m.conversation_id = c.id AND m.agent_id = ${agentId})) AS mentioned,
      (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = ${workspaceId} AND c.status = 'open' AND c.last_inbound_seq IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM read_states AS r
                        WHERE r.conversation_id = c.id AND r.agent_id = ${agentId} AND r.last_read_seq >= c.last_inbound_seq)) AS unread,
      (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = ${workspaceId} AND c.status = 'open') AS "all",
      (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = ${workspaceId} AND c.status = 'resolved') AS resolved,
      (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = ${workspaceId} AND c.status = 'snoozed' AND c.snoozed_until IS NOT NULL) AS snoozed`.execute(db);
  const row = rows[0]!;
  return Object.fromEntries(VIEWS.map((v) => [v, Number(row[v])])) as Counts;
}

async function ok<T = any>(res: Promise<HttpResult<T>>, status: number): Promise<T> {
  const r = await res;
  assert.equal(r.status, status, `${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A live socket per agent, recording `counts:updated`. */
interface Live {
  socket: BatonTestSocket;
  counts: { seq: number; counts: Counts }[];
}

async function connect(server: TestServer, sockets: BatonTestSocket[], token: string): Promise<Live> {
  const socket: BatonTestSocket = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  const counts: Live['counts'] = [];
  socket.on('counts:updated', (payload) => counts.push(payload));
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, counts };
}

/**
 * Resolves once the server has answered a message sent now on this socket: whatever it emitted to
 * the socket before (during `settle()`) has then arrived, since one connection delivers in order.
 */
const roundTrip = (socket: BatonTestSocket) =>
  new Promise<void>((resolve) => (socket.emit as (event: string, body: unknown, ack: () => void) => void)('presence:viewing', { conversationId: null }, () => resolve()));

async function setup(t: TestContext, usernames = ['ana', 'ben', 'cy', 'dee']) {
  const server = await TestServer.start();
  const sockets: BatonTestSocket[] = [];
  t.after(async () => {
    for (const s of sockets) s.disconnect();
    await server.close();
  });
  const ws = await server.createWorkspace('Acme');
  const agents: TestAgent[] = [];
  for (const name of usernames) agents.push(await ws.addAgent(name));
  const db = server.server.deps.storage.db;
  const counts = async (agent: TestAgent) => ok<Counts>(agent.call('GET', '/v1/conversations/counts'), 200);
  /** Asserts every agent's REST counts equal the hand-counted ones, and returns them by agent id. */
  const expectExact = async (context: string) => {
    const byAgent = new Map<string, Counts>();
    for (const agent of agents) {
      const expected = await countedByHand(db, ws.id, agent.id);
      assert.deepEqual(await counts(agent), expected, `${agent.username}'s counts (REST): ${context}`);
      byAgent.set(agent.id, expected);
    }
    return byAgent;
  };
  return { server, ws, agents, db, counts, expectExact, sockets, open: (token: string) => connect(server, sockets, token) };
}

const inbound = async (ws: TestWorkspace, body = 'Hi, my order is late') =>
  (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body } }), 201)).conversation as { id: string };

const SEEDS = process.env.VIEW_COUNTERS_SEED ? [Number(process.env.VIEW_COUNTERS_SEED)] : [1, 2, 3, 4];
const STEPS = Number(process.env.VIEW_COUNTERS_STEPS ?? 250);
/** Seeds whose run also checks the live `counts:updated` of every agent after every step. */
const LIVE_SEEDS = new Set([1, 3]);

for (const seed of SEEDS) {
  test(`random commands over HTTP: every agent's counts equal COUNT(*) of each view after every step${LIVE_SEEDS.has(seed) ? ', live over the socket too' : ''} (seed ${seed})`, async (t) => {
    const { server, ws, agents, expectExact, open } = await setup(t);
    const random = prng(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const ids: string[] = [];
    const log: string[] = [];
    /** The views some agent's counts showed non-empty after some step. */
    const reached = new Set<keyof Counts>();
    const live = LIVE_SEEDS.has(seed) ? await Promise.all(agents.map((a) => open(a.token))) : [];

    /**
     * One random command; returns what it did (for the failure message) and the conversation it
     * created, if any. It draws all its random numbers before its first await, so a burst of
     * concurrent ones draws them in a fixed order.
     */
    const command = async (step: number): Promise<{ did: string; created?: string }> => {
      const agent = pick(agents);
      const id = ids.length ? pick(ids) : null;
      const op = random();
      if (!id || op < 0.12) return { did: 'host creates with an inbound message', created: (await inbound(ws, `hello ${step}`)).id };
      if (op < 0.15) {
        const created = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Fay' }, channel: 'email', subject: 'No message yet' }), 201);
        return { did: 'host creates without a message', created: created.conversation.id };
      }
      if (op < 0.19) {
        const body = random() < 0.5 ? { contact: { name: 'Gil' }, channel: 'sms', message: { body: 'outreach' } } : { contact: { name: 'Hal' }, channel: 'sms' };
        const created = await ok(agent.call('POST', '/v1/conversations', body), 201);
        return { did: `${agent.username} creates${'message' in body ? ' with an outbound message' : ''}`, created: created.conversation.id };
      }
      return { did: await update(agent, id, op) };
    };

    /** A command on an existing conversation. */
    const update = async (agent: TestAgent, id: string, op: number): Promise<string> => {
      if (op < 0.33) {
        await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'more' }), 201);
        return `inbound message on ${id}`;
      }
      if (op < 0.4) {
        await ok(agent.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'reply' }), 201);
        return `${agent.username} replies on ${id}`;
      }
      if (op < 0.42) {
        await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'from the CRM' }), 201);
        return `host replies on ${id}`;
      }
      if (op < 0.53) {
        const named = agents.filter(() => random() < 0.35).map((a) => `@${a.username}`);
        await ok(agent.call('POST', `/v1/conversations/${id}/notes`, { body: `note ${named.join(' ')} @nobody` }), 201);
        return `${agent.username} notes on ${id} mentioning ${named.join(' ') || 'nobody'}`;
      }
      if (op < 0.65) {
        const to = random() < 0.2 ? null : pick(agents).id;
        await ok((random() < 0.5 ? agent.call : ws.api)('POST', `/v1/conversations/${id}/assign`, { assigneeId: to }), 200);
        return `${agent.username} assigns ${id} to ${to}`;
      }
      if (op < 0.75) {
        await ok(agent.call('POST', `/v1/conversations/${id}/resolve`), 200);
        return `${agent.username} resolves ${id}`;
      }
      if (op < 0.81) {
        await ok(agent.call('POST', `/v1/conversations/${id}/reopen`), 200);
        return `${agent.username} reopens ${id}`;
      }
      if (op < 0.87) {
        // Snoozed for 5–120 s of the clock (the steps advance it ~1 s each, and the waker wakes what is due), or woken by hand.
        const wake = random() < 0.2;
        const until = wake ? null : new Date(server.clock!.now() + 5_000 + Math.floor(random() * 115_000)).toISOString();
        const res = await agent.call('POST', `/v1/conversations/${id}/snooze`, { until });
        // A resolved conversation cannot be snoozed.
        assert.ok(res.status === 200 || (res.status === 409 && res.body.error.code === 'conflict'), `${res.status} ${JSON.stringify(res.body)}`);
        return `${agent.username} snoozes ${id} until ${until} (${res.status})`;
      }
      await ok(agent.call('POST', `/v1/conversations/${id}/read`), 200);
      return `${agent.username} reads ${id}`;
    };

    for (let step = 0; step < STEPS; step++) {
      server.clock!.advance(Math.floor(random() * 2000));
      // Snoozes that fell due wake now (the advance may have started a pass already), before any command.
      await server.server.snoozes.idle();
      await server.server.snoozes.wakeDue();
      // Now and then a burst: commands that share a group commit (several units in one transaction).
      const n = ids.length > 3 && random() < 0.08 ? 2 + Math.floor(random() * 4) : 1;
      const done = await Promise.all(Array.from({ length: n }, () => command(step)));
      for (const { created } of done) if (created) ids.push(created);
      log.push(`${step}: ${done.map((d) => d.did).join('; together with ')}`);
      const context = `seed ${seed}, step ${step}\n${log.slice(-6).join('\n')}`;
      const expected = await expectExact(context);
      for (const view of VIEWS) if ([...expected.values()].some((c) => c[view] > 0)) reached.add(view);
      if (live.length) {
        await server.settle();
        for (const [i, { socket, counts }] of live.entries()) {
          await roundTrip(socket);
          const agent = agents[i]!;
          assert.deepEqual(counts.at(-1)?.counts, expected.get(agent.id), `${agent.username}'s live counts: ${context}`);
        }
      }
    }
    // The random walk reached every kind of state at some step, or the comparisons above proved
    // little. (At some step, not at the end: a long walk may well end with nothing snoozed.)
    for (const view of VIEWS) assert.ok(reached.has(view), `no agent ever had a non-empty ${view} view (seed ${seed})`);
    for (const { counts } of live) {
      // Sent only when they moved: no two events in a row carry the same counts.
      for (let i = 1; i < counts.length; i++) assert.notDeepEqual(counts[i]!.counts, counts[i - 1]!.counts, `counts:updated #${i} repeats the previous one`);
      for (let i = 1; i < counts.length; i++) assert.ok(counts[i]!.seq >= counts[i - 1]!.seq, 'counts:updated seqs never go back');
    }
  });
}

test('creating a conversation: with an inbound message it is unread for everyone; without one, or as outreach, it is not', async (t) => {
  const { ws, agents, counts, expectExact } = await setup(t, ['ana', 'ben']);
  const [ana, ben] = agents as [TestAgent, TestAgent];
  await inbound(ws);
  for (const agent of agents) assert.deepEqual(await counts(agent), { ...ZERO, unassigned: 1, unread: 1, all: 1 });
  await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Fay' }, channel: 'email' }), 201);
  await ok(ana.call('POST', '/v1/conversations', { contact: { name: 'Gil' }, channel: 'sms', message: { body: 'outreach' } }), 201);
  assert.deepEqual(await counts(ben), { ...ZERO, unassigned: 3, unread: 1, all: 3 });
  await expectExact('after three creates');
});

test("an inbound message makes a conversation unread again only for the agents who had read it", async (t) => {
  const { ws, agents, counts, expectExact } = await setup(t, ['ana', 'ben', 'cy']);
  const [ana, ben, cy] = agents as [TestAgent, TestAgent, TestAgent];
  const conv = await inbound(ws);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/read`), 200);
  await ok(ben.call('POST', `/v1/conversations/${conv.id}/read`), 200);
  assert.equal((await counts(ana)).unread, 0);
  assert.equal((await counts(cy)).unread, 1);
  await ok(ws.api('POST', `/v1/conversations/${conv.id}/messages`, { direction: 'inbound', body: 'hello?' }), 201);
  for (const agent of agents) assert.equal((await counts(agent)).unread, 1, `${agent.username} has it unread`);
  // An outbound message from the host does not make anything unread, and reading twice counts once.
  await ok(ben.call('POST', `/v1/conversations/${conv.id}/read`), 200);
  await ok(ben.call('POST', `/v1/conversations/${conv.id}/read`), 200);
  await ok(ws.api('POST', `/v1/conversations/${conv.id}/messages`, { direction: 'outbound', body: 'we are on it' }), 201);
  assert.equal((await counts(ben)).unread, 0);
  assert.equal((await counts(ana)).unread, 1);
  await expectExact('after the messages');
});

test('reading moves only the reader, and only for an open conversation with an inbound message they had not read', async (t) => {
  const { ws, agents, counts, expectExact } = await setup(t, ['ana', 'ben']);
  const [ana, ben] = agents as [TestAgent, TestAgent];
  const unreadOne = await inbound(ws);
  const quiet = (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Fay' }, channel: 'email' }), 201)).conversation;
  const resolved = await inbound(ws, 'thanks, solved');
  await ok(ben.call('POST', `/v1/conversations/${resolved.id}/resolve`), 200);
  assert.deepEqual(await counts(ana), { ...ZERO, unassigned: 2, unread: 1, all: 2, resolved: 1 });
  await ok(ana.call('POST', `/v1/conversations/${quiet.id}/read`), 200);
  await ok(ana.call('POST', `/v1/conversations/${resolved.id}/read`), 200);
  assert.equal((await counts(ana)).unread, 1, 'no inbound message, or resolved: nothing to read');
  await ok(ana.call('POST', `/v1/conversations/${unreadOne.id}/read`), 200);
  assert.equal((await counts(ana)).unread, 0);
  assert.equal((await counts(ben)).unread, 1);
  // Ana read the resolved one while it was resolved: when it reopens, it is read for her.
  await ok(ben.call('POST', `/v1/conversations/${resolved.id}/reopen`), 200);
  assert.equal((await counts(ana)).unread, 0);
  assert.equal((await counts(ben)).unread, 2);
  await expectExact('after the reads');
});

test('assigning, reassigning and unassigning move Mine of the agents before and after, and Unassigned', async (t) => {
  const { ws, agents, counts, expectExact } = await setup(t, ['ana', 'ben']);
  const [ana, ben] = agents as [TestAgent, TestAgent];
  const conv = await inbound(ws);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ana.id }), 200);
  assert.deepEqual(await counts(ana), { ...ZERO, mine: 1, unread: 1, all: 1 });
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id }), 200);
  assert.equal((await counts(ana)).mine, 0);
  assert.equal((await counts(ben)).mine, 1);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id }), 200); // no change
  assert.equal((await counts(ben)).mine, 1);
  await ok(ws.api('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: null }), 200);
  assert.deepEqual(await counts(ben), { ...ZERO, unassigned: 1, unread: 1, all: 1 });
  // Assigning a resolved conversation changes no count but Mine's later, when it reopens.
  await ok(ben.call('POST', `/v1/conversations/${conv.id}/resolve`), 200);
  await ok(ben.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ana.id }), 200);
  assert.deepEqual(await counts(ana), { ...ZERO, unread: 0, resolved: 1 });
  await ok(ben.call('POST', `/v1/conversations/${conv.id}/reopen`), 200);
  assert.deepEqual(await counts(ana), { ...ZERO, mine: 1, unread: 1, all: 1 });
  await expectExact('after the assignments');
});

test('a mention counts once per agent and conversation, and only while the conversation is open', async (t) => {
  const { ws, agents, counts, expectExact } = await setup(t, ['ana', 'ben', 'cy']);
  const [ana, ben, cy] = agents as [TestAgent, TestAgent, TestAgent];
  const conv = await inbound(ws);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: '@ben and @cy, and @ben again' }), 201);
  assert.equal((await counts(ben)).mentioned, 1);
  assert.equal((await counts(cy)).mentioned, 1);
  assert.equal((await counts(ana)).mentioned, 0);
  assert.equal((await counts(ana)).unread, 0, 'writing a note marks it read');
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: 'ping @ben' }), 201);
  assert.equal((await counts(ben)).mentioned, 1, 'a second mention of the same agent adds nothing');
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/resolve`), 200);
  assert.equal((await counts(ben)).mentioned, 0);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: 'fyi @ana' }), 201); // on a resolved conversation
  assert.equal((await counts(ana)).mentioned, 0);
  await ok(ben.call('POST', `/v1/conversations/${conv.id}/reopen`), 200);
  for (const agent of agents) assert.equal((await counts(agent)).mentioned, 1, `${agent.username} is mentioned on the open conversation`);
  await expectExact('after the notes');
});

test('resolving takes a conversation out of every open view, for everyone; reopening puts it back', async (t) => {
  const { ws, agents, counts, expectExact } = await setup(t, ['ana', 'ben', 'cy']);
  const [ana, ben, cy] = agents as [TestAgent, TestAgent, TestAgent];
  const conv = await inbound(ws);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id }), 200);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: '@cy have a look' }), 201);
  const open = { ben: await counts(ben), cy: await counts(cy), ana: await counts(ana) };
  assert.deepEqual(open.ben, { ...ZERO, mine: 1, unread: 1, all: 1 });
  assert.deepEqual(open.cy, { ...ZERO, mentioned: 1, unread: 1, all: 1 });
  assert.deepEqual(open.ana, { ...ZERO, all: 1 }); // she wrote the note: read
  await ok(cy.call('POST', `/v1/conversations/${conv.id}/resolve`), 200);
  for (const agent of agents) assert.deepEqual(await counts(agent), { ...ZERO, resolved: 1 }, `${agent.username} after resolve`);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/reopen`), 200);
  assert.deepEqual(await counts(ben), open.ben);
  assert.deepEqual(await counts(cy), open.cy);
  assert.deepEqual(await counts(ana), open.ana, 'still read by the one who had read it');
  await expectExact('after resolve and reopen');
});

test('snoozing takes a conversation out of every open view into Snoozed, for everyone; waking by time or by a message puts it back', async (t) => {
  const { server, ws, agents, counts, expectExact } = await setup(t, ['ana', 'ben', 'cy']);
  const [ana, ben, cy] = agents as [TestAgent, TestAgent, TestAgent];
  const conv = await inbound(ws);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id }), 200);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: '@cy have a look' }), 201);
  const open = { ben: await counts(ben), cy: await counts(cy), ana: await counts(ana) };
  const until = (ms: number) => new Date(server.clock!.now() + ms).toISOString();
  await ok(cy.call('POST', `/v1/conversations/${conv.id}/snooze`, { until: until(60_000) }), 200);
  for (const agent of agents) assert.deepEqual(await counts(agent), { ...ZERO, snoozed: 1 }, `${agent.username} while snoozed`);
  await expectExact('snoozed');
  server.clock!.advance(60_000);
  await server.server.snoozes.idle();
  await server.server.snoozes.wakeDue();
  assert.deepEqual(await counts(ben), open.ben, 'woken by time: Mine and Unread again');
  assert.deepEqual(await counts(cy), open.cy, 'woken by time: Mentioned again');
  assert.deepEqual(await counts(ana), open.ana);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/read`), 200);
  await ok(cy.call('POST', `/v1/conversations/${conv.id}/snooze`, { until: until(60_000) }), 200);
  await ok(ws.api('POST', `/v1/conversations/${conv.id}/messages`, { direction: 'inbound', body: 'any news?' }), 201);
  for (const agent of agents) assert.equal((await counts(agent)).unread, 1, `${agent.username}: the new message is unread`);
  assert.equal((await counts(ben)).snoozed, 0);
  await expectExact('woken by an inbound message');
  await ok(cy.call('POST', `/v1/conversations/${conv.id}/snooze`, { until: until(60_000) }), 200);
  await ok(cy.call('POST', `/v1/conversations/${conv.id}/resolve`), 200);
  for (const agent of agents) assert.deepEqual(await counts(agent), { ...ZERO, resolved: 1 }, `${agent.username}: resolving a snoozed one`);
  await expectExact('resolved while snoozed');
});

test('a message reopens a resolved conversation: an inbound one is unread for everyone, a reply is read by the replier', async (t) => {
  const { ws, agents, counts, expectExact } = await setup(t, ['ana', 'ben']);
  const [ana, ben] = agents as [TestAgent, TestAgent];
  const first = await inbound(ws);
  const second = await inbound(ws, 'another one');
  for (const conv of [first, second]) {
    for (const agent of agents) await ok(agent.call('POST', `/v1/conversations/${conv.id}/read`), 200);
    await ok(ana.call('POST', `/v1/conversations/${conv.id}/resolve`), 200);
  }
  assert.deepEqual(await counts(ana), { ...ZERO, resolved: 2 });
  await ok(ws.api('POST', `/v1/conversations/${first.id}/messages`, { direction: 'inbound', body: 'it broke again' }), 201);
  for (const agent of agents) assert.deepEqual(await counts(agent), { ...ZERO, unassigned: 1, unread: 1, all: 1, resolved: 1 });
  await ok(ben.call('POST', `/v1/conversations/${second.id}/messages`, { direction: 'outbound', body: 'one more thing' }), 201);
  assert.deepEqual(await counts(ben), { ...ZERO, unassigned: 2, unread: 1, all: 2 });
  assert.deepEqual(await counts(ana), { ...ZERO, unassigned: 2, unread: 1, all: 2 }, 'she had read the latest inbound message too');
  await expectExact('after the reopening messages');
});

test('counts are exact, not capped: a badge may say "9999+", the number it gets is the real one', async (t) => {
  const { server, ws, agents, counts } = await setup(t, ['ana']);
  // Counters are stored values: set the workspace's as if it had 12,345 open conversations, as
  // migration 0011 would have counted them, and add one through the API.
  await server.server.deps.storage.db.updateTable('workspaces').set({ open_count: 12_345, open_unassigned_count: 12_345 }).where('id', '=', ws.id).execute();
  await inbound(ws);
  const c = await counts(agents[0]!);
  assert.equal(c.all, 12_346);
  assert.equal(c.unassigned, 12_346);
});

test('the socket fan-out computes counts from the changes it relays, with no query after an agent is loaded', async (t) => {
  const { ws, agents, db } = await setup(t, ['ana', 'ben']);
  const [ana, ben] = agents as [TestAgent, TestAgent];
  let reads = 0;
  const counted = db.withPlugin({ transformQuery: (args) => args.node, transformResult: async (args) => (reads++, args.result) });
  const live = new LiveCounts(counted);
  const online = () => [ana.id, ben.id];
  assert.deepEqual(await live.forAgent(ws.id, ana.id), ZERO);
  assert.deepEqual(await live.forAgent(ws.id, ben.id), ZERO);
  assert.equal(reads, 2, 'one read an agent');
  const since = Number((await db.selectFrom('outbox').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
  const conv = await inbound(ws);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: '@ben look' }), 201);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id }), 200);
  const rows = await db.selectFrom('outbox').selectAll().where('id', '>', since).orderBy('id').execute();
  const records = rows.map(toRecord);
  assert.equal(records.length, 3);
  reads = 0;
  const updates = await live.afterBatch(records, online);
  assert.equal(reads, 0, 'no query for the batch');
  const byAgent = new Map(updates.map((u) => [u.agentId, u]));
  assert.deepEqual(byAgent.get(ana.id)?.counts, await countedByHand(db, ws.id, ana.id));
  assert.deepEqual(byAgent.get(ben.id)?.counts, await countedByHand(db, ws.id, ben.id));
  assert.deepEqual(byAgent.get(ben.id)?.counts, { ...ZERO, mine: 1, mentioned: 1, unread: 1, all: 1 });
  assert.equal(byAgent.get(ben.id)?.seq, records.at(-1)!.seq);
  // The same batch again moves nothing: nothing is sent.
  assert.deepEqual(await live.afterBatch(records, online), []);
  // A row written before the counters existed (no `counters`): that workspace's online agents are read again.
  const legacy = { ...records.at(-1)!, payload: { ...records.at(-1)!.payload, counters: undefined } } as (typeof records)[number];
  await ok(ws.api('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: null }), 200);
  reads = 0;
  const afterLegacy = await live.afterBatch([legacy], online);
  assert.equal(reads, 2, 'one read for each online agent of the workspace');
  assert.deepEqual(new Map(afterLegacy.map((u) => [u.agentId, u.counts])).get(ben.id), await countedByHand(db, ws.id, ben.id));
});

test('a counter read at connect time is not replaced by older values from changes the fan-out reaches later', async (t) => {
  const { ws, agents, db } = await setup(t, ['ana']);
  const [ana] = agents as [TestAgent];
  const since = Number((await db.selectFrom('outbox').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
  const first = await inbound(ws);
  await inbound(ws, 'second');
  await ok(ana.call('POST', `/v1/conversations/${first.id}/read`), 200);
  // Ana connects now: her counts include all three changes, which the fan-out has not relayed yet.
  const live = new LiveCounts(db);
  const now = await live.forAgent(ws.id, ana.id);
  assert.deepEqual(now, { ...ZERO, unassigned: 2, unread: 1, all: 2 });
  const records = (await db.selectFrom('outbox').selectAll().where('id', '>', since).orderBy('id').execute()).map(toRecord);
  // Relayed one at a time, the older rows carry older counters; they must not take her back.
  for (const r of records) assert.deepEqual(await live.afterBatch([r], () => [ana.id]), [], `nothing to send after seq ${r.seq}`);
});

test('migration 0011 counts the existing conversations, mentions and read marks into the counters', async (t) => {
  const file = tempDbFile(t, 'view-counters');
  const first = await TestServer.start({ db: file });
  let current = first;
  t.after(() => current.close());
  const ws = await first.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const a = await inbound(ws);
  const b = await inbound(ws, 'second');
  await inbound(ws, 'third');
  await ok(ana.call('POST', `/v1/conversations/${a.id}/assign`, { assigneeId: ben.id }), 200);
  await ok(ana.call('POST', `/v1/conversations/${b.id}/notes`, { body: '@ben' }), 201);
  await ok(ben.call('POST', `/v1/conversations/${b.id}/resolve`), 200);
  await ok(ben.call('POST', `/v1/conversations/${a.id}/read`), 200);
  const db = first.server.deps.storage.db;
  const expected = { ana: await countedByHand(db, ws.id, ana.id), ben: await countedByHand(db, ws.id, ben.id) };
  // Back to the schema before 0011, as a server of the version before would have left it.
  for (const column of ['open_count', 'open_unassigned_count', 'resolved_count', 'open_inbound_count']) {
    await sql`ALTER TABLE workspaces DROP COLUMN ${sql.ref(column)}`.execute(db);
  }
  await sql`DROP TABLE agent_view_counts`.execute(db);
  await sql`DROP INDEX mentions_by_conversation`.execute(db);
  await sql`DELETE FROM baton_migrations WHERE version = 11`.execute(db);
  await first.close();

  const second = await TestServer.start({ db: file });
  current = second;
  const call = (token: string) => ok<Counts>(second.request('GET', '/v1/conversations/counts', { token }), 200);
  assert.deepEqual(await call(ana.token), expected.ana);
  assert.deepEqual(await call(ben.token), expected.ben);
  assert.deepEqual(expected.ben, { ...ZERO, mine: 1, unread: 1, all: 2, unassigned: 1, resolved: 1 });
});

test('fillViewCounters, the repair for writes made around the services, restores every counter exactly, Snoozed included', async (t) => {
  const { server, ws, agents, db, expectExact } = await setup(t, ['ana', 'ben']);
  const [ana, ben] = agents as [TestAgent, TestAgent];
  const [a, b, c] = [await inbound(ws), await inbound(ws), await inbound(ws)];
  await ok(ana.call('POST', `/v1/conversations/${a.id}/assign`, { assigneeId: ben.id }), 200);
  await ok(ana.call('POST', `/v1/conversations/${b.id}/notes`, { body: '@ben look' }), 201);
  await ok(ana.call('POST', `/v1/conversations/${c.id}/snooze`, { until: new Date(server.clock!.now() + 60_000).toISOString() }), 200);
  await ok(ben.call('POST', `/v1/conversations/${b.id}/resolve`, {}), 200);
  const before = await expectExact('before the repair');
  await sql`UPDATE workspaces SET open_count = 0, open_unassigned_count = 0, resolved_count = 0, open_inbound_count = 0, snoozed_count = 0`.execute(db);
  await sql`DELETE FROM agent_view_counts`.execute(db);
  await fillViewCounters(db);
  assert.deepEqual(await expectExact('after the repair'), before);
  assert.equal(before.get(ana.id)!.snoozed, 1);
});
