import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundTrip, twoWorkspaces, type LiveSocket } from '../src/testing.js';

/**
 * Team changes reach every agent of the workspace live (`team:updated`), as agent changes do: a
 * team created, renamed or given other members; never an agent of another workspace; and a
 * socket that was away gets them by replay.
 */

const teamEvents = (s: LiveSocket) => s.rec.of('team:updated');

test('creating, renaming and changing the members of a team reach every agent of the workspace, and no other workspace', async (t) => {
  const { server, ws, ana, ben, other, zoe } = await twoWorkspaces(t);
  const [a, b, z] = await Promise.all([server.live(ana.token), server.live(ben.token), server.live(zoe.token)]);
  // Zoe's own workspace has a team of its own, so her socket could hear of teams at all.
  const theirs = await other.api('POST', '/v1/teams', { name: 'Zoe crew', memberIds: [zoe.id] });
  assert.equal(theirs.status, 201);

  const created = await ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const team = created.body.team;
  for (const s of [a, b]) {
    const e = await s.rec.waitFor('team:updated', (p) => p.team.id === team.id);
    assert.deepEqual(e.team, team, 'the created team as the API answered it');
    assert.equal(typeof e.seq, 'number');
    assert.ok(e.seq > s.ready.seq);
  }

  const renamed = await ws.api('PATCH', `/v1/teams/${team.id}`, { name: 'Customer Care' });
  assert.equal(renamed.status, 200);
  const rename = await b.rec.waitFor('team:updated', (p) => p.team.name === 'Customer Care');
  assert.deepEqual(rename.team, { ...team, name: 'Customer Care' });
  assert.deepEqual(rename.team, renamed.body.team);

  const joined = await ws.api('PATCH', `/v1/teams/${team.id}`, { memberIds: [ana.id, ben.id] });
  assert.equal(joined.status, 200);
  const join = await b.rec.waitFor('team:updated', (p) => p.team.memberIds.includes(ben.id));
  assert.deepEqual(join.team, { ...team, name: 'Customer Care', memberIds: [ana.id, ben.id].sort() });
  assert.ok(join.seq > rename.seq, 'each change its own seq, in order');
  await a.rec.waitFor('team:updated', (p) => p.team.memberIds.includes(ben.id));

  // A PATCH that changes nothing announces nothing.
  assert.equal((await ws.api('PATCH', `/v1/teams/${team.id}`, { name: 'Customer Care', memberIds: [ben.id, ana.id] })).status, 200);

  await server.settle();
  await Promise.all([a, b, z].map((s) => roundTrip(s.socket)));
  for (const s of [a, b]) {
    assert.deepEqual(
      teamEvents(s).map((e) => [e.team.name, e.team.memberIds.length]),
      [['Support', 1], ['Customer Care', 1], ['Customer Care', 2]],
      'exactly one event per change',
    );
  }
  // Zoe heard of her own workspace's team only.
  assert.deepEqual(teamEvents(z).map((e) => e.team.id), [theirs.body.team.id]);
});

test('an agent who was away gets the team changes they missed by replay', async (t) => {
  const { server, ws, ana, ben } = await twoWorkspaces(t);
  const created = await ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id] });
  assert.equal(created.status, 201);
  const first = await server.live(ben.token);
  const since = first.ready.seq;
  first.socket.disconnect();

  assert.equal((await ws.api('PATCH', `/v1/teams/${created.body.team.id}`, { name: 'Customer Care', memberIds: [ben.id] })).status, 200);
  const added = await ws.api('POST', '/v1/teams', { name: 'Billing' });
  assert.equal(added.status, 201);
  await server.settle();

  const back = await server.live(ben.token, { since });
  assert.equal(back.ready.resync, false);
  assert.ok(back.ready.replayed >= 2);
  assert.deepEqual(
    teamEvents(back).map((e) => [e.team.id, e.team.name, e.team.memberIds]),
    [
      [created.body.team.id, 'Customer Care', [ben.id]],
      [added.body.team.id, 'Billing', []],
    ],
  );
});

test("a second team by a name already taken (case and spacing aside) is 409 and changes nothing; another workspace's names do not count", async (t) => {
  const { ws, other } = await twoWorkspaces(t);
  const support = (await ws.api('POST', '/v1/teams', { name: 'Support' })).body.team;
  const billing = (await ws.api('POST', '/v1/teams', { name: 'Billing' })).body.team;
  for (const name of ['Support', 'support ', '  SUPPORT', 'Support']) {
    const res = await ws.api('POST', '/v1/teams', { name });
    assert.equal(res.status, 409, name);
    assert.equal(res.body.error.code, 'conflict');
    assert.deepEqual(res.body.error.details, { teamId: support.id });
  }
  const renamed = await ws.api('PATCH', `/v1/teams/${billing.id}`, { name: 'support' });
  assert.equal(renamed.status, 409);
  // Its own name in another case is a rename, not a clash.
  assert.equal((await ws.api('PATCH', `/v1/teams/${support.id}`, { name: 'SUPPORT' })).status, 200);
  const names = (await ws.api('GET', '/v1/teams')).body.items.map((x: { name: string }) => x.name).sort();
  assert.deepEqual(names, ['Billing', 'SUPPORT']);
  assert.equal((await other.api('POST', '/v1/teams', { name: 'Support' })).status, 201);
});
