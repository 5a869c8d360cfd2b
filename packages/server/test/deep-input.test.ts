import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { MAX_GROUP_DEPTH, MAX_JSON_DEPTH } from '@baton/protocol';
import { readAll, TestServer, type TestAgent, expectStatus as ok } from '../src/testing.js';

// Hostile nesting (session 9): a body nested thousands of levels deep, well inside the body limit,
// used to overflow the stack of zod's recursive condition schema, and the server answered 500. Now
// every route answers a 4xx in the API's error shape, and nothing is written.

const LEAF = '{"field":"contact.language","op":"eq","value":"es"}';
/** Conditions as raw JSON text (a 10,000-deep tree is built as text: JSON.stringify would overflow too). */
const nots = (levels: number) => '{"not":'.repeat(levels) + LEAF + '}'.repeat(levels);
const alls = (levels: number) => '{"all":['.repeat(levels) + LEAF + ']}'.repeat(levels);

const workflowJson = (team: string, conditions: string) =>
  `{"name":"Deep","trigger":{"event":"conversation.created"},"conditions":${conditions},"actions":[{"type":"assign","steps":[{"pool":{"team":"${team}"},"strategy":"round_robin"}]}]}`;
const SAMPLE = JSON.stringify({
  conversation: { channel: 'sms', source: null, subject: null, tags: [], priority: 'normal', language: null },
  contact: { name: 'Ana', email: null, language: 'es', tags: [], attributes: {} },
  message: { body: 'hola' },
  time: { weekday: 'mon', hour: 10 },
});

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [boss.id] }), 201);
  const { workflow } = await ok(boss.call('POST', '/v1/workflows', JSON.parse(workflowJson(team.id, LEAF))), 201);
  const raw = (agent: TestAgent, method: string, path: string, body: string, headers: Record<string, string> = {}) =>
    server.request(method, path, { token: agent.token, raw: body, headers });
  const snapshot = () =>
    readAll([
      ['workflows', boss.call, '/v1/workflows'],
      ['versions', boss.call, `/v1/workflows/${workflow.id}/versions`],
      ['conversations', boss.call, '/v1/conversations?view=all'],
    ]);
  return { server, ws, boss, team, workflow, raw, snapshot };
}

/** Every route that takes a condition tree, with the body it takes around one. */
const routes = (workflowId: string, team: string) => (conditions: string): { name: string; method: string; path: string; body: string; headers: Record<string, string> }[] => [
  { name: 'POST /v1/workflows', method: 'POST', path: '/v1/workflows', body: workflowJson(team, conditions), headers: {} },
  { name: 'PUT /v1/workflows/:id', method: 'PUT', path: `/v1/workflows/${workflowId}`, body: workflowJson(team, conditions), headers: { 'if-match': '1' } },
  { name: 'POST /v1/workflows/validate', method: 'POST', path: '/v1/workflows/validate', body: `{"workflow":${workflowJson(team, conditions)}}`, headers: {} },
  { name: 'POST /v1/workflows/test', method: 'POST', path: '/v1/workflows/test', body: `{"workflow":${workflowJson(team, conditions)},"sample":${SAMPLE}}`, headers: {} },
];

describe('deeply nested bodies', () => {
  it('conditions nested 10,000 deep are a 400 with the path where the body got too deep, on every workflow route, and change nothing', async (t) => {
    const { boss, team, workflow, raw, snapshot } = await setup(t);
    const before = await snapshot();
    for (const conditions of [nots(10_000), alls(10_000)]) {
      for (const r of routes(workflow.id, team.id)(conditions)) {
        const res = await raw(boss, r.method, r.path, r.body, r.headers);
        assert.equal(res.status, 400, `${r.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        assert.equal(res.body.error.code, 'validation_failed', r.name);
        assert.equal(res.body.error.message, `the body nests deeper than ${MAX_JSON_DEPTH} levels`);
        const [detail] = res.body.error.details;
        assert.equal(detail.code, 'too_deep');
        // The path leads into the tree, to the first level past the limit.
        assert.equal(detail.path.length, MAX_JSON_DEPTH);
        assert.ok(detail.path.includes('conditions'), JSON.stringify(detail.path));
      }
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('conditions just past the group limit, shallow enough for the body limit, are the validator\'s too_deep at the group', async (t) => {
    const { boss, team, workflow, raw, snapshot } = await setup(t);
    const before = await snapshot();
    // Twelve `not`s: 13 levels of JSON, so the body passes; the ninth group is too deep.
    const ninth = ['conditions', ...new Array(MAX_GROUP_DEPTH).fill('not')];
    for (const r of routes(workflow.id, team.id)(nots(12))) {
      const res = await raw(boss, r.method, r.path, r.body, r.headers);
      if (r.name === 'POST /v1/workflows/validate') {
        assert.equal(res.status, 200, r.name);
        assert.equal(res.body.valid, false);
        assert.deepEqual(res.body.errors.map((e: any) => [e.code, e.path]), [['too_deep', ninth]]);
        continue;
      }
      assert.equal(res.status, 422, `${r.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      assert.equal(res.body.error.code, 'workflow_invalid', r.name);
      assert.deepEqual(res.body.error.details.errors.map((e: any) => [e.code, e.path]), [['too_deep', ninth]], r.name);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('any other route refuses deep arrays the same way, before its schema reads them', async (t) => {
    const { ws, server, snapshot } = await setup(t);
    const before = await snapshot();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000); // 200 KB, under the body limit
    const res = await server.request('POST', '/v1/contacts', { token: ws.apiKey, raw: `{"name":"Ana","attributes":${deep}}` });
    assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
    assert.equal(res.body.error.code, 'validation_failed');
    assert.deepEqual(res.body.error.details[0].path, ['attributes', ...new Array(MAX_JSON_DEPTH - 1).fill(0)]);
    assert.deepEqual(await snapshot(), before);
  });
});
