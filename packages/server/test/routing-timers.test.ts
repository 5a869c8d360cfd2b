import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import Sqlite from 'libsql';
import { REBUILD_CHUNK, RoutingTimers, rebuildTimerChunk } from '../src/services/routing-timers.js';
import { rebuildConversationIds } from '../src/storage/conversation-timers.js';
import { TestServer, tempDbFile, type TestAgent, type TestWorkspace, expectStatus as ok } from '../src/testing.js';

// The `conversation.unassigned_for` and `conversation.unanswered_for` triggers (DESIGN §6, issue 9):
// counted from stored times on the injected clock, fired once per (conversation, workflow,
// occurrence), and still counted after a restart.

interface Fixture {
  server: TestServer;
  ws: TestWorkspace;
  boss: TestAgent;
  ana: TestAgent;
  bob: TestAgent;
  support: { id: string };
}

async function setup(t: TestContext, options: { db?: string } = {}): Promise<Fixture> {
  const server = await TestServer.startFor(t, options);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
  const ana = await ws.addAgent('ana');
  const bob = await ws.addAgent('bob');
  const { team: support } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id] }), 201);
  return { server, ws, boss, ana, bob, support };
}

async function publish(f: Fixture, definition: Record<string, unknown>): Promise<string> {
  const { workflow } = await ok(f.boss.call('POST', '/v1/workflows', definition), 201);
  await ok(f.boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
  return workflow.id;
}

/** Hands a conversation nobody has answered for 15 minutes to Bob, whoever has it. */
const noReplyToBob = (f: Fixture) => ({
  name: 'No reply in 15 → Bob',
  trigger: { event: 'conversation.unanswered_for', minutes: 15 },
  actions: [{ type: 'assign', onlyIfUnassigned: false, steps: [{ pool: { agents: [f.bob.id] }, strategy: 'least_loaded' }] }],
});

async function conversation(f: Fixture): Promise<string> {
  const { contact } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Rui' }), 201);
  const { conversation } = await ok(f.ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hello?' } }), 201);
  await f.server.settle();
  return conversation.id;
}

const get = async (f: Fixture, id: string) => (await ok(f.server.request('GET', `/v1/conversations/${id}`, { token: f.ws.apiKey }), 200)).conversation;
const runsOf = async (f: Fixture, workflowId: string) => (await ok(f.server.request('GET', `/v1/workflows/${workflowId}/runs`, { token: f.ws.apiKey }), 200)).items;

const reassign = (minutes: number, teamId: string) => ({
  name: `Unassigned ${minutes} min → Support`,
  trigger: { event: 'conversation.unassigned_for', minutes },
  actions: [
    { type: 'assign', steps: [{ pool: { team: teamId }, strategy: 'round_robin' }] },
    { type: 'add_note', body: 'Nobody took it: {{rule.name}}' },
  ],
});

describe('timer triggers', () => {
  it('an unassigned_for rule assigns on the clock, once per occurrence, and again after the conversation is unassigned', async (t) => {
    const f = await setup(t);
    const rule = await publish(f, reassign(10, f.support.id));
    const id = await conversation(f);

    await f.server.advance(9 * 60_000 + 55_000);
    assert.equal((await get(f, id)).assigneeId, null, 'not before 10 minutes');
    assert.equal((await runsOf(f, rule)).length, 0);

    await f.server.advance(5_000);
    assert.equal((await get(f, id)).assigneeId, f.ana.id, 'at 10 minutes the rule assigns it');
    const runs = await runsOf(f, rule);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].trigger, 'conversation.unassigned_for');
    assert.equal(runs[0].outcome, 'applied');
    const { items } = await ok(f.ws.api('GET', `/v1/conversations/${id}/timeline`), 200);
    const assigned = items.find((i: any) => i.kind === 'event' && i.type === 'assigned');
    assert.equal(assigned.data.text, 'Assigned to ana by rule Unassigned 10 min → Support (round-robin)');
    assert.ok(items.some((i: any) => i.kind === 'note' && i.body === 'Nobody took it: Unassigned 10 min → Support'));

    // Ana hands it back: a new occurrence, counted from the unassignment.
    await ok(f.ws.api('POST', `/v1/conversations/${id}/assign`, { assigneeId: null }), 200);
    await f.server.advance(5 * 60_000);
    assert.equal((await get(f, id)).assigneeId, null);
    assert.equal((await runsOf(f, rule)).length, 1, 'the first occurrence fired once, the second not yet');
    await f.server.advance(5 * 60_000);
    assert.equal((await get(f, id)).assigneeId, f.ana.id);
    assert.equal((await runsOf(f, rule)).length, 2);

    // Assigned now: nothing more fires however long it stays so.
    await f.server.advance(15 * 60_000);
    assert.equal((await runsOf(f, rule)).length, 2);
  });

  it('rules of different minutes each fire once for the same occurrence; a conversation taken by hand never fires', async (t) => {
    const f = await setup(t);
    const tag = (minutes: number) => ({
      name: `Tag after ${minutes}`,
      trigger: { event: 'conversation.unassigned_for', minutes },
      actions: [{ type: 'add_tag', tags: [`waited-${minutes}`] }],
    });
    const five = await publish(f, tag(5));
    const fifteen = await publish(f, tag(15));
    const waiting = await conversation(f);
    const taken = await conversation(f);
    await ok(f.ws.api('POST', `/v1/conversations/${taken}/assign`, { assigneeId: f.bob.id }), 200);

    await f.server.advance(6 * 60_000);
    assert.deepEqual((await get(f, waiting)).tags, ['waited-5']);
    await f.server.advance(10 * 60_000);
    assert.deepEqual((await get(f, waiting)).tags, ['waited-5', 'waited-15']);
    await f.server.advance(20 * 60_000);
    assert.equal((await runsOf(f, five)).length, 1);
    assert.equal((await runsOf(f, fifteen)).length, 1);
    assert.deepEqual((await get(f, taken)).tags, []);
  });

  it('a rule published later counts from when the conversation became unassigned, not from its publication', async (t) => {
    const f = await setup(t);
    const id = await conversation(f);
    await f.server.advance(8 * 60_000);
    await publish(f, reassign(10, f.support.id));
    await f.server.advance(2 * 60_000 + 5_000);
    assert.equal((await get(f, id)).assigneeId, f.ana.id);
  });

  it("a workspace's first timer rule counts from stored times: assignment changes, reopening, the customer's wait; republishing fires nothing twice", async (t) => {
    const f = await setup(t);
    const rows = async () => Number((await f.server.server.deps.storage.db.selectFrom('conversation_timers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const waiting = await conversation(f); // unassigned since t0
    const moved = await conversation(f); // assigned at 2 min, unassigned at 4 min
    const unanswered = await conversation(f); // assigned at 1 min; replied at 3 min; the customer writes at 5 min
    const resolved = await conversation(f);
    const reopened = await conversation(f); // resolved, then the customer writes at 6 min
    const snoozed = await conversation(f);
    await ok(f.ws.api('POST', `/v1/conversations/${resolved}/resolve`), 200);
    await ok(f.ws.api('POST', `/v1/conversations/${reopened}/resolve`), 200);
    await ok(f.ws.api('POST', `/v1/conversations/${snoozed}/snooze`, { until: new Date(f.server.clock!.now() + 3_600_000).toISOString() }), 200);
    await f.server.advance(60_000);
    await ok(f.ws.api('POST', `/v1/conversations/${unanswered}/assign`, { assigneeId: f.ana.id }), 200);
    await f.server.advance(60_000);
    await ok(f.ws.api('POST', `/v1/conversations/${moved}/assign`, { assigneeId: f.bob.id }), 200);
    await f.server.advance(60_000);
    await ok(f.ana.call('POST', `/v1/conversations/${unanswered}/messages`, { direction: 'outbound', body: 'Looking into it' }), 201);
    await f.server.advance(60_000);
    await ok(f.ws.api('POST', `/v1/conversations/${moved}/assign`, { assigneeId: null }), 200);
    await f.server.advance(60_000);
    await ok(f.ws.api('POST', `/v1/conversations/${unanswered}/messages`, { direction: 'inbound', body: 'any news?' }), 201);
    await f.server.advance(60_000);
    await ok(f.ws.api('POST', `/v1/conversations/${reopened}/messages`, { direction: 'inbound', body: 'it broke again' }), 201);
    await f.server.settle();
    assert.equal(await rows(), 0, 'no timer rule: the consumer keeps no rows');

    // At 8 minutes the first timer rules go live.
    await f.server.advance(2 * 60_000);
    const tag = (event: string, minutes: number, label: string) => ({ name: label, trigger: { event, minutes }, actions: [{ type: 'add_tag', tags: [label] }] });
    const first = await publish(f, tag('conversation.unassigned_for', 10, 'waited-10'));
    const second = await publish(f, tag('conversation.unanswered_for', 10, 'unanswered-10'));
    assert.equal(await rows(), 0, 'the publish leaves the rebuild to the timers');
    await f.server.server.timers.check();
    assert.equal(await rows(), 4, 'one row per open, awake conversation');
    const tagsAt = async () => Object.fromEntries(await Promise.all(Object.entries({ waiting, moved, unanswered, reopened, resolved, snoozed }).map(async ([k, id]) => [k, (await get(f, id)).tags])));

    await f.server.advance(2 * 60_000 + 5_000); // 10 min
    assert.deepEqual(await tagsAt(), { waiting: ['waited-10'], moved: [], unanswered: [], reopened: [], resolved: [], snoozed: [] });
    await f.server.advance(4 * 60_000); // 14 min: 10 since unassigned at 4
    assert.deepEqual((await get(f, moved)).tags, ['waited-10']);
    await f.server.advance(60_000); // 15 min: 10 since the customer wrote at 5
    assert.deepEqual((await get(f, unanswered)).tags, ['unanswered-10']);
    assert.deepEqual((await get(f, reopened)).tags, [], 'reopened at 6: due at 16');
    await f.server.advance(60_000);
    assert.deepEqual((await get(f, reopened)).tags, ['waited-10']);

    // The timer rules go away and one comes back (a rebuild again): the occurrences that fired stay fired.
    for (const id of [first, second]) await ok(f.boss.call('DELETE', `/v1/workflows/${id}`), 200);
    await ok(f.ws.api('PATCH', `/v1/conversations/${waiting}`, { tags: [] }), 200);
    await publish(f, tag('conversation.unassigned_for', 10, 'waited-10'));
    await f.server.advance(10 * 60_000);
    assert.deepEqual((await get(f, waiting)).tags, [], 'same occurrence, already fired');
  });

  it('unanswered_for: an assigned conversation whose customer waits for a reply is handed on; a reply stops the clock', async (t) => {
    const f = await setup(t);
    const rule = await publish(f, noReplyToBob(f));
    const answered = await conversation(f);
    const ignored = await conversation(f);
    for (const id of [answered, ignored]) await ok(f.ws.api('POST', `/v1/conversations/${id}/assign`, { assigneeId: f.ana.id }), 200);

    await f.server.advance(10 * 60_000);
    await ok(f.ana.call('POST', `/v1/conversations/${answered}/messages`, { direction: 'outbound', body: 'On it!' }), 201);
    await f.server.advance(6 * 60_000);
    assert.equal((await get(f, ignored)).assigneeId, f.bob.id, 'no reply for 15 minutes: Bob takes it');
    assert.equal((await get(f, answered)).assigneeId, f.ana.id, 'replied to: the clock stopped');

    // The customer writes again: the clock starts from that message.
    await ok(f.ws.api('POST', `/v1/conversations/${answered}/messages`, { direction: 'inbound', body: 'still broken' }), 201);
    await f.server.advance(14 * 60_000);
    assert.equal((await get(f, answered)).assigneeId, f.ana.id);
    await f.server.advance(60_000);
    assert.equal((await get(f, answered)).assigneeId, f.bob.id);
    const runs = await runsOf(f, rule);
    assert.ok(runs.every((r: any) => r.trigger === 'conversation.unanswered_for'));
    assert.equal(runs.filter((r: any) => r.conversationId === answered).length, 1, 'once per occurrence');
    // Handing it to Bob started a new occurrence (counted from his assignment), which came due at 30 minutes.
    assert.equal(runs.filter((r: any) => r.conversationId === ignored).length, 2);
  });

  it("a workspace's first timer rule is rebuilt in chunks, a unit each, by the timers; a restart resumes where the last chunk stopped", async (t) => {
    const file = tempDbFile(t, 'timers-rebuild');
    const f = await setup(t, { db: file });
    const { contact } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Rui' }), 201);
    const total = 2 * REBUILD_CHUNK + 1;
    const ids: string[] = [];
    while (ids.length < total) {
      const batch = Array.from({ length: Math.min(50, total - ids.length) }, () =>
        ok(f.ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hello?' } }), 201),
      );
      ids.push(...(await Promise.all(batch)).map((b) => b.conversation.id as string));
    }
    ids.sort();
    const createdAt = f.server.clock!.now();
    await f.server.advance(60_000);
    const rule = await publish(f, { name: 'Waited 10', trigger: { event: 'conversation.unassigned_for', minutes: 10 }, actions: [{ type: 'add_tag', tags: ['waited-10'] }] });

    const state = async (server: TestServer) => {
      const db = server.server.deps.storage.db;
      const timers = await db.selectFrom('conversation_timers').select(['conversation_id', 'unassigned_due_at']).orderBy('conversation_id').execute();
      const marker = await db.selectFrom('timer_rebuilds').select('after_id').executeTakeFirst();
      return { ids: timers.map((r) => r.conversation_id), due: new Set(timers.map((r) => Number(r.unassigned_due_at))), marker: marker?.after_id };
    };
    // The publish only marks the rebuild: its unit reads no conversation.
    assert.deepEqual(await state(f.server), { ids: [], due: new Set(), marker: '' });
    // The first chunk, as the timers' check runs it (one unit), then the process stops.
    const storage = f.server.server.deps.storage;
    const listed = await rebuildConversationIds(storage.db, f.ws.id, '');
    assert.deepEqual(listed, ids);
    assert.equal(await storage.write((trx) => rebuildTimerChunk(trx, f.ws.id, '', listed.slice(0, REBUILD_CHUNK), false)), true);
    const first = await state(f.server);
    assert.deepEqual(first.ids, ids.slice(0, REBUILD_CHUNK));
    assert.equal(first.marker, ids[REBUILD_CHUNK - 1]);
    assert.equal(await storage.write((trx) => rebuildTimerChunk(trx, f.ws.id, '', listed.slice(0, REBUILD_CHUNK), false)), false, 'a chunk from a stale marker writes nothing');
    await f.server.close();

    const restarted = await TestServer.startFor(t, { db: file });
    restarted.clock!.advance(createdAt + 60_000 - restarted.clock!.now());
    await restarted.advance(5_000);
    // The next check resumed after the marker and rebuilt the rest, chunk by chunk, from stored
    // times: due 10 minutes after each was created.
    const rebuilt = await state(restarted);
    assert.deepEqual(rebuilt.ids, ids);
    assert.equal(rebuilt.marker, undefined);
    assert.deepEqual([...rebuilt.due], [createdAt + 10 * 60_000]);

    await restarted.advance(9 * 60_000);
    const tagged = async () =>
      Number(
        (
          await restarted.server.deps.storage.db
            .selectFrom('conversations')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('tags', 'like', '%waited-10%')
            .executeTakeFirstOrThrow()
        ).n,
      );
    assert.equal(await tagged(), total, 'every conversation, from every chunk, fired once at 10 minutes');
    const runs = await restarted.server.deps.storage.db.selectFrom('workflow_runs').select((eb) => eb.fn.countAll().as('n')).where('workflow_id', '=', rule).executeTakeFirstOrThrow();
    assert.equal(Number(runs.n), total);
  });

  it('the timers are stored: a restart keeps counting from the same start, and fires once', async (t) => {
    const file = tempDbFile(t, 'timers');
    const f = await setup(t, { db: file });
    const rule = await publish(f, reassign(10, f.support.id));
    const id = await conversation(f);
    const createdAt = Date.parse((await get(f, id)).createdAt);
    await f.server.advance(6 * 60_000);
    await f.server.close();

    const restarted = await TestServer.startFor(t, { db: file });
    const g = { ...f, server: restarted };
    restarted.clock!.advance(createdAt + 6 * 60_000 - restarted.clock!.now());
    await restarted.advance(3 * 60_000 + 50_000);
    assert.equal((await get(g, id)).assigneeId, null, 'not yet: 9 min 50 s since it was created');
    await restarted.advance(15_000);
    assert.equal((await get(g, id)).assigneeId, f.ana.id);
    await restarted.advance(30_000);
    assert.equal((await runsOf(g, rule)).length, 1);
  });

  it("another workspace's conversations and rules are not touched", async (t) => {
    const f = await setup(t);
    await publish(f, reassign(10, f.support.id));
    const other = await f.server.createWorkspace('Other');
    const { contact } = await ok(other.api('POST', '/v1/contacts', { name: 'Eve' }), 201);
    const { conversation: theirs } = await ok(other.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hi' } }), 201);
    await f.server.advance(11 * 60_000);
    const seen = await ok(other.api('GET', `/v1/conversations/${theirs.id}`), 200);
    assert.equal(seen.conversation.assigneeId, null);
    const { items } = await ok(other.api('GET', `/v1/conversations/${theirs.id}/routing`), 200);
    assert.equal(items.length, 0);
  });

  it('notify: an unassigned_for rule notifies the team in-app and live, naming the rule; deactivated members and other workspaces get nothing', async (t) => {
    const f = await setup(t);
    const carl = await f.ws.addAgent('carl');
    await ok(f.ws.api('PATCH', `/v1/teams/${f.support.id}`, { memberIds: [f.ana.id, f.bob.id, carl.id] }), 200);
    await ok(f.ws.api('PATCH', `/v1/agents/${carl.id}`, { active: false }), 200);
    const rule = await publish(f, {
      name: 'Waiting 5 → tell Support',
      trigger: { event: 'conversation.unassigned_for', minutes: 5 },
      actions: [{ type: 'notify', to: { team: f.support.id } }],
    });
    const anaLive = await f.server.live(f.ana.token);
    const id = await conversation(f);
    await f.server.advance(4 * 60_000);
    assert.equal((await ok(f.ana.call('GET', '/v1/notifications'), 200)).items.length, 0, 'not before 5 minutes');
    await f.server.advance(60_000 + 5_000);

    for (const agent of [f.ana, f.bob]) {
      const { items, unread } = await ok(agent.call('GET', '/v1/notifications'), 200);
      assert.equal(unread, 1);
      assert.equal(items[0].conversationId, id);
      assert.equal(items[0].type, 'queued_timeout');
      assert.deepEqual(items[0].actor, { type: 'workflow', id: rule });
      assert.deepEqual(items[0].rule, { workflowId: rule, name: 'Waiting 5 → tell Support', version: 1 });
    }
    const pushed = await anaLive.rec.waitFor('notification:created');
    assert.equal(pushed.notification.rule.name, 'Waiting 5 → tell Support');
    const runs = await runsOf(f, rule);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].actions[0].status, 'done');
    assert.equal(runs[0].actions[0].detail, 'Notified ana, bob');
    const other = await f.server.createWorkspace('Other');
    const eve = await other.addAgent('eve');
    assert.equal((await ok(eve.call('GET', '/v1/notifications'), 200)).items.length, 0);
    // Once per occurrence: more time brings no second notification.
    await f.server.advance(10 * 60_000);
    assert.equal((await ok(f.bob.call('GET', '/v1/notifications'), 200)).items.length, 1);
  });

  it("a reply the timers' consumer has not applied yet still stops the clock: nothing fires from the stale row", async (t) => {
    const f = await setup(t);
    const rule = await publish(f, noReplyToBob(f));
    const id = await conversation(f);
    await ok(f.ws.api('POST', `/v1/conversations/${id}/assign`, { assigneeId: f.ana.id }), 200);
    await f.server.advance(10 * 60_000);

    // As if the consumer keeping the rows had not reached Ana's reply (it runs after commit, and
    // after a restart from its stored place): the row still says the customer waits.
    const db = f.server.server.deps.storage.db;
    const before = await db.selectFrom('conversation_timers').selectAll().where('conversation_id', '=', id).executeTakeFirstOrThrow();
    await ok(f.ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'On it!' }), 201);
    await f.server.settle();
    const { workspace_id, conversation_id, ...stale } = before;
    await db.updateTable('conversation_timers').set(stale).where('workspace_id', '=', workspace_id).where('conversation_id', '=', conversation_id).execute();

    await f.server.advance(6 * 60_000);
    assert.equal((await get(f, id)).assigneeId, f.ana.id, 'replied to: nothing fires');
    assert.equal((await runsOf(f, rule)).length, 0);

    // The customer writes again: the consumer starts a new occurrence, which fires on time.
    await ok(f.ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'still broken' }), 201);
    await f.server.advance(14 * 60_000);
    assert.equal((await get(f, id)).assigneeId, f.ana.id);
    await f.server.advance(60_000);
    assert.equal((await get(f, id)).assigneeId, f.bob.id);
    assert.equal((await runsOf(f, rule)).length, 1);
  });

  it('a replay of the timers and the runner after a crash fires nothing twice', async (t) => {
    const file = tempDbFile(t, 'timers-replay');
    const f = await setup(t, { db: file });
    const rule = await publish(f, reassign(10, f.support.id));
    const id = await conversation(f);
    await f.server.advance(10 * 60_000 + 5_000);
    assert.equal((await get(f, id)).assigneeId, f.ana.id);
    const now = f.server.clock!.now();
    await f.server.close();

    // As if the process died before the consumers stored their places: every row is handed again.
    const db = new Sqlite(file);
    const moved = db.prepare("UPDATE consumer_offsets SET last_id = 0 WHERE consumer IN ('routing-timers', 'workflows')").run();
    db.close();
    assert.equal(moved.changes, 2, 'both keep a durable place');

    const restarted = await TestServer.startFor(t, { db: file });
    restarted.clock!.advance(now - restarted.clock!.now());
    await restarted.advance(30 * 60_000);
    const g = { ...f, server: restarted };
    assert.equal((await get(g, id)).assigneeId, f.ana.id);
    assert.equal((await runsOf(g, rule)).length, 1);
    const { items } = await ok(restarted.request('GET', `/v1/conversations/${id}/timeline`, { token: f.ws.apiKey }), 200);
    assert.equal(items.filter((i: any) => i.kind === 'event' && i.type === 'assigned').length, 1);
  });
});

describe('timers no tenant can stall (DESIGN §7a)', () => {
  const tagAfter = (tag: string) => ({ name: `Late ${tag}`, trigger: { event: 'conversation.unassigned_for', minutes: 10 }, actions: [{ type: 'add_tag', tags: [tag] }] });

  /**
   * The server's timers replaced by ones reading `batch` due rows at a time (so a handful of rows
   * stands for a full page of 100), with their failures collected rather than printed.
   */
  function smallBatchTimers(t: TestContext, server: TestServer, batch: number) {
    const errors: Error[] = [];
    server.server.timers.stop();
    const timers = new RoutingTimers(server.server.deps, server.clock!, 5_000, (e) => errors.push(e as Error), batch);
    timers.start();
    t.after(() => timers.stop());
    const step = async (ms: number) => {
      await server.settle();
      for (let done = 0; done < ms; done += 5_000) {
        server.clock!.advance(Math.min(5_000, ms - done));
        await timers.idle();
        await server.settle();
      }
    };
    return { errors, step };
  }

  async function tenant(server: TestServer, name: string, tag: string) {
    const ws = await server.createWorkspace(name);
    const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
    const { workflow } = await ok(boss.call('POST', '/v1/workflows', tagAfter(tag)), 201);
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Rui' }), 201);
    const open = async () => (await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hi' } }), 201)).conversation.id as string;
    return { ws, boss, workflow, open };
  }

  const dueRows = async (server: TestServer, workspaceId: string) =>
    (await server.server.deps.storage.db.selectFrom('conversation_timers').select('conversation_id').where('workspace_id', '=', workspaceId).where('unassigned_due_at', 'is not', null).execute()).length;

  it("a full page of timer rows left due by a removed rule neither blocks another workspace's rules nor stays due", async (t) => {
    const server = await TestServer.startFor(t);
    const { errors, step } = smallBatchTimers(t, server, 5);
    const x = await tenant(server, 'X', 'x');
    await step(5_000); // the first timer rule's rebuild
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await x.open());
    await server.settle();
    // The rule goes, so the consumer keeps no rows for X any more; then every conversation is taken.
    await ok(x.boss.call('DELETE', `/v1/workflows/${x.workflow.id}`), 200);
    await ok(x.ws.api('POST', '/v1/conversations/bulk', { ids, action: 'assign', assigneeId: x.boss.id }), 200);
    const y = await tenant(server, 'Y', 'y');
    await step(5_000);
    const theirs = await y.open();

    await step(11 * 60_000);
    assert.deepEqual((await ok(y.ws.api('GET', `/v1/conversations/${theirs}`), 200)).conversation.tags, ['y'], "Y's 10-minute rule fired");
    assert.equal(await dueRows(server, x.ws.id), 0, "X's rows stopped being due when the check saw the occurrence had ended");
    for (const id of ids) assert.deepEqual((await ok(x.ws.api('GET', `/v1/conversations/${id}`), 200)).conversation.tags, []);
    assert.deepEqual(errors, []);
  });

  it("a large workspace's first timer rule is rebuilt a turn at a time, and everyone's due timers fire between turns", async (t) => {
    const server = await TestServer.startFor(t);
    server.server.timers.stop();
    const errors: Error[] = [];
    // One rebuild chunk per turn, so three chunks take three turns; checks are run by hand.
    const timers = new RoutingTimers(server.server.deps, server.clock!, 5_000, (e) => errors.push(e as Error), 100, 1);
    const y = await tenant(server, 'Y', 'y');
    await timers.check(); // Y's own first-rule rebuild (nothing open yet)
    const theirs = await y.open();
    await server.settle();

    // X has 2 chunks and one more of open conversations, and no timer rule yet.
    const x = await server.createWorkspace('X');
    const boss = await x.addAgent('boss', { role: 'admin', availability: 'away' });
    const { contact } = await ok(x.api('POST', '/v1/contacts', { name: 'Rui' }), 201);
    const total = 2 * REBUILD_CHUNK + 1;
    for (let made = 0; made < total; made += 50) {
      const batch = Array.from({ length: Math.min(50, total - made) }, () => ok(x.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hi' } }), 201));
      await Promise.all(batch);
    }
    await server.settle();
    server.clock!.advance(10 * 60_000);
    // X's first timer rule (an hour: none of X's conversations comes due in this check).
    const { workflow } = await ok(boss.call('POST', '/v1/workflows', { ...tagAfter('x'), trigger: { event: 'conversation.unassigned_for', minutes: 60 } }), 201);
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);

    await timers.check();
    const db = server.server.deps.storage.db;
    const firing = await db.selectFrom('outbox').select('id').where('workspace_id', '=', y.ws.id).where('type', '=', 'conversation.timer').executeTakeFirstOrThrow();
    // Each rebuilt row says how far the outbox had got when its chunk was written.
    const seen = (await db.selectFrom('conversation_timers').select('seen_outbox_id').where('workspace_id', '=', x.id).orderBy('conversation_id').execute()).map((r) => Number(r.seen_outbox_id));
    assert.equal(seen.length, total, 'X rebuilt whole in the one check');
    assert.ok(seen[0]! < Number(firing.id), "X's first chunk came before Y's timer fired");
    assert.ok(seen[total - 1]! > Number(firing.id), "Y's timer fired before X's last chunk, not behind the whole rebuild");
    await server.settle();
    assert.deepEqual((await ok(y.ws.api('GET', `/v1/conversations/${theirs}`), 200)).conversation.tags, ['y']);
    assert.deepEqual(errors, []);
  });

  it("a workspace whose timers fail is logged and retried; other workspaces' timers fire on time", async (t) => {
    const server = await TestServer.startFor(t);
    const { errors, step } = smallBatchTimers(t, server, 2);
    const x = await tenant(server, 'X', 'x');
    await step(5_000);
    const broken: string[] = [];
    for (let i = 0; i < 3; i++) broken.push(await x.open());
    // Rows X's firing cannot read: each one throws in its unit of work.
    await server.server.deps.storage.db.updateTable('conversations').set({ tags: '{not json' }).where('id', 'in', broken).execute();
    const y = await tenant(server, 'Y', 'y');
    await step(5_000);
    const theirs = await y.open();

    await step(11 * 60_000);
    assert.deepEqual((await ok(y.ws.api('GET', `/v1/conversations/${theirs}`), 200)).conversation.tags, ['y'], "Y's rule fired behind X's failing rows");
    assert.ok(errors.length > 0, "X's failure was reported");
    assert.ok(errors.every((e) => e.message.includes(x.ws.id)), 'every report names X');
    assert.equal(await dueRows(server, x.ws.id), 3, "X's rows stay due: the next check tries again");
    const checks = Math.round(60_000 / 5_000);
    const before = errors.length;
    await step(60_000);
    assert.equal(errors.length - before, checks, 'one report per check, not one per row');

    // Repaired, X's timers fire at the next check.
    await server.server.deps.storage.db.updateTable('conversations').set({ tags: '[]' }).where('id', 'in', broken).execute();
    await step(5_000);
    for (const id of broken) assert.deepEqual((await ok(x.ws.api('GET', `/v1/conversations/${id}`), 200)).conversation.tags, ['x']);
  });
});
