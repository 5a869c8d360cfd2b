import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimAssignment, findAgent } from '../src/storage/agents.js';
import { expectStatus as ok, TestServer } from '../src/testing.js';

/**
 * The round-robin claim (storage/agents.ts) is where auto-assignment's rules hold even when the
 * runner plans from an older snapshot of the agents (services/workflow-runner.ts RoutingSnapshots):
 * the conditional update that takes the slot refuses an agent who is no longer active, online and
 * below capacity, and a slot someone else took since the snapshot.
 */
test('a claim is refused for an agent at capacity, away or deactivated, or whose slot moved; granted otherwise', async (t) => {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const db = server.server.deps.storage.db;
  await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { availability: 'online', capacity: 1 }), 200);
  const claim = async (at: number) => {
    const row = await findAgent(db, ws.id, ana.id);
    return db.transaction().execute((trx) => claimAssignment(trx, ws.id, ana.id, { seen: row!.last_assigned_at === null ? null : Number(row!.last_assigned_at), at, teamId: null, skills: [] }));
  };

  assert.equal(await claim(1000), true, 'online, below capacity');
  // Someone took the slot after our read: the seen time no longer matches.
  assert.equal(await db.transaction().execute((trx) => claimAssignment(trx, ws.id, ana.id, { seen: null, at: 2000, teamId: null, skills: [] })), false, 'slot moved');

  const conv = (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'Hi' } }), 201)).conversation;
  await ok(ws.api('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ana.id }), 200);
  assert.equal(await claim(3000), false, 'at capacity 1/1');
  await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { capacity: 2 }), 200);
  assert.equal(await claim(4000), true, 'below capacity again');

  await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { availability: 'away' }), 200);
  assert.equal(await claim(5000), false, 'away');
  await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { availability: 'online' }), 200);
  await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { active: false }), 200);
  assert.equal(await claim(6000), false, 'deactivated');
});

test("a claim from a team's pool is refused for an agent no longer in the team (a snapshot read before they left)", async (t) => {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const db = server.server.deps.storage.db;
  await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { availability: 'online' }), 200);
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id, ben.id] }), 201);
  const { team: sales } = await ok(ws.api('POST', '/v1/teams', { name: 'Sales', memberIds: [ana.id] }), 201);
  const claim = async (at: number, teamId: string | null) => {
    const row = await findAgent(db, ws.id, ana.id);
    return db.transaction().execute((trx) => claimAssignment(trx, ws.id, ana.id, { seen: row!.last_assigned_at === null ? null : Number(row!.last_assigned_at), at, teamId, skills: [] }));
  };

  assert.equal(await claim(1000, team.id), true, 'a member: granted');
  await ok(ws.api('PATCH', `/v1/teams/${team.id}`, { memberIds: [ben.id] }), 200);
  assert.equal(await claim(2000, team.id), false, 'left Support: refused from its pool');
  assert.equal(await claim(3000, sales.id), true, 'still in Sales: granted from its pool');
  assert.equal(await claim(4000, null), true, 'a pool of named agents checks no team');
});

test('a claim is refused for an agent who no longer holds a required skill (a snapshot read before it was taken away)', async (t) => {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const maria = await ws.addAgent('maria');
  const db = server.server.deps.storage.db;
  await ok(ws.api('PATCH', `/v1/agents/${maria.id}`, { availability: 'online', skills: ['ES', 'billing'] }), 200);
  const claim = async (at: number, skills: string[]) => {
    const row = await findAgent(db, ws.id, maria.id);
    return db.transaction().execute((trx) => claimAssignment(trx, ws.id, maria.id, { seen: row!.last_assigned_at === null ? null : Number(row!.last_assigned_at), at, teamId: null, skills }));
  };

  assert.equal(await claim(1000, ['es']), true, 'holds es (stored in lower case)');
  assert.equal(await claim(2000, ['es', 'billing']), true, 'holds both');
  assert.equal(await claim(3000, ['es', 'technical']), false, 'lacks technical');
  assert.equal(await claim(4000, ['e']), false, 'a prefix of a skill is not the skill');
  await ok(ws.api('PATCH', `/v1/agents/${maria.id}`, { skills: ['billing'] }), 200);
  assert.equal(await claim(5000, ['es']), false, 'es taken away: refused');
  assert.equal(await claim(6000, []), true, 'a step that requires no skill checks none');
});
