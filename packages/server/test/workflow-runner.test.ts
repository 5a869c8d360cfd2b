import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import Sqlite from 'libsql';
import { TestServer, tempDbFile, type TestAgent, type TestWorkspace, expectStatus as ok } from '../src/testing.js';

// The rules runner (DESIGN §6, issue 9) through HTTP: published workflows run on conversation.created,
// message.received and conversation.reopened, exactly once per (event, workflow), and explain themselves.

interface Fixture {
  server: TestServer;
  ws: TestWorkspace;
  boss: TestAgent;
  agents: Record<string, TestAgent>;
  support: { id: string };
  bilingual: { id: string };
  rules: Record<'spanish' | 'technical' | 'everyone', string>;
}

const spanishRule = (bilingual: string) => ({
  name: 'Spanish → bilingual',
  priority: 300,
  stopProcessing: true,
  trigger: { event: 'conversation.created' },
  conditions: {
    any: [
      { field: 'contact.language', op: 'in', value: ['es'] },
      { field: 'contact.tags', op: 'contains_any', value: ['spanish'] },
    ],
  },
  actions: [
    { type: 'add_tag', tags: ['es'] },
    { type: 'assign', steps: [{ pool: { team: bilingual }, require: { skills: ['es'] }, strategy: 'round_robin' }] },
    { type: 'add_note', body: 'Routed by {{rule.name}} for {{contact.name}} to {{agent.name}} (@{{agent.username}})' },
  ],
});

const technicalRule = (support: string) => ({
  name: 'Technical → senior tech',
  priority: 200,
  stopProcessing: true,
  trigger: { event: 'conversation.created' },
  conditions: { all: [{ field: 'message.body', op: 'contains_any', value: ['error', 'bug', 'crash', 'api', 'not working'] }] },
  actions: [
    { type: 'add_tag', tags: ['technical'] },
    { type: 'assign', steps: [{ pool: { team: support }, require: { skills: ['technical', 'senior'] }, strategy: 'least_loaded' }] },
  ],
});

const everyoneRule = (support: string) => ({
  name: 'Everyone else → Support',
  priority: 100,
  trigger: { event: 'conversation.created' },
  actions: [{ type: 'assign', steps: [{ pool: { team: support }, strategy: 'round_robin' }] }],
});

async function setup(t: TestContext, options: { db?: string } = {}): Promise<Fixture> {
  const server = await TestServer.startFor(t, options);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
  const agents: Record<string, TestAgent> = {};
  for (const [name, extra] of Object.entries({
    ana: { capacity: 500 },
    ben: { capacity: 500 },
    cy: { capacity: 500 },
    tom: { skills: ['technical', 'senior'], capacity: 500 },
    maria: { skills: ['es'], capacity: 30 },
    luis: { skills: ['es'], capacity: 30 },
    // In the bilingual team, but without the skill: never gets a Spanish conversation.
    pat: { capacity: 500 },
  })) {
    agents[name] = await ws.addAgent(name, extra);
  }
  const { team: support } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: ['ana', 'ben', 'cy', 'tom'].map((n) => agents[n]!.id) }), 201);
  const { team: bilingual } = await ok(ws.api('POST', '/v1/teams', { name: 'Bilingual', memberIds: ['maria', 'luis', 'pat'].map((n) => agents[n]!.id) }), 201);
  const rules = {} as Fixture['rules'];
  for (const [key, body] of [
    ['spanish', spanishRule(bilingual.id)],
    ['technical', technicalRule(support.id)],
    ['everyone', everyoneRule(support.id)],
  ] as const) {
    const { workflow } = await ok(boss.call('POST', '/v1/workflows', body), 201);
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    rules[key] = workflow.id;
  }
  return { server, ws, boss, agents, support, bilingual, rules };
}

type Kind = 'spanish' | 'technical' | 'plain';

/** Creates `n` conversations, one in four Spanish, one in four technical, the rest plain. */
async function createMany(f: Fixture, n: number): Promise<{ id: string; kind: Kind }[]> {
  const { contact: spanish } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'José', language: 'es' }), 201);
  const { contact: tagged } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Inés', tags: ['spanish'] }), 201);
  const { contact: plain } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
  const out: { id: string; kind: Kind }[] = [];
  for (let i = 0; i < n; i++) {
    const kind: Kind = i % 4 === 0 ? 'spanish' : i % 4 === 1 ? 'technical' : 'plain';
    const contactId = kind === 'spanish' ? (i % 8 === 0 ? spanish.id : tagged.id) : plain.id;
    const body = kind === 'technical' ? 'The API returns an ERROR since this morning' : 'where is my order?';
    const { conversation } = await ok(f.ws.api('POST', '/v1/conversations', { contactId, channel: 'sms', message: { body } }), 201);
    out.push({ id: conversation.id, kind });
  }
  await f.server.settle();
  return out;
}

async function assignees(f: Fixture, ids: string[]): Promise<Map<string, any>> {
  const out = new Map<string, any>();
  for (const id of ids) out.set(id, (await ok(f.ws.api('GET', `/v1/conversations/${id}`), 200)).conversation);
  return out;
}

describe('the rules runner', () => {
  it("the seed's three rules on 1,000 conversations: Spanish to es agents within capacity, technical to the senior, the rest round-robin (spread ≤ 1)", async (t) => {
    const f = await setup(t);
    const created = await createMany(f, 1_000);
    const convs = await assignees(f, created.map((c) => c.id));
    const nameOf = new Map(Object.entries(f.agents).map(([name, a]) => [a.id, name]));
    const counts: Record<string, number> = {};
    for (const { id, kind } of created) {
      const c = convs.get(id);
      const who = c.assigneeId ? nameOf.get(c.assigneeId)! : null;
      if (who) counts[who] = (counts[who] ?? 0) + 1;
      if (kind === 'spanish') {
        assert.ok(who === null || who === 'maria' || who === 'luis', `Spanish conversation went to ${who}`);
        assert.ok(c.tags.includes('es'));
      } else if (kind === 'technical') {
        assert.equal(who, 'tom', 'technical conversations go to the senior');
        assert.ok(c.tags.includes('technical'));
      } else {
        assert.ok(['ana', 'ben', 'cy', 'tom'].includes(who!), `plain conversation went to ${who}`);
      }
    }
    // 250 Spanish conversations, two es agents with capacity 30: 60 assigned, 190 wait in the queue.
    assert.equal(counts.maria, 30);
    assert.equal(counts.luis, 30);
    const waiting = created.filter((c) => c.kind === 'spanish' && convs.get(c.id).assigneeId === null);
    assert.equal(waiting.length, 190);
    for (const c of waiting) assert.ok(convs.get(c.id).waitingSince, 'a Spanish conversation nobody could take waits');
    assert.equal(counts.pat ?? 0, 0);
    // Round-robin among the equally eligible (tom also gets every technical one, so he is not).
    const plain = ['ana', 'ben', 'cy'].map((n) => counts[n] ?? 0);
    assert.ok(Math.max(...plain) - Math.min(...plain) <= 1, `round-robin spread: ${JSON.stringify(counts)}`);
    assert.ok(Math.min(...plain) >= 120, JSON.stringify(counts));
    // Nobody over capacity, as the agents list reports it.
    const { items } = await ok(f.ws.api('GET', '/v1/agents'), 200);
    for (const a of items) assert.ok(a.openAssigned <= a.capacity, `${a.username} ${a.openAssigned}/${a.capacity}`);
  });

  it('the timeline and the run log say why: "Assigned to maria by rule …", traces with actual values, exclusions with reasons', async (t) => {
    const f = await setup(t);
    await ok(f.agents.luis!.call('PATCH', `/v1/agents/${f.agents.luis!.id}`, { availability: 'away' }), 200);
    const { contact } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'José', language: 'es' }), 201);
    const { conversation } = await ok(f.ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hola' } }), 201);
    await f.server.settle();
    const after = (await ok(f.ws.api('GET', `/v1/conversations/${conversation.id}`), 200)).conversation;
    assert.equal(after.assigneeId, f.agents.maria!.id);

    const { items } = await ok(f.ws.api('GET', `/v1/conversations/${conversation.id}/timeline`), 200);
    const assigned = items.find((i: any) => i.kind === 'event' && i.type === 'assigned');
    assert.deepEqual(assigned.actor, { type: 'workflow', id: f.rules.spanish, name: 'Spanish → bilingual' });
    assert.equal(assigned.data.text, 'Assigned to maria by rule Spanish → bilingual (skill es, round-robin)');
    assert.equal(assigned.data.version, 1);
    const note = items.find((i: any) => i.kind === 'note');
    assert.equal(note.body, 'Routed by Spanish → bilingual for José to Maria (@maria)');
    assert.deepEqual(items.filter((i: any) => i.kind === 'event' && i.actor.type === 'workflow').map((i: any) => i.type).sort(), ['assigned', 'tagged'],
      'its tag, assignment and note say it once; no "rule applied" besides');
    assert.deepEqual(items.find((i: any) => i.type === 'tagged').data, { added: ['es'], removed: [], workflowName: 'Spanish → bilingual' });
    const notifications = await ok(f.agents.maria!.call('GET', '/v1/notifications'), 200);
    assert.deepEqual(notifications.items.map((n: any) => [n.type, n.conversationId, n.rule]), [['assigned', conversation.id, { workflowId: f.rules.spanish, name: 'Spanish → bilingual', version: 1 }]]);

    // Why: the conversation's routing lists the Spanish rule only (it stopped the pass).
    const routing = await ok(f.agents.ana!.call('GET', `/v1/conversations/${conversation.id}/routing`), 200);
    assert.deepEqual(routing.items.map((r: any) => [r.workflowName, r.matched, r.outcome]), [['Spanish → bilingual', true, 'applied']]);
    assert.equal(routing.items[0].contactName, 'José');
    const run = routing.items[0];
    assert.equal(run.trigger, 'conversation.created');
    const leaf = run.conditions.children[0];
    assert.equal(leaf.field, 'contact.language');
    assert.equal(leaf.actual, 'es');
    assert.equal(leaf.result, true);
    const assign = run.actions.find((a: any) => a.type === 'assign');
    assert.deepEqual(assign.decision.steps[0].excluded.map((e: any) => e.message).sort(), ['luis away', 'pat lacks skill es']);
    assert.match(assign.detail, /^Assigned to maria \(skill es, round-robin\): step 1 \(team Bilingual, requires es, round-robin\): maria, /);

    // A plain conversation: the Spanish and technical rules did not match, with the values they saw.
    const { contact: carla } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
    const plain = (await ok(f.ws.api('POST', '/v1/conversations', { contactId: carla.id, channel: 'sms', message: { body: 'hello there' } }), 201)).conversation;
    await f.server.settle();
    const runs = await ok(f.boss.call('GET', `/v1/workflows/${f.rules.technical}/runs?outcome=not_matched`), 200);
    assert.deepEqual(runs.items.map((r: any) => [r.conversationId, r.contactName]), [[plain.id, 'Carla']]);
    // The log names the contact as named now.
    await ok(f.ws.api('PATCH', `/v1/contacts/${carla.id}`, { name: 'Carla Gómez' }), 200);
    const renamed = await ok(f.boss.call('GET', `/v1/workflows/${f.rules.technical}/runs?outcome=not_matched`), 200);
    assert.equal(renamed.items[0].contactName, 'Carla Gómez');
    assert.equal(runs.items[0].conditions.children[0].actual, 'hello there');
    const applied = await ok(f.ws.api('GET', `/v1/workflows/${f.rules.spanish}/runs?outcome=applied`), 200);
    assert.deepEqual(applied.items.map((r: any) => r.conversationId), [conversation.id]);
    const page = await ok(f.ws.api('GET', `/v1/workflows/${f.rules.spanish}/runs?limit=1`), 200);
    assert.equal(page.items.length, 1);
    assert.ok(page.nextCursor);
    const next = await ok(f.ws.api('GET', `/v1/workflows/${f.rules.spanish}/runs?limit=1&cursor=${page.nextCursor}`), 200);
    assert.notEqual(next.items[0].id, page.items[0].id);
    assert.equal((await f.agents.ana!.call('GET', `/v1/workflows/${f.rules.spanish}/runs`)).status, 403);
    assert.equal((await f.boss.call('GET', `/v1/workflows/${f.rules.spanish}/runs?outcome=maybe`)).status, 400);
  });

  it("a conversation's routing lists its newest event first, and each event's runs in the order they ran (not their ids' random tails)", async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace('Acme');
    const boss = await ws.addAgent('boss', { role: 'admin' });
    // Priorities out of creation order; two tie at 300, which run in creation order.
    for (const [name, priority, event] of [
      ['p200', 200, 'conversation.created'], ['p500', 500, 'conversation.created'], ['p300a', 300, 'conversation.created'], ['p300b', 300, 'conversation.created'],
      ['p100', 100, 'conversation.created'], ['p400', 400, 'conversation.created'], ['on message', 100, 'message.received'],
    ] as const) {
      const { workflow } = await ok(boss.call('POST', '/v1/workflows', { name, priority, trigger: { event }, actions: [{ type: 'add_tag', tags: [name.replace(' ', '-')] }] }), 201);
      await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
      // Created a millisecond apart: "creation order" is then one order (within one, ids decide).
      server.clock!.advance(1);
    }
    const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Ola' }, channel: 'sms', message: { body: 'hi' } }), 201);
    await server.settle();
    await ok(ws.api('POST', `/v1/conversations/${conversation.id}/messages`, { direction: 'inbound', body: 'again' }), 201);
    await server.settle();
    const { items } = await ok(boss.call('GET', `/v1/conversations/${conversation.id}/routing`), 200);
    assert.deepEqual(items.map((r: any) => r.workflowName), ['on message', 'p500', 'p400', 'p300a', 'p300b', 'p200', 'p100']);
  });

  it("an assignment from a team's pool puts the conversation in that team, as does waiting in its queue; an agents pool leaves the team alone", async (t) => {
    const f = await setup(t);
    const get = async (id: string) => (await ok(f.ws.api('GET', `/v1/conversations/${id}`), 200)).conversation;
    const timeline = async (id: string) => (await ok(f.ws.api('GET', `/v1/conversations/${id}/timeline`), 200)).items;
    const { contact: carla } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
    const plain = (await ok(f.ws.api('POST', '/v1/conversations', { contactId: carla.id, channel: 'sms', message: { body: 'hello' } }), 201)).conversation;
    await f.server.settle();
    assert.equal((await get(plain.id)).teamId, f.support.id, '"Everyone else → Support" assigned it from Support: it is Support\'s now');
    const assigned = (await timeline(plain.id)).find((i: any) => i.type === 'assigned');
    assert.equal(assigned.data.teamId, f.support.id);
    assert.ok('teamFrom' in assigned.data && assigned.data.teamFrom === null, 'the event says the team changed, from none');
    const bySupport = await ok(f.agents.ana!.call('GET', `/v1/conversations?view=all&teamId=${f.support.id}`), 200);
    assert.ok(bySupport.items.some((c: any) => c.id === plain.id), "the team's list shows it");

    // Nobody bilingual available: it waits in Bilingual's queue, and is Bilingual's while it waits.
    for (const name of ['maria', 'luis'] as const) await ok(f.agents[name]!.call('PATCH', `/v1/agents/${f.agents[name]!.id}`, { availability: 'away' }), 200);
    const { contact: jose } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'José', language: 'es' }), 201);
    const spanish = (await ok(f.ws.api('POST', '/v1/conversations', { contactId: jose.id, channel: 'sms', message: { body: 'hola' } }), 201)).conversation;
    await f.server.settle();
    const waiting = await get(spanish.id);
    assert.equal(waiting.assigneeId, null);
    assert.ok(waiting.waitingSince);
    assert.equal(waiting.teamId, f.bilingual.id);
    const queued = (await timeline(spanish.id)).find((i: any) => i.type === 'queued');
    assert.equal(queued.data.teamFrom, null);
    await ok(f.agents.maria!.call('PATCH', `/v1/agents/${f.agents.maria!.id}`, { availability: 'online' }), 200);
    await f.server.settle();
    const drained = await get(spanish.id);
    assert.equal(drained.assigneeId, f.agents.maria!.id);
    assert.equal(drained.teamId, f.bilingual.id);
    const fromQueue = (await timeline(spanish.id)).find((i: any) => i.type === 'assigned');
    assert.equal(fromQueue.data.fromQueue, true);
    assert.ok(!('teamFrom' in fromQueue.data), 'already in the team it was assigned from: no team change to tell');

    // "Assign to Tom" (an agents pool) says nothing about teams.
    const { workflow } = await ok(
      f.boss.call('POST', '/v1/workflows', {
        name: 'VIP → Tom',
        priority: 400,
        stopProcessing: true,
        trigger: { event: 'conversation.created' },
        conditions: { all: [{ field: 'conversation.subject', op: 'starts_with', value: 'VIP' }] },
        actions: [{ type: 'assign', steps: [{ pool: { agents: [f.agents.tom!.id] }, strategy: 'round_robin' }] }],
      }),
      201,
    );
    await ok(f.boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    const vip = (await ok(f.ws.api('POST', '/v1/conversations', { contactId: carla.id, channel: 'sms', subject: 'VIP order', message: { body: 'hi' } }), 201)).conversation;
    await f.server.settle();
    const toTom = await get(vip.id);
    assert.equal(toTom.assigneeId, f.agents.tom!.id);
    assert.equal(toTom.teamId, null);
  });

  it('message.received and conversation.reopened run their own workflows; an assigned conversation is left alone by onlyIfUnassigned', async (t) => {
    const f = await setup(t);
    const onMessage = {
      name: 'Refunds are urgent',
      trigger: { event: 'message.received' },
      conditions: { all: [{ field: 'message.body', op: 'contains_any', value: ['refund'] }] },
      actions: [{ type: 'set_priority', priority: 'urgent' }, { type: 'add_tag', tags: ['refund'] }, { type: 'set_team', team: f.bilingual.id }],
    };
    const onReopen = { name: 'Reopened → VIP tag', trigger: { event: 'conversation.reopened' }, actions: [{ type: 'add_tag', tags: ['reopened'] }] };
    for (const body of [onMessage, onReopen]) {
      const { workflow } = await ok(f.boss.call('POST', '/v1/workflows', body), 201);
      await ok(f.boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    }
    const { contact } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
    const { conversation } = await ok(f.ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hi' } }), 201);
    await f.server.settle();
    const first = (await ok(f.ws.api('GET', `/v1/conversations/${conversation.id}`), 200)).conversation;
    assert.ok(first.assigneeId);
    assert.equal(first.priority, 'normal');
    await ok(f.ws.api('POST', `/v1/conversations/${conversation.id}/messages`, { direction: 'inbound', body: 'I want a REFUND now' }), 201);
    await f.server.settle();
    const second = (await ok(f.ws.api('GET', `/v1/conversations/${conversation.id}`), 200)).conversation;
    assert.equal(second.priority, 'urgent');
    assert.deepEqual(second.tags, ['refund']);
    assert.equal(second.assigneeId, first.assigneeId, 'no created-trigger rule ran again');
    // Each change is its own timeline entry, naming the rule, like an agent's edit; no "rule applied" besides.
    const byRule = (await ok(f.ws.api('GET', `/v1/conversations/${conversation.id}/timeline`), 200)).items.filter((i: any) => i.kind === 'event' && i.actor.type === 'workflow' && i.type !== 'assigned');
    assert.deepEqual(byRule.map((i: any) => [i.type, i.data]), [
      ['priority_changed', { from: 'normal', to: 'urgent', workflowName: 'Refunds are urgent' }],
      ['tagged', { added: ['refund'], removed: [], workflowName: 'Refunds are urgent' }],
      ['team_changed', { from: first.teamId, to: f.bilingual.id, workflowName: 'Refunds are urgent' }],
    ]);
    assert.equal(second.teamId, f.bilingual.id);
    await ok(f.boss.call('POST', `/v1/conversations/${conversation.id}/resolve`), 200);
    // A new inbound message reopens it: message.received and conversation.reopened both fire.
    await ok(f.ws.api('POST', `/v1/conversations/${conversation.id}/messages`, { direction: 'inbound', body: 'still no refund' }), 201);
    await f.server.settle();
    const third = (await ok(f.ws.api('GET', `/v1/conversations/${conversation.id}`), 200)).conversation;
    assert.equal(third.status, 'open');
    assert.deepEqual([...third.tags].sort(), ['refund', 'reopened']);
    const routing = await ok(f.ws.api('GET', `/v1/conversations/${conversation.id}/routing`), 200);
    const triggers = routing.items.filter((r: any) => r.matched).map((r: any) => r.trigger);
    assert.deepEqual(triggers.sort(), ['conversation.created', 'conversation.reopened', 'message.received', 'message.received']);
  });

  it('a rule published or deleted on one node is what the next event runs on another node sharing the database', async (t) => {
    const file = tempDbFile(t, 'runner');
    const a = await TestServer.startFor(t, { db: file });
    const ws = await a.createWorkspace('Acme');
    const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
    const ana = await ws.addAgent('ana');
    const ben = await ws.addAgent('ben');
    const toAgent = (agentId: string) => ({ name: 'Route', trigger: { event: 'conversation.created' }, actions: [{ type: 'assign', steps: [{ pool: { agents: [agentId] }, strategy: 'round_robin' }] }] });
    const { workflow } = await ok(boss.call('POST', '/v1/workflows', toAgent(ana.id)), 201);
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    await a.settle();

    // Node B: its own server on the same file, whose runner has read the live rules once.
    const b = await TestServer.startFor(t, { db: file });
    const createOnB = async () => {
      const { conversation } = await ok(b.request('POST', '/v1/conversations', { token: ws.apiKey, body: { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'hello' } } }), 201);
      await b.settle();
      return (await ok(b.request('GET', `/v1/conversations/${conversation.id}`, { token: ws.apiKey }), 200)).conversation;
    };
    assert.equal((await createOnB()).assigneeId, ana.id);

    // A new version, published through node A: node B's next event runs it.
    await ok(boss.call('PUT', `/v1/workflows/${workflow.id}`, toAgent(ben.id), { 'if-match': '1' }), 200);
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    await a.settle();
    assert.equal((await createOnB()).assigneeId, ben.id, 'node B ran the version node A published');

    // Deleted through node A: node B runs no rule.
    await ok(boss.call('DELETE', `/v1/workflows/${workflow.id}`), 200);
    await a.settle();
    assert.equal((await createOnB()).assigneeId, null, 'node B no longer runs the rule node A deleted');
  });

  it('round-robin stays fair across two nodes creating side by side on one database and a restart of one (spread ≤ 1, each assigned once)', async (t) => {
    const file = tempDbFile(t, 'runner');
    const f = await setup(t, { db: file });
    let b = await TestServer.startFor(t, { db: file });
    let nodes = [f.server, b];
    const support = ['ana', 'ben', 'cy', 'tom'];
    const ids: string[] = [];
    // Eight creates in flight at a time, alternating between the nodes: both nodes' runners take the
    // same events and race for the same round-robin slots.
    const batch = async (count: number) => {
      for (let i = 0; i < count; i += 8) {
        const made = await Promise.all(
          Array.from({ length: 8 }, async (_, k) => {
            const node = nodes[(i + k) % nodes.length]!;
            return (await ok(node.request('POST', '/v1/conversations', { token: f.ws.apiKey, body: { contact: { name: `Carla ${i + k}` }, channel: 'sms', message: { body: 'where is my order?' } } }), 201)).conversation.id as string;
          }),
        );
        ids.push(...made);
      }
    };
    await batch(160);
    // Node B stops with events of its own not yet run and comes back; node A carries on meanwhile.
    await b.close();
    nodes = [f.server];
    await batch(40);
    b = await TestServer.startFor(t, { db: file });
    nodes = [f.server, b];
    await batch(160);
    for (const node of nodes) await node.settle();
    for (const node of nodes) await node.settle();

    const nameOf = new Map(Object.entries(f.agents).map(([name, a]) => [a.id, name]));
    const counts = Object.fromEntries(support.map((n) => [n, 0]));
    for (const id of ids) {
      const { conversation } = await ok(f.ws.api('GET', `/v1/conversations/${id}`), 200);
      const who = nameOf.get(conversation.assigneeId);
      assert.ok(who && support.includes(who), `${id} went to ${who ?? 'nobody'}`);
      counts[who]!++;
      const { items } = await ok(f.ws.api('GET', `/v1/conversations/${id}/timeline`), 200);
      assert.equal(items.filter((e: any) => e.kind === 'event' && e.type === 'assigned').length, 1, `${id} was assigned more than once`);
    }
    const spread = Object.values(counts);
    assert.equal(ids.length, 360);
    assert.ok(Math.max(...spread) - Math.min(...spread) <= 1, `round-robin spread across two nodes: ${JSON.stringify(counts)}`);
  });

  it('a replay of the same outbox rows (crash before the runner stored its place) assigns nothing twice', async (t) => {
    const file = tempDbFile(t, 'runner');
    const f = await setup(t, { db: file });
    const created = await createMany(f, 40);
    const state = async (server: TestServer, apiKey: string) => {
      const out: unknown[] = [];
      for (const { id } of created) {
        const { conversation } = await ok(server.request('GET', `/v1/conversations/${id}`, { token: apiKey }), 200);
        const { items } = await ok(server.request('GET', `/v1/conversations/${id}/timeline`, { token: apiKey }), 200);
        const { items: runs } = await ok(server.request('GET', `/v1/conversations/${id}/routing`, { token: apiKey }), 200);
        out.push([conversation, items.length, runs.length]);
      }
      const agents = await ok(server.request('GET', '/v1/agents', { token: apiKey }), 200);
      out.push(agents.items.map((a: any) => [a.id, a.openAssigned]));
      return out;
    };
    const before = await state(f.server, f.ws.apiKey);
    await f.server.close();

    // As if the process died after the runs committed but before the runner stored its place.
    const db = new Sqlite(file);
    const moved = db.prepare("UPDATE consumer_offsets SET last_id = 0 WHERE consumer = 'workflows'").run();
    db.close();
    assert.equal(moved.changes, 1, 'the runner keeps a durable place');

    const restarted = await TestServer.startFor(t, { db: file });
    await restarted.settle();
    assert.deepEqual(await state(restarted, f.ws.apiKey), before, 'the replay changed nothing');
  });

  it('the run log stores what the conditions saw, and reads each run back against the version it ran', async (t) => {
    const file = tempDbFile(t, 'runner');
    const f = await setup(t, { db: file });
    const { contact } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
    const create = async (body: string) => (await ok(f.ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body } }), 201)).conversation.id as string;
    const first = await create('hello there');
    await f.server.settle();
    // Version 2 of the technical rule looks for other words.
    const v2 = { ...technicalRule(f.support.id), conditions: { all: [{ field: 'message.body', op: 'contains_any', value: ['refund', 'chargeback'] }] } };
    await ok(f.boss.call('PUT', `/v1/workflows/${f.rules.technical}`, v2, { 'if-match': '1' }), 200);
    await ok(f.boss.call('POST', `/v1/workflows/${f.rules.technical}/publish`), 200);
    const second = await create('I want a refund');
    await f.server.settle();

    const { items } = await ok(f.boss.call('GET', `/v1/workflows/${f.rules.technical}/runs`), 200);
    const leafOf = (conversationId: string) => items.find((r: any) => r.conversationId === conversationId).conditions.children[0];
    assert.deepEqual(leafOf(second), {
      kind: 'condition', path: ['all', 0], field: 'message.body', operator: 'contains_any', expected: ['refund', 'chargeback'],
      actual: 'I want a refund', result: true, matched: ['refund'], text: 'message contains any of "refund" or "chargeback"',
    });
    const old = leafOf(first);
    assert.deepEqual([old.expected, old.actual, old.result, old.matched], [['error', 'bug', 'crash', 'api', 'not working'], 'hello there', false, []]);
    assert.match(old.text, /"not working"/);

    // Stored: each condition's outcome, not the sentence, the path or the expected values.
    const db = new Sqlite(file);
    t.after(() => db.close());
    const stored = db.prepare('SELECT detail FROM workflow_runs WHERE conversation_id = ? AND workflow_id = ?').get(first, f.rules.technical) as { detail: string };
    assert.deepEqual(JSON.parse(stored.detail), { v: 2, leaves: [['hello there', 0, []]], actions: [] });

    // A run logged before this format (a full trace in `conditions`) reads as it was written.
    const legacy = { ...items.find((r: any) => r.conversationId === first), id: 'run_00000000000000000001', eventId: 999_999 };
    db.prepare(
      'INSERT INTO workflow_runs (id, workspace_id, workflow_id, version, outbox_id, trigger, conversation_id, matched, outcome, detail, created_at) SELECT ?, workspace_id, workflow_id, version, ?, trigger, conversation_id, matched, outcome, ?, created_at FROM workflow_runs WHERE conversation_id = ? AND workflow_id = ?',
    ).run(legacy.id, legacy.eventId, JSON.stringify({ conditions: legacy.conditions, actions: legacy.actions }), first, f.rules.technical);
    const { items: routing } = await ok(f.ws.api('GET', `/v1/conversations/${first}/routing`), 200);
    assert.deepEqual(routing.find((r: any) => r.id === legacy.id), legacy);

    // A record that no longer fits its version's conditions: that run shows no trace, the page still answers.
    db.prepare("UPDATE workflow_runs SET detail = ? WHERE conversation_id = ? AND workflow_id = ? AND id <> ?").run(JSON.stringify({ v: 2, leaves: [], actions: [] }), first, f.rules.technical, legacy.id);
    const after = await ok(f.ws.api('GET', `/v1/conversations/${first}/routing`), 200);
    const broken = after.items.find((r: any) => r.workflowId === f.rules.technical && r.id !== legacy.id);
    assert.deepEqual([broken.conditions, broken.outcome, broken.matched], [null, 'not_matched', false]);
  });

  it('a rule whose only change is a note, or that notifies, says so in a "rule applied" event; the note is signed by it', async (t) => {
    const f = await setup(t);
    const noteOnly = { name: 'VIP heads-up', priority: 1000, trigger: { event: 'conversation.created' }, actions: [{ type: 'add_note', body: 'VIP: answer within the hour' }] };
    const { workflow } = await ok(f.boss.call('POST', '/v1/workflows', noteOnly), 201);
    await ok(f.boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    const { contact } = await ok(f.ws.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
    const { conversation } = await ok(f.ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hello' } }), 201);
    await f.server.settle();
    const { items } = await ok(f.ws.api('GET', `/v1/conversations/${conversation.id}/timeline`), 200);
    const applied = items.filter((i: any) => i.type === 'rule_applied');
    assert.deepEqual(applied.map((i: any) => [i.actor.id, i.data.workflowName, i.data.actions]), [[workflow.id, 'VIP heads-up', ['Added a note']]]);
    assert.deepEqual(items.find((i: any) => i.kind === 'note').author, { type: 'workflow', id: workflow.id, name: 'VIP heads-up' }, 'the note names its rule');
    assert.deepEqual(applied[0].actor, { type: 'workflow', id: workflow.id, name: 'VIP heads-up' }, "so does every event a rule wrote");
    // An agent's note names nobody: agents' names are read live.
    const { note } = await ok(f.agents.ana!.call('POST', `/v1/conversations/${conversation.id}/notes`, { body: 'on it' }), 201);
    assert.deepEqual(note.author, { type: 'agent', id: f.agents.ana!.id });
  });
});
