import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { PHRASE_LIMITS } from '@baton/protocol';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// The workflows API (DESIGN §5–6, issue 9): drafts with If-Match, immutable published versions,
// validation with exact JSON paths on every save, admins write, API keys read.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const maria = await ws.addAgent('maria', { skills: ['es'] });
  const ana = await ws.addAgent('ana');
  const { team: support } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id, maria.id] }), 201);
  const { team: bilingual } = await ok(ws.api('POST', '/v1/teams', { name: 'Bilingual', memberIds: [maria.id] }), 201);
  return { server, ws, boss, maria, ana, support, bilingual };
}

const spanish = (team: string) => ({
  name: 'Spanish → bilingual',
  priority: 300,
  stopProcessing: true,
  trigger: { event: 'conversation.created' },
  conditions: { any: [{ field: 'contact.language', op: 'in', value: ['es'] }, { field: 'contact.tags', op: 'contains_any', value: ['spanish'] }] },
  actions: [{ type: 'assign', steps: [{ pool: { team }, require: { skills: ['es'] }, strategy: 'round_robin' }] }],
});

const everyone = (team: string) => ({
  name: 'Everyone else → Support',
  priority: 100,
  trigger: { event: 'conversation.created' },
  actions: [{ type: 'assign', steps: [{ pool: { team }, strategy: 'round_robin' }] }],
});

const SAMPLE = {
  conversation: { channel: 'sms', source: null, subject: null, tags: [], priority: 'normal', language: null as string | null, team: null as string | null },
  contact: { name: 'Sam', email: null, language: null as string | null, tags: [], attributes: {} },
  message: { body: 'hi' } as { body: string } | null,
  time: { weekday: 'mon', hour: 9 },
};

describe('workflows: drafts, versions, validation', () => {
  it('an admin creates a draft, edits it with If-Match, publishes immutable versions; API keys read them', async (t) => {
    const { ws, boss, bilingual } = await setup(t);
    const created = await ok(boss.call('POST', '/v1/workflows', spanish(bilingual.id)), 201);
    const wf = created.workflow;
    assert.match(wf.id, /^wf_/);
    assert.equal(wf.draftVersion, 1);
    assert.equal(wf.published, null);
    assert.equal(wf.hasUnpublishedChanges, true);
    assert.equal(wf.draft.name, 'Spanish → bilingual');
    assert.equal(wf.draftUpdatedBy, boss.id, 'who created the draft');
    assert.deepEqual(created.warnings, []);

    const first = await ok(boss.call('POST', `/v1/workflows/${wf.id}/publish`, undefined, { 'if-match': '1' }), 200);
    assert.equal(first.workflow.published.version, 1);
    assert.equal(first.workflow.published.publishedBy, boss.id);
    assert.equal(first.workflow.hasUnpublishedChanges, false);

    const edited = { ...spanish(bilingual.id), name: 'Spanish speakers → bilingual' };
    const saved = await ok(boss.call('PUT', `/v1/workflows/${wf.id}`, edited, { 'if-match': '1' }), 200);
    assert.equal(saved.workflow.draftVersion, 2);
    assert.equal(saved.workflow.draft.name, 'Spanish speakers → bilingual');
    assert.equal(saved.workflow.published.definition.name, 'Spanish → bilingual', 'the live version is untouched by a draft save');
    assert.equal(saved.workflow.hasUnpublishedChanges, true);

    assert.equal(saved.workflow.draftUpdatedBy, boss.id);

    // A second editor who started from version 1 loses, and sees the current workflow and who saved it.
    const stale = await boss.call('PUT', `/v1/workflows/${wf.id}`, { ...edited, name: 'Other' }, { 'if-match': '1' });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'version_conflict');
    assert.equal(stale.body.error.details.workflow.draftVersion, 2);
    assert.equal(stale.body.error.details.workflow.draftUpdatedBy, boss.id);
    assert.equal(stale.body.error.details.workflow.draft.name, 'Spanish speakers → bilingual');
    const stalePublish = await boss.call('POST', `/v1/workflows/${wf.id}/publish`, undefined, { 'if-match': '1' });
    assert.equal(stalePublish.status, 409);

    const second = await ok(boss.call('POST', `/v1/workflows/${wf.id}/publish`, undefined, { 'if-match': '2' }), 200);
    assert.equal(second.workflow.published.version, 2);
    // Publishing an unchanged draft adds no version.
    const again = await ok(boss.call('POST', `/v1/workflows/${wf.id}/publish`), 200);
    assert.equal(again.workflow.published.version, 2);

    const versions = await ok(ws.api('GET', `/v1/workflows/${wf.id}/versions`), 200);
    assert.deepEqual(versions.items.map((v: any) => [v.version, v.definition.name]), [
      [2, 'Spanish speakers → bilingual'],
      [1, 'Spanish → bilingual'],
    ]);
    const one = await ok(ws.api('GET', `/v1/workflows/${wf.id}`), 200);
    assert.equal(one.workflow.published.version, 2);
    const list = await ok(ws.api('GET', '/v1/workflows'), 200);
    assert.deepEqual(list.items.map((w: any) => w.id), [wf.id]);

    await ok(boss.call('DELETE', `/v1/workflows/${wf.id}`), 200);
    assert.equal((await ws.api('GET', `/v1/workflows/${wf.id}`)).status, 404);
    assert.equal((await boss.call('POST', `/v1/workflows/${wf.id}/publish`)).status, 404);
    assert.deepEqual((await ok(ws.api('GET', '/v1/workflows'), 200)).items, []);
  });

  it('an invalid If-Match on a save or a publication is 400 and changes nothing', async (t) => {
    const { ws, boss, support } = await setup(t);
    const { workflow } = await ok(boss.call('POST', '/v1/workflows', everyone(support.id)), 201);
    for (const value of ['abc', '1.5', '-1', '', '1, 2', '0x1']) {
      const put = await boss.call('PUT', `/v1/workflows/${workflow.id}`, { ...everyone(support.id), name: 'X' }, { 'If-Match': value });
      assert.equal(put.status, 400, `PUT If-Match ${JSON.stringify(value)}: ${put.status}`);
      const publish = await boss.call('POST', `/v1/workflows/${workflow.id}/publish`, undefined, { 'If-Match': value });
      assert.equal(publish.status, 400, `publish If-Match ${JSON.stringify(value)}: ${publish.status}`);
    }
    const after = await ok(ws.api('GET', `/v1/workflows/${workflow.id}`), 200);
    assert.equal(after.workflow.draftVersion, 1);
    assert.equal(after.workflow.draft.name, 'Everyone else → Support');
    assert.equal(after.workflow.published, null);
  });

  it('a retried create with the same Idempotency-Key creates one workflow', async (t) => {
    const { ws, boss, support } = await setup(t);
    const headers = { 'Idempotency-Key': 'wf-create-1' };
    const first = await ok(boss.call('POST', '/v1/workflows', everyone(support.id), headers), 201);
    const again = await ok(boss.call('POST', '/v1/workflows', everyone(support.id), headers), 201);
    assert.equal(again.workflow.id, first.workflow.id);
    assert.deepEqual((await ok(ws.api('GET', '/v1/workflows'), 200)).items.map((w: any) => w.id), [first.workflow.id]);
  });

  it('agents get 403 on every workflow route; API keys may read but not write', async (t) => {
    const { ws, boss, ana, support } = await setup(t);
    const { workflow } = await ok(boss.call('POST', '/v1/workflows', everyone(support.id)), 201);
    const calls: [string, string, unknown?][] = [
      ['GET', '/v1/workflows'],
      ['POST', '/v1/workflows', everyone(support.id)],
      ['POST', '/v1/workflows/validate', { workflow: everyone(support.id) }],
      ['GET', `/v1/workflows/${workflow.id}`],
      ['PUT', `/v1/workflows/${workflow.id}`, everyone(support.id)],
      ['POST', `/v1/workflows/${workflow.id}/publish`],
      ['GET', `/v1/workflows/${workflow.id}/versions`],
      ['DELETE', `/v1/workflows/${workflow.id}`],
    ];
    for (const [method, path, body] of calls) {
      const res = await ana.call(method, path, body);
      assert.equal(res.status, 403, `agent ${method} ${path}: ${res.status}`);
      assert.equal(res.body.error.code, 'forbidden');
      const key = await ws.api(method, path, body);
      assert.equal(key.status, method === 'GET' ? 200 : 403, `API key ${method} ${path}: ${key.status}`);
    }
    const after = await ok(ws.api('GET', `/v1/workflows/${workflow.id}`), 200);
    assert.equal(after.workflow.draftVersion, 1, 'nothing was saved');
    assert.equal(after.workflow.published, null, 'nothing was published');
    assert.equal((await ok(ws.api('GET', '/v1/workflows'), 200)).items.length, 1, 'nothing was created');
  });

  it('a save with errors is 422 with every error at its JSON path, and saves nothing', async (t) => {
    const { ws, boss, support } = await setup(t);
    const bad = {
      ...everyone(support.id),
      conditions: { all: [{ field: 'contact.shoe_size', op: 'eq', value: 3 }, { field: 'conversation.channel', op: 'gt', value: 3 }, { any: [] }] },
      actions: [
        { type: 'assign', steps: [{ pool: { team: 'team_nope' }, strategy: 'round_robin', timeoutSec: 60 }] },
        { type: 'notify', to: { agent: 'agt_nope' } },
      ],
    };
    const res = await boss.call('POST', '/v1/workflows', bad);
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'workflow_invalid');
    const at = (code: string) => res.body.error.details.errors.filter((e: any) => e.code === code).map((e: any) => e.path);
    assert.deepEqual(at('unknown_field'), [['conditions', 'all', 0, 'field']]);
    assert.deepEqual(at('operator_not_allowed'), [['conditions', 'all', 1, 'op']]);
    assert.deepEqual(at('empty_group'), [['conditions', 'all', 2, 'any']]);
    assert.deepEqual(at('unknown_team'), [['actions', 0, 'steps', 0, 'pool', 'team']]);
    assert.deepEqual(at('unknown_agent'), [['actions', 1, 'to', 'agent']]);
    assert.deepEqual(at('timeout_on_last_step'), [['actions', 0, 'steps', 0, 'timeoutSec']]);
    assert.deepEqual((await ok(ws.api('GET', '/v1/workflows'), 200)).items, []);

    // The same on a draft save: the draft stays as it was.
    const { workflow } = await ok(boss.call('POST', '/v1/workflows', everyone(support.id)), 201);
    const put = await boss.call('PUT', `/v1/workflows/${workflow.id}`, bad);
    assert.equal(put.status, 422);
    const after = await ok(ws.api('GET', `/v1/workflows/${workflow.id}`), 200);
    assert.equal(after.workflow.draftVersion, 1);
    assert.deepEqual(after.workflow.draft, everyone(support.id));
  });

  it('a message word list past PHRASE_LIMITS is 422 at the value, each phrase at its index, and saves nothing', async (t) => {
    const { ws, boss, support } = await setup(t);
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    const listOf = (value: string[]) => ({ ...everyone(support.id), conditions: { all: [{ field: 'message.body', op: 'contains_any', value }] } });
    const tooMany = Array.from({ length: PHRASE_LIMITS.phrases + 1 }, (_, i) => `word${i}`);
    const cases: [string[], unknown[][]][] = [
      [tooMany, [['conditions', 'all', 0, 'value']]],
      [['refund', words(PHRASE_LIMITS.words + 1), 'x'.repeat(PHRASE_LIMITS.characters + 1)], [['conditions', 'all', 0, 'value', 1], ['conditions', 'all', 0, 'value', 2]]],
    ];
    for (const [value, paths] of cases) {
      const res = await boss.call('POST', '/v1/workflows', listOf(value));
      assert.equal(res.status, 422, JSON.stringify(res.body).slice(0, 300));
      assert.equal(res.body.error.code, 'workflow_invalid');
      assert.deepEqual(res.body.error.details.errors.map((e: any) => [e.code, e.path]), paths.map((p) => ['invalid_value', p]));
    }
    assert.deepEqual((await ok(ws.api('GET', '/v1/workflows'), 200)).items, []);
    await ok(boss.call('POST', '/v1/workflows', listOf([...tooMany.slice(2), words(PHRASE_LIMITS.words)])), 201);
  });

  it('saves return warnings: nobody eligible now, shadowed by an earlier stopProcessing rule', async (t) => {
    const { boss, maria, support, bilingual } = await setup(t);
    await ok(maria.call('PATCH', `/v1/agents/${maria.id}`, { availability: 'away' }), 200);
    const created = await ok(boss.call('POST', '/v1/workflows', spanish(bilingual.id)), 201);
    const pool = created.warnings.find((w: any) => w.code === 'pool_none_available');
    assert.ok(pool, JSON.stringify(created.warnings));
    assert.deepEqual(pool.path, ['actions', 0, 'steps', 0, 'pool']);
    assert.match(pool.message, /maria away/);

    // A catch-all with stopProcessing, live, shadows any later rule of the same trigger.
    const catchAll = { ...everyone(support.id), name: 'Catch all', priority: 1000, stopProcessing: true };
    const { workflow: first } = await ok(boss.call('POST', '/v1/workflows', catchAll), 201);
    await ok(boss.call('POST', `/v1/workflows/${first.id}/publish`), 200);
    const shadowed = await ok(boss.call('POST', '/v1/workflows', everyone(support.id)), 201);
    assert.ok(shadowed.warnings.some((w: any) => w.code === 'shadowed' && w.path.length === 0), JSON.stringify(shadowed.warnings));
  });

  it('POST /v1/workflows/validate reports errors and warnings without saving anything', async (t) => {
    const { ws, boss, support } = await setup(t);
    const good = await ok(boss.call('POST', '/v1/workflows/validate', { workflow: everyone(support.id) }), 200);
    assert.deepEqual(good, { valid: true, errors: [], warnings: [] });
    // Any JSON is accepted as the workflow; shape problems come back at their paths too.
    const shape = await ok(boss.call('POST', '/v1/workflows/validate', { workflow: { ...everyone(support.id), trigger: { event: 'conversation.exploded' }, bogus: 1 } }), 200);
    assert.equal(shape.valid, false);
    assert.ok(shape.errors.some((e: any) => e.path[0] === 'trigger'), JSON.stringify(shape.errors));
    assert.ok(shape.errors.some((e: any) => e.code === 'invalid' && /bogus/.test(e.message)), JSON.stringify(shape.errors));
    const hour = await ok(
      boss.call('POST', '/v1/workflows/validate', {
        workflow: { ...everyone(support.id), conditions: { all: [{ field: 'time.hour', op: 'gte', value: 18 }, { field: 'time.hour', op: 'lt', value: 9 }] } },
      }),
      200,
    );
    assert.equal(hour.valid, true);
    assert.ok(hour.warnings.some((w: any) => w.code === 'never_matches'), JSON.stringify(hour.warnings));
    const unknown = await boss.call('POST', '/v1/workflows/validate', { workflow: everyone(support.id), workflowId: 'wf_doesnotexist' });
    assert.equal(unknown.status, 404);
    assert.deepEqual((await ok(ws.api('GET', '/v1/workflows'), 200)).items, []);
  });

  it('POST /v1/workflows/test: a draft on a sample, one conversation or the latest N, next to the live version, with no side effects', async (t) => {
    const { server, ws, boss, bilingual, support } = await setup(t);
    const { workflow } = await ok(boss.call('POST', '/v1/workflows', spanish(bilingual.id)), 201);
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    const { contact: jose } = await ok(ws.api('POST', '/v1/contacts', { name: 'José', language: 'es' }), 201);
    const { contact: carla } = await ok(ws.api('POST', '/v1/contacts', { name: 'Carla', tags: ['vip'] }), 201);
    const { conversation: es } = await ok(ws.api('POST', '/v1/conversations', { contactId: jose.id, channel: 'sms', message: { body: 'hola' } }), 201);
    server.clock!.advance(1_000); // created in the same millisecond, newest first would be a coin toss
    const { conversation: vip } = await ok(ws.api('POST', '/v1/conversations', { contactId: carla.id, channel: 'sms', message: { body: 'my order is late' } }), 201);
    await server.settle();
    const read = async () => ({
      conversations: await Promise.all([es.id, vip.id].map(async (id) => (await ok(ws.api('GET', `/v1/conversations/${id}/timeline`), 200)).items)),
      agents: (await ok(ws.api('GET', '/v1/agents'), 200)).items,
      runs: (await ok(ws.api('GET', `/v1/workflows/${workflow.id}/runs`), 200)).items,
      workflow: (await ok(ws.api('GET', `/v1/workflows/${workflow.id}`), 200)).workflow,
    });
    const before = await read();

    // The draft also takes VIP contacts, tags them and writes a note.
    const draft = {
      ...spanish(bilingual.id),
      conditions: { any: [{ field: 'contact.language', op: 'in', value: ['es'] }, { field: 'contact.tags', op: 'contains_any', value: ['vip'] }] },
      actions: [{ type: 'add_tag', tags: ['routed'] }, ...spanish(bilingual.id).actions, { type: 'add_note', body: 'For {{contact.name}}' }],
    };
    const last = await ok(boss.call('POST', '/v1/workflows/test', { workflow: draft, workflowId: workflow.id, last: 500 }), 200);
    assert.deepEqual(last.results.map((r: any) => r.conversationId), [vip.id, es.id], 'newest first');
    const [onVip, onEs] = last.results;
    assert.equal(onVip.draft.matched, true);
    assert.deepEqual(onVip.draft.actions.map((a: any) => a.would.split(':')[0]), ['Tag routed', 'Assign to maria', 'Add a note']);
    assert.equal(onVip.draft.actions[2].would, 'Add a note: For Carla');
    assert.equal(onVip.published.matched, false, 'the live version did not take it');
    assert.equal(onVip.published.outcome, 'not_matched');
    assert.equal(onEs.published.version, 1);
    assert.equal(onEs.published.outcome, 'applied');
    assert.equal(onEs.facts.message.body, 'hola');

    const one = await ok(boss.call('POST', '/v1/workflows/test', { workflow: draft, conversationId: vip.id }), 200);
    assert.equal(one.results.length, 1);
    assert.equal(one.results[0].published, null, 'no workflowId: nothing to compare');
    const sample = await ok(
      boss.call('POST', '/v1/workflows/test', {
        workflow: everyone(support.id),
        sample: {
          conversation: { channel: 'sms', source: null, subject: null, tags: [], priority: 'normal', language: null },
          contact: { name: 'Sam', email: null, language: null, tags: [], attributes: {} },
          message: { body: 'hi' },
          time: { weekday: 'mon', hour: 9 },
        },
      }),
      200,
    );
    assert.equal(sample.results[0].conversationId, null);
    assert.match(sample.results[0].draft.actions[0].would, /^Assign to (ana|maria)/);


    // What a sample's notify and note would say is what the runner would do: the team's active
    // members by username, and the note's agent and team are the ones this rule's assign picked.
    const told = await ok(
      boss.call('POST', '/v1/workflows/test', {
        workflow: {
          ...everyone(bilingual.id),
          actions: [...everyone(bilingual.id).actions, { type: 'notify', to: { team: support.id } }, { type: 'add_note', body: '{{agent.name}} in {{team.name}}' }],
        },
        sample: { ...SAMPLE, conversation: { ...SAMPLE.conversation, team: support.id } },
      }),
      200,
    );
    assert.deepEqual(told.results[0].draft.actions.map((a: any) => a.would), [
      told.results[0].draft.actions[0].would,
      'Notify ana, maria',
      'Add a note: Maria in Bilingual',
    ]);
    assert.match(told.results[0].draft.actions[0].would, /^Assign to maria/);

    // Bad requests: an invalid draft, several targets, too many, someone else's conversation.
    assert.equal((await boss.call('POST', '/v1/workflows/test', { workflow: { ...draft, actions: [{ type: 'set_team', team: 'team_nope' }] }, last: 5 })).status, 422);
    assert.equal((await boss.call('POST', '/v1/workflows/test', { workflow: draft, last: 5, conversationId: es.id })).status, 400);
    assert.equal((await boss.call('POST', '/v1/workflows/test', { workflow: draft, last: 501 })).status, 400);
    assert.equal((await boss.call('POST', '/v1/workflows/test', { workflow: draft })).status, 400);
    assert.equal((await boss.call('POST', '/v1/workflows/test', { workflow: draft, conversationId: 'conv_doesnotexist' })).status, 404);
    assert.deepEqual(await read(), before, 'a dry run changes nothing');
  });
  it('POST /v1/workflows/test reads a sample as the runner reads a conversation: the contact\'s language, else the sample\'s, else the one its message is detected as', async (t) => {
    const { ws, boss, ana, bilingual } = await setup(t);
    const draft = { ...spanish(bilingual.id), conditions: { field: 'conversation.language', op: 'in', value: ['es'] } };
    const language = async (sample: typeof SAMPLE) => {
      const { results } = await ok(boss.call('POST', '/v1/workflows/test', { workflow: draft, sample }), 200);
      return { language: results[0].facts.conversation.language, matched: results[0].draft.matched };
    };
    const spanishMessage = { body: 'Hola, mi pedido no ha llegado todavía y necesito ayuda por favor' };
    assert.deepEqual(await language({ ...SAMPLE, message: spanishMessage }), { language: 'es', matched: true }, 'detected from the message');
    assert.deepEqual(await language({ ...SAMPLE, message: { body: 'ok gracias' } }), { language: null, matched: false }, 'too short to tell');
    assert.deepEqual(await language({ ...SAMPLE, message: null }), { language: null, matched: false }, 'no message');
    assert.deepEqual(
      await language({ ...SAMPLE, conversation: { ...SAMPLE.conversation, language: 'fr' }, message: spanishMessage }),
      { language: 'fr', matched: false },
      "the sample's own language over the message's",
    );
    assert.deepEqual(
      await language({ ...SAMPLE, contact: { ...SAMPLE.contact, language: 'es' }, conversation: { ...SAMPLE.conversation, language: 'fr' } }),
      { language: 'es', matched: true },
      "the contact's language over both, as in the inbox",
    );

    // A deactivated agent is not notified, by the runner or in the dry run; nobody left says so.
    await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { active: false }), 200);
    const { results } = await ok(
      boss.call('POST', '/v1/workflows/test', { workflow: { ...draft, conditions: undefined, actions: [{ type: 'notify', to: { agent: ana.id } }] }, sample: SAMPLE }),
      200,
    );
    assert.equal(results[0].draft.actions[0].would, 'Skip: nobody to notify (unknown or deactivated agents, or an empty team)');
  });
});
