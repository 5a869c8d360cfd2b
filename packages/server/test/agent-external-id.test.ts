import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { expectStatus as ok, readAll, TestServer } from '../src/testing.js';

/**
 * `Agent.externalId`: the host's own id for the person behind an agent. The host finds the agent by
 * it and mints their token with it, so its token route needs no table of Baton's agent ids.
 */

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const ana = await ws.addAgent('ana', { externalId: 'user-17' });
  const ben = await ws.addAgent('ben');
  return { server, ws, boss, ana, ben };
}

test('an agent keeps the id the host gave them; the host finds them by it and mints their token with it', async (t) => {
  const { server, ws, ana, ben } = await setup(t);
  const listed = await ok(ws.api('GET', '/v1/agents'), 200);
  assert.deepEqual(
    listed.items.map((a: { username: string; externalId: string | null }) => [a.username, a.externalId]),
    [['ana', 'user-17'], ['ben', null], ['boss', null]],
  );

  const found = await ok(ws.api('GET', '/v1/agents?externalId=user-17'), 200);
  assert.deepEqual(found.items.map((a: { id: string }) => a.id), [ana.id]);
  assert.equal(found.items[0].openAssigned, 0);
  assert.deepEqual((await ok(ws.api('GET', '/v1/agents?externalId=user-99'), 200)).items, []);
  // Her own open load, as the whole list says it.
  const conv = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'Hi' } }), 201);
  await ok(ws.api('POST', `/v1/conversations/${conv.conversation.id}/assign`, { assigneeId: ana.id }), 200);
  assert.equal((await ok(ws.api('GET', '/v1/agents?externalId=user-17'), 200)).items[0].openAssigned, 1);
  assert.equal((await ok(ws.api('GET', '/v1/agents'), 200)).items.find((a: { id: string }) => a.id === ana.id).openAssigned, 1);

  const { token } = await ok(ws.api('POST', '/v1/tokens', { externalId: 'user-17', ttlSeconds: 600 }), 201);
  const me = await ok(server.request('GET', '/v1/agents/me', { token }), 200);
  assert.equal(me.agent.id, ana.id);
  assert.equal(me.agent.externalId, 'user-17');

  // Set later, changed, and cleared by the host backend; the old id then finds nobody.
  await ok(ws.api('PATCH', `/v1/agents/${ben.id}`, { externalId: 'user-20' }), 200);
  const { token: bens } = await ok(ws.api('POST', '/v1/tokens', { externalId: 'user-20' }), 201);
  assert.equal((await ok(server.request('GET', '/v1/agents/me', { token: bens }), 200)).agent.id, ben.id);
  const moved = await ok(ws.api('PATCH', `/v1/agents/${ben.id}`, { externalId: 'user-21' }), 200);
  assert.equal(moved.agent.externalId, 'user-21');
  assert.equal((await ws.api('POST', '/v1/tokens', { externalId: 'user-20' })).status, 400);
  const cleared = await ok(ws.api('PATCH', `/v1/agents/${ben.id}`, { externalId: null }), 200);
  assert.equal(cleared.agent.externalId, null);
  assert.deepEqual((await ok(ws.api('GET', '/v1/agents?externalId=user-21'), 200)).items, []);
  // An agent may give their own id back: saying what holds is no conflict.
  assert.equal((await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { externalId: 'user-17' }), 200)).agent.externalId, 'user-17');
});

test('an id another agent holds, a token asked two ways or neither, and bad ids are refused and change nothing', async (t) => {
  const { server, ws, boss, ana, ben } = await setup(t);
  const other = await server.createWorkspace('Other');
  const snapshot = () => readAll([['agents', ws.api, '/v1/agents']]);
  const before = await snapshot();

  const refusals: [string, Promise<{ status: number; body: any }>, number, string][] = [
    ['a new agent with a taken id', ws.api('POST', '/v1/agents', { name: 'Cleo', username: 'cleo', externalId: 'user-17' }), 409, 'conflict'],
    ['an agent given a taken id', ws.api('PATCH', `/v1/agents/${ben.id}`, { externalId: 'user-17' }), 409, 'conflict'],
    ['an empty id', ws.api('PATCH', `/v1/agents/${ben.id}`, { externalId: '  ' }), 400, 'validation_failed'],
    ['an id of 201 characters', ws.api('PATCH', `/v1/agents/${ben.id}`, { externalId: 'x'.repeat(201) }), 400, 'validation_failed'],
    ['a number for an id', ws.api('POST', '/v1/agents', { name: 'Cleo', username: 'cleo', externalId: 17 }), 400, 'validation_failed'],
    ['an agent setting their own id', ana.call('PATCH', `/v1/agents/${ana.id}`, { externalId: 'me' }), 403, 'forbidden'],
    ['an unknown query key', ana.call('GET', '/v1/agents?external=user-17'), 400, 'validation_failed'],
    ['a token by both ids', ws.api('POST', '/v1/tokens', { agentId: ana.id, externalId: 'user-17' }), 400, 'validation_failed'],
    ['a token by neither', ws.api('POST', '/v1/tokens', { ttlSeconds: 600 }), 400, 'validation_failed'],
    ['a token for an id nobody has', ws.api('POST', '/v1/tokens', { externalId: 'user-404' }), 400, 'validation_failed'],
    // Another workspace's agents are out of reach by the host's ids too.
    ["another workspace's token by this one's id", other.api('POST', '/v1/tokens', { externalId: 'user-17' }), 400, 'validation_failed'],
  ];
  for (const [label, res, status, code] of refusals) {
    const r = await res;
    assert.equal(r.status, status, `${label}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code, label);
  }
  assert.deepEqual((await ok(other.api('GET', '/v1/agents?externalId=user-17'), 200)).items, []);
  assert.deepEqual(await snapshot(), before);

  // Another workspace may use the same id for its own agent.
  const theirs = await ok(other.api('POST', '/v1/agents', { name: 'Ana B', username: 'ana', externalId: 'user-17' }), 201);
  assert.equal(theirs.agent.externalId, 'user-17');
  assert.equal((await ok(ws.api('GET', '/v1/agents?externalId=user-17'), 200)).items[0].id, ana.id);

  // A deactivated agent's id still names them: the token is refused as by agent id.
  await ok(boss.call('PATCH', `/v1/agents/${ana.id}`, { active: false }), 200);
  const refused = await ws.api('POST', '/v1/tokens', { externalId: 'user-17' });
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.details.agentId, ana.id);
});
