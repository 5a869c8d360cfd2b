import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// POST /v1/conversations/bulk (DESIGN §5): one action on up to 100 conversations, a result per id,
// each id its own unit of work.

async function setup(t: TestContext, n = 5) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const convs: any[] = [];
  for (let i = 0; i < n; i++) {
    convs.push((await ok(ws.api('POST', '/v1/conversations', { contact: { name: `C${i}` }, channel: 'sms', tags: ['old'], message: { body: `m${i}` } }), 201)).conversation);
  }
  const get = async (id: string) => (await ok(ws.api('GET', `/v1/conversations/${id}`), 200)).conversation;
  const counts = async () => ok(ana.call('GET', '/v1/conversations/counts'), 200);
  return { server, ws, ana, ben, convs, get, counts };
}

test('bulk resolve of 5: each resolved with its own event, the counts moved by 5', async (t) => {
  const { ana, convs, get, counts, ws } = await setup(t);
  const ids = convs.map((c) => c.id);
  const res = await ok(ana.call('POST', '/v1/conversations/bulk', { action: 'resolve', ids }), 200);
  assert.deepEqual(res.results.map((r: any) => [r.id, r.ok, r.status, r.conversation.status]), ids.map((id) => [id, true, 200, 'resolved']));
  for (const id of ids) assert.equal((await get(id)).status, 'resolved');
  assert.equal((await counts()).resolved, 5);
  assert.equal((await counts()).all, 0);
  const timeline = await ok(ws.api('GET', `/v1/conversations/${ids[0]}/timeline`), 200);
  assert.deepEqual(timeline.items.filter((i: any) => i.type === 'resolved').map((i: any) => i.actor), [{ type: 'agent', id: ana.id }]);
});

test('assign, reopen, snooze and tag act on each id like the single routes', async (t) => {
  const { server, ana, ben, convs, get, counts } = await setup(t, 3);
  const ids = convs.map((c) => c.id);
  await ok(ana.call('POST', '/v1/conversations/bulk', { action: 'assign', ids, assigneeId: ben.id }), 200);
  for (const id of ids) assert.equal((await get(id)).assigneeId, ben.id);
  assert.equal((await ok(ben.call('GET', '/v1/conversations/counts'), 200)).mine, 3);

  const tagged = await ok(ana.call('POST', '/v1/conversations/bulk', { action: 'tag', ids, add: ['vip', 'late'], remove: ['old'] }), 200);
  for (const r of tagged.results) assert.deepEqual(r.conversation.tags.sort(), ['late', 'vip']);

  const until = new Date(server.clock!.now() + 3_600_000).toISOString();
  await ok(ana.call('POST', '/v1/conversations/bulk', { action: 'snooze', ids: ids.slice(0, 2), until }), 200);
  assert.equal((await counts()).snoozed, 2);
  await ok(ana.call('POST', '/v1/conversations/bulk', { action: 'snooze', ids: ids.slice(0, 1), until: null }), 200);
  assert.equal((await counts()).snoozed, 1);

  await ok(ana.call('POST', '/v1/conversations/bulk', { action: 'resolve', ids }), 200);
  const reopened = await ok(ana.call('POST', '/v1/conversations/bulk', { action: 'reopen', ids }), 200);
  assert.ok(reopened.results.every((r: any) => r.ok && r.conversation.status === 'open' && r.conversation.snoozedUntil === null));
});

test('per-id failures: a stale ifMatch is a 409 for that id, an unknown id a 404; the others are done', async (t) => {
  const { ana, convs, get } = await setup(t, 3);
  const [a, b, c] = convs;
  const res = await ok(
    ana.call('POST', '/v1/conversations/bulk', { action: 'resolve', ids: [a.id, 'conv_nope', b.id, c.id], ifMatch: { [a.id]: a.version, [b.id]: b.version + 7 } }),
    200,
  );
  assert.deepEqual(res.results.map((r: any) => [r.id, r.ok, r.status, r.error?.code ?? null]), [
    [a.id, true, 200, null],
    ['conv_nope', false, 404, 'not_found'],
    [b.id, false, 409, 'version_conflict'],
    [c.id, true, 200, null],
  ]);
  assert.equal(res.results[2].error.details.conversation.id, b.id, 'the 409 carries the current conversation');
  assert.equal((await get(b.id)).status, 'open');
  assert.equal((await get(c.id)).status, 'resolved');
});

test("another workspace's id is not_found for that id and is left alone", async (t) => {
  const { server, ana, convs } = await setup(t, 1);
  const other = await server.createWorkspace('Globex');
  const { conversation: theirs } = await ok(other.api('POST', '/v1/conversations', { contact: { name: 'X' }, channel: 'sms', message: { body: 'hi' } }), 201);
  const res = await ok(ana.call('POST', '/v1/conversations/bulk', { action: 'resolve', ids: [theirs.id, convs[0].id] }), 200);
  assert.deepEqual(res.results.map((r: any) => [r.ok, r.status]), [
    [false, 404],
    [true, 200],
  ]);
  assert.equal((await ok(other.api('GET', `/v1/conversations/${theirs.id}`), 200)).conversation.status, 'open');
});

test('bad bodies are a 400 and change nothing', async (t) => {
  const { ana, convs, get } = await setup(t, 1);
  const id = convs[0].id;
  const bodies = [
    { action: 'resolve', ids: [] },
    { action: 'resolve', ids: Array.from({ length: 101 }, (_, i) => `conv_${i}`) },
    { action: 'resolve', ids: [id, id] },
    { action: 'explode', ids: [id] },
    { action: 'assign', ids: [id] },
    { action: 'tag', ids: [id] },
    { action: 'snooze', ids: [id], until: 'soon' },
    { action: 'snooze', ids: [id], until: new Date(Date.now() - 60_000).toISOString() },
    { action: 'resolve', ids: [id], extra: 1 },
    { action: 'resolve', ids: [id], ifMatch: { [id]: 'one' } },
  ];
  for (const body of bodies) {
    const res = await ana.call('POST', '/v1/conversations/bulk', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(typeof res.body.error.code, 'string');
  }
  assert.equal((await get(id)).version, convs[0].version);
});
