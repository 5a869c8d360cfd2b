import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { TestServer, tempDbFile, expectStatus as ok } from '../src/testing.js';

// Snooze (DESIGN §3, §5): out of the open views into Snoozed until a time; wakes on the clock (a
// stored time, so a restart keeps it), on an inbound message, or by hand (`until: null`).

const MINUTE = 60_000;

async function setup(t: TestContext, options: { db?: string } = {}) {
  const server = await TestServer.startFor(t, options);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'late order' } }), 201);
  await ok(ana.call('POST', `/v1/conversations/${conversation.id}/assign`, { assigneeId: ana.id }), 200);
  const at = (ms: number) => new Date(server.clock!.now() + ms).toISOString();
  const ids = async (view: string) => (await ok(ana.call('GET', `/v1/conversations?view=${view}`), 200)).items.map((c: any) => c.id);
  const events = async () =>
    (await ok(ws.api('GET', `/v1/conversations/${conversation.id}/timeline`), 200)).items.filter((i: any) => i.type === 'snoozed' || i.type === 'woke');
  return { server, ws, ana, conversation, at, ids, events };
}

test('a snoozed conversation leaves Mine, Unread and All for Snoozed, and wakes at its time on the clock', async (t) => {
  const { server, ana, conversation, at, ids, events } = await setup(t);
  const until = at(30 * MINUTE);
  const res = await ok(ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until }), 200);
  assert.equal(res.conversation.snoozedUntil, until);
  assert.equal(res.conversation.status, 'open');
  for (const view of ['mine', 'unread', 'all', 'unassigned']) assert.deepEqual(await ids(view), [], view);
  assert.deepEqual(await ids('snoozed'), [conversation.id]);
  assert.equal((await ok(ana.call('GET', '/v1/conversations/counts'), 200)).snoozed, 1);

  server.clock!.advance(30 * MINUTE - 1);
  await server.server.snoozes.idle();
  assert.equal(await server.server.snoozes.wakeDue(), 0, 'not before its time');
  assert.deepEqual(await ids('snoozed'), [conversation.id]);
  server.clock!.advance(1);
  assert.equal(await server.server.snoozes.wakeDue(), 1);
  assert.deepEqual(await ids('mine'), [conversation.id]);
  assert.deepEqual(await ids('unread'), [conversation.id]);
  assert.deepEqual(await ids('snoozed'), []);
  const got = (await ok(ana.call('GET', `/v1/conversations/${conversation.id}`), 200)).conversation;
  assert.equal(got.snoozedUntil, null);
  assert.deepEqual(
    (await events()).map((e: any) => [e.type, e.data, e.actor.type]),
    [
      ['snoozed', { from: null, until }, 'agent'],
      ['woke', { reason: 'timer', until }, 'system'],
    ],
  );
});

test('the waker runs on the injected clock by itself', async (t) => {
  const { server, ana, conversation, at, ids } = await setup(t);
  await ok(ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until: at(MINUTE) }), 200);
  // Each pass schedules the next when it ends, so the clock is moved a poll interval at a time.
  for (let waited = 0; waited < MINUTE - 10_000; waited += 10_000) {
    server.clock!.advance(10_000);
    await server.server.snoozes.idle();
    assert.deepEqual(await ids('mine'), [], `still snoozed after ${waited + 10_000} ms`);
  }
  for (let i = 0; i < 2; i++) {
    server.clock!.advance(10_000);
    await server.server.snoozes.idle();
  }
  assert.deepEqual(await ids('mine'), [conversation.id], 'woken by the first pass after its time');
});

test('an inbound message wakes it, with a woke event naming the message; a reply does not', async (t) => {
  const { ws, ana, conversation, at, ids, events } = await setup(t);
  await ok(ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until: at(MINUTE) }), 200);
  await ok(ana.call('POST', `/v1/conversations/${conversation.id}/messages`, { direction: 'outbound', body: 'we are on it' }), 201);
  assert.deepEqual(await ids('snoozed'), [conversation.id], 'a reply leaves it snoozed');
  const { message } = await ok(ws.api('POST', `/v1/conversations/${conversation.id}/messages`, { direction: 'inbound', body: 'any news?' }), 201);
  assert.deepEqual(await ids('snoozed'), []);
  assert.deepEqual(await ids('unread'), [conversation.id]);
  const woke = (await events()).at(-1);
  assert.equal(woke.type, 'woke');
  assert.equal(woke.data.reason, 'inbound_message');
  assert.equal(woke.data.messageId, message.id);
});

test('until: null wakes it by hand; snoozing again moves the time; a no-op changes nothing', async (t) => {
  const { server, ana, conversation, at, ids, events } = await setup(t);
  const first = at(MINUTE);
  const second = at(2 * MINUTE);
  const a = await ok(ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until: first }), 200);
  const b = await ok(ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until: second }), 200);
  const same = await ok(ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until: second }), 200);
  assert.equal(same.conversation.version, b.conversation.version);
  assert.equal(b.conversation.version, a.conversation.version + 1);
  server.clock!.advance(MINUTE);
  assert.equal(await server.server.snoozes.wakeDue(), 0, 'the first time no longer applies');
  const woken = await ok(ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until: null }), 200);
  assert.equal(woken.conversation.snoozedUntil, null);
  assert.deepEqual(await ids('mine'), [conversation.id]);
  const again = await ok(ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until: null }), 200);
  assert.equal(again.conversation.version, woken.conversation.version, 'waking an awake conversation changes nothing');
  assert.deepEqual((await events()).map((e: any) => [e.type, e.data.reason ?? e.data.from]), [
    ['snoozed', null],
    ['snoozed', first],
    ['woke', 'manual'],
  ]);
});

test('until in the past, now, or more than a year ahead is a 400 on until; a resolved conversation is a 409; nothing changes', async (t) => {
  const { ana, conversation, at, ids, events } = await setup(t);
  for (const until of [at(-MINUTE), at(0), at(366 * 24 * 60 * MINUTE)]) {
    const res = await ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until });
    assert.equal(res.status, 400, until);
    assert.deepEqual(res.body.error.details[0].path, ['until']);
  }
  await ok(ana.call('POST', `/v1/conversations/${conversation.id}/resolve`), 200);
  const res = await ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until: at(MINUTE) });
  assert.equal(res.status, 409);
  assert.deepEqual(await ids('snoozed'), []);
  assert.deepEqual(await events(), []);
});

test('If-Match: a stale version gets 409 with the current conversation', async (t) => {
  const { ana, conversation, at } = await setup(t);
  const current = (await ok(ana.call('GET', `/v1/conversations/${conversation.id}`), 200)).conversation;
  const res = await ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until: at(MINUTE) }, { 'if-match': `"${current.version - 1}"` });
  assert.equal(res.status, 409);
  assert.deepEqual(res.body.error.details.conversation, current);
});

test('a snooze survives a restart: its time is stored, and the next server wakes it', async (t) => {
  const db = tempDbFile(t, 'snooze');
  const first = await TestServer.start({ db });
  const ws = await first.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'hi' } }), 201);
  const until = new Date(first.clock!.now() + MINUTE).toISOString();
  await ok(ana.call('POST', `/v1/conversations/${conversation.id}/snooze`, { until }), 200);
  await first.close();

  const second = await TestServer.startFor(t, { db });
  second.clock!.advance(2 * MINUTE);
  await second.server.snoozes.idle();
  await second.server.snoozes.wakeDue();
  const res = await second.request('GET', `/v1/conversations/${conversation.id}`, { token: ws.apiKey });
  assert.equal(res.body.conversation.snoozedUntil, null);
});
