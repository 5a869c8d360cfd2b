import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { TestServer, type TestAgent, type TestWorkspace, expectStatus as ok } from '../src/testing.js';

// `conversation.team` (DESIGN §6): a rule reads the team the conversation is in when it runs, so
// "unassigned for 5 minutes and in Billing → round-robin over Billing" catches a conversation a
// person moved to Billing by hand after it was created.

interface Fixture {
  server: TestServer;
  ws: TestWorkspace;
  boss: TestAgent;
  ana: TestAgent;
  bea: TestAgent;
  carl: TestAgent;
  support: { id: string };
  billing: { id: string };
}

async function setup(t: TestContext): Promise<Fixture> {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
  const ana = await ws.addAgent('ana');
  const bea = await ws.addAgent('bea');
  const carl = await ws.addAgent('carl');
  const { team: support } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id] }), 201);
  const { team: billing } = await ok(ws.api('POST', '/v1/teams', { name: 'Billing', memberIds: [bea.id, carl.id] }), 201);
  return { server, ws, boss, ana, bea, carl, support, billing };
}

async function conversation(f: Fixture, name: string): Promise<string> {
  const { contact } = await ok(f.ws.api('POST', '/v1/contacts', { name }), 201);
  const { conversation } = await ok(f.ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'my invoice is wrong' } }), 201);
  await f.server.settle();
  return conversation.id;
}

const get = async (f: Fixture, id: string) => (await ok(f.server.request('GET', `/v1/conversations/${id}`, { token: f.ws.apiKey }), 200)).conversation;

const billingRule = (billingId: string) => ({
  name: 'Billing waits 5 min → round-robin',
  trigger: { event: 'conversation.unassigned_for', minutes: 5 },
  conditions: { all: [{ field: 'conversation.team', op: 'eq', value: billingId }] },
  actions: [{ type: 'assign', steps: [{ pool: { team: billingId }, strategy: 'round_robin' }] }],
});

describe('conversation.team conditions', () => {
  it('an unassigned_for rule on team Billing assigns only the conversation moved to Billing by hand, to a Billing member, and logs the team it saw', async (t) => {
    const f = await setup(t);
    const { workflow } = await ok(f.boss.call('POST', '/v1/workflows', billingRule(f.billing.id)), 201);
    await ok(f.boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);

    const moved = await conversation(f, 'Rui');
    const stays = await conversation(f, 'Ines');
    await f.server.advance(60_000);
    // After creation, by hand: the rule must read the team when its timer fires, not when the conversation was created.
    await ok(f.ws.api('PATCH', `/v1/conversations/${moved}`, { teamId: f.billing.id }), 200);

    await f.server.advance(3 * 60_000 + 55_000);
    assert.equal((await get(f, moved)).assigneeId, null, 'not before 5 minutes');

    await f.server.advance(5_000);
    const assigned = await get(f, moved);
    assert.ok([f.bea.id, f.carl.id].includes(assigned.assigneeId), `assigned to a Billing member, not ${assigned.assigneeId}`);
    assert.equal(assigned.teamId, f.billing.id);
    const other = await get(f, stays);
    assert.equal(other.assigneeId, null, 'the conversation in no team is left alone');
    assert.equal(other.teamId, null);

    const { items } = await ok(f.server.request('GET', `/v1/workflows/${workflow.id}/runs`, { token: f.ws.apiKey }), 200);
    const run = (id: string) => items.find((r: any) => r.conversationId === id);
    assert.equal(items.length, 2, JSON.stringify(items));
    assert.deepEqual([run(moved).matched, run(moved).outcome], [true, 'applied']);
    assert.deepEqual([run(stays).matched, run(stays).outcome], [false, 'not_matched']);
    const leaf = (id: string) => run(id).conditions.children[0];
    assert.deepEqual(
      [leaf(moved).field, leaf(moved).operator, leaf(moved).expected, leaf(moved).actual, leaf(moved).result],
      ['conversation.team', 'eq', f.billing.id, f.billing.id, true],
    );
    assert.deepEqual([leaf(stays).actual, leaf(stays).result], [null, false], 'the trace shows no team');
    assert.equal(leaf(moved).text, 'team is Billing', 'the sentence names the team');
  });

  it('a dry run evaluates the team condition on a conversation as it is now and on a sample', async (t) => {
    const f = await setup(t);
    const id = await conversation(f, 'Rui');
    await ok(f.ws.api('PATCH', `/v1/conversations/${id}`, { teamId: f.support.id }), 200);
    const draft = billingRule(f.billing.id);

    const inSupport = await ok(f.boss.call('POST', '/v1/workflows/test', { workflow: draft, conversationId: id }), 200);
    const [result] = inSupport.results;
    assert.equal(result.facts.conversation.team, f.support.id);
    assert.equal(result.draft.matched, false);
    const leaf = result.draft.conditions.children[0];
    assert.deepEqual([leaf.field, leaf.expected, leaf.actual, leaf.result], ['conversation.team', f.billing.id, f.support.id, false]);
    assert.equal(leaf.text, 'team is Billing');

    await ok(f.ws.api('PATCH', `/v1/conversations/${id}`, { teamId: f.billing.id }), 200);
    const inBilling = await ok(f.boss.call('POST', '/v1/workflows/test', { workflow: draft, conversationId: id }), 200);
    assert.equal(inBilling.results[0].draft.matched, true);
    assert.equal(inBilling.results[0].draft.conditions.children[0].actual, f.billing.id);
    assert.equal((await get(f, id)).assigneeId, null, 'a dry run assigns nobody');

    const sample = {
      conversation: { channel: 'sms', source: null, subject: null, tags: [], priority: 'normal', language: null, team: f.billing.id },
      contact: { name: 'Sam', email: null, language: null, tags: [], attributes: {} },
      message: null,
      time: { weekday: 'mon', hour: 10 },
    };
    const onSample = await ok(f.boss.call('POST', '/v1/workflows/test', { workflow: draft, sample }), 200);
    assert.equal(onSample.results[0].draft.matched, true);
  });

  it('a rule naming a team the workspace does not have is 422 unknown_team at the value', async (t) => {
    const f = await setup(t);
    const bad = { ...billingRule(f.billing.id), conditions: { any: [{ field: 'conversation.team', op: 'in', value: [f.support.id, 'team_gone'] }] } };
    const res = await f.boss.call('POST', '/v1/workflows', bad);
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.error.details.errors.map((e: any) => [e.code, e.path]),
      [['unknown_team', ['conditions', 'any', 0, 'value', 1]]],
    );
  });
});
