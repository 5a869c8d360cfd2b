import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { expectStatus as ok, readAll, TestServer } from '../src/testing.js';

/**
 * Deactivating an agent (DESIGN §3, §6: `active`): who may, and what it means over REST. The
 * sockets it closes are in socket-sessions.test.ts.
 */

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  return { server, ws, boss, ana, ben };
}

test('the host backend and other admins deactivate and reactivate; nobody does it to themselves; agents may not', async (t) => {
  const { server, ws, boss, ana, ben } = await setup(t);
  const other = await server.createWorkspace('Other');
  const snapshot = () => readAll([['agents', ws.api, '/v1/agents']]);
  const before = await snapshot();

  // Refused, and nothing changes.
  const refusals: [string, Promise<{ status: number; body: any }>, number][] = [
    ['an agent deactivating a teammate', ana.call('PATCH', `/v1/agents/${ben.id}`, { active: false }), 403],
    ['an agent deactivating themselves', ana.call('PATCH', `/v1/agents/${ana.id}`, { active: false }), 403],
    ['an agent changing availability and active together', ana.call('PATCH', `/v1/agents/${ana.id}`, { availability: 'away', active: true }), 403],
    ['an admin deactivating themselves', boss.call('PATCH', `/v1/agents/${boss.id}`, { active: false }), 403],
    ['active that is not a boolean', ws.api('PATCH', `/v1/agents/${ana.id}`, { active: 'no' }), 400],
    ['active as 0', ws.api('PATCH', `/v1/agents/${ana.id}`, { active: 0 }), 400],
    ["another workspace's API key", other.api('PATCH', `/v1/agents/${ana.id}`, { active: false }), 404],
  ];
  for (const [label, res, status] of refusals) {
    const r = await res;
    assert.equal(r.status, status, `${label}: ${JSON.stringify(r.body)}`);
    assert.equal(typeof r.body.error.code, 'string', label);
  }
  assert.deepEqual(await snapshot(), before);
  await ok(ana.call('GET', '/v1/agents/me'), 200);

  // An admin deactivates a teammate; the API key reactivates her.
  const off = await ok(boss.call('PATCH', `/v1/agents/${ana.id}`, { active: false }), 200);
  assert.equal(off.agent.active, false);
  assert.equal((await ana.call('GET', '/v1/agents/me')).status, 401);
  const on = await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { active: true }), 200);
  assert.equal(on.agent.active, true);
  // The token she held when deactivated stays ended; one issued after it works.
  assert.equal((await ana.call('GET', '/v1/agents/me')).status, 401);
  server.clock!.advance(1000);
  const fresh = (await ok(ws.api('POST', '/v1/tokens', { agentId: ana.id }), 201)).token as string;
  await ok(server.request('GET', '/v1/agents/me', { token: fresh }), 200);
  // Saying what already holds changes nothing.
  assert.deepEqual(await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { active: true }), 200), on);
});

test('a deactivated agent is refused, still listed, cannot be assigned or mentioned, and keeps their history', async (t) => {
  const { server, ws, ana, ben } = await setup(t);
  const created = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'Hi' } }), 201);
  const conv = created.conversation;
  await ok(ben.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ana.id }), 200);
  await ok(ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: 'on it' }), 201);
  const other = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Eve' }, channel: 'sms', message: { body: 'Hello' } }), 201);

  await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { active: false }), 200);

  // Signing in: every token is refused, and no new one is minted.
  assert.equal((await ana.call('GET', '/v1/conversations?view=mine')).status, 401);
  const minted = await ws.api('POST', '/v1/tokens', { agentId: ana.id });
  assert.equal(minted.status, 409);
  assert.equal(minted.body.error.code, 'conflict');
  assert.match(minted.body.error.message, /deactivated/);

  // Listed with active: false, so history can name her.
  const listed = (await ok(ws.api('GET', '/v1/agents'), 200)).items as any[];
  assert.equal(listed.find((a) => a.id === ana.id).active, false);
  assert.equal(listed.find((a) => a.id === ben.id).active, true);

  // Not assignable, by an agent or the host; the conversation is unchanged.
  const beforeAssign = await ok(ben.call('GET', `/v1/conversations/${other.conversation.id}`), 200);
  for (const [label, res] of [
    ['by an agent', ben.call('POST', `/v1/conversations/${other.conversation.id}/assign`, { assigneeId: ana.id })],
    ['by the API key', ws.api('POST', `/v1/conversations/${other.conversation.id}/assign`, { assigneeId: ana.id })],
  ] as const) {
    const r = await res;
    assert.equal(r.status, 409, label);
    assert.equal(r.body.error.code, 'conflict', label);
    assert.match(r.body.error.message, /deactivated/, label);
    assert.deepEqual(r.body.error.details.path, ['assigneeId']);
  }
  assert.deepEqual(await ok(ben.call('GET', `/v1/conversations/${other.conversation.id}`), 200), beforeAssign);

  // An @mention of her stays text: no mention, no notification.
  const note = await ok(ben.call('POST', `/v1/conversations/${conv.id}/notes`, { body: '@ana can you look? cc @ben' }), 201);
  assert.deepEqual(note.note.mentions, [ben.id]);

  // Her history stays: the assignment and her note.
  const timeline = (await ok(ben.call('GET', `/v1/conversations/${conv.id}/timeline`), 200)).items as any[];
  assert.ok(timeline.some((i) => i.kind === 'event' && i.type === 'assigned' && i.data.to === ana.id));
  assert.ok(timeline.some((i) => i.kind === 'note' && i.author.id === ana.id && i.body === 'on it'));
  assert.equal((await ok(ben.call('GET', `/v1/conversations/${conv.id}`), 200)).conversation.assigneeId, ana.id);

  // Reactivated: a new token works, she can be assigned, and the mention while away never notified her.
  await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { active: true }), 200);
  server.clock!.advance(1000);
  const token = (await ok(ws.api('POST', '/v1/tokens', { agentId: ana.id }), 201)).token as string;
  await ok(ben.call('POST', `/v1/conversations/${other.conversation.id}/assign`, { assigneeId: ana.id }), 200);
  const notifications = (await ok(server.request('GET', '/v1/notifications', { token }), 200)).items as any[];
  assert.deepEqual(notifications.map((n) => n.type).sort(), ['assigned', 'assigned'], 'the two assignments, no mention');
});
