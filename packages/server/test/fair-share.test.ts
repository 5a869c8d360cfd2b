import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test, type TestContext } from 'node:test';
import { KeyedSlots } from '../src/http/fair-share.js';
import { TestServer, expectStatus as ok, turnsUntil } from '../src/testing.js';

// Each workspace's requests share a bounded number of places in the handlers (http/fair-share.ts),
// so a tenant flooding the API from many connections cannot crowd out another tenant's requests.

/**
 * A server whose host route `/v1/held` (a host adds routes of its own, as the demo CRM does) stays
 * in its handler until the test lets it go, and whose `/v1/fails` throws.
 */
async function serverWithHeldRoute(t: TestContext, requestsInFlightPerWorkspace: number) {
  const held = { entered: 0, releases: [] as (() => void)[], releasing: false };
  // Whatever happens, nothing stays held: the server's close waits for its handlers.
  t.after(() => {
    held.releasing = true;
    while (held.releases.length > 0) held.releases.shift()!();
  });
  const server = await TestServer.startFor(t, {
    limits: { requestsInFlightPerWorkspace },
    extend: (app) => {
      app.post('/v1/held', async (c) => {
        held.entered++;
        if (!held.releasing) await new Promise<void>((resolve) => held.releases.push(resolve));
        return c.json({ ok: true, body: await c.req.text() });
      });
      app.post('/v1/fails', () => {
        throw new Error('a handler that fails');
      });
    },
  });
  return { server, held };
}

test('slots: at most the limit per key, the rest in arrival order; a waiter that leaves is skipped; other keys unaffected; nothing kept once idle', async () => {
  const slots = new KeyedSlots(2);
  const order: string[] = [];
  const stays = new AbortController().signal;
  assert.equal(slots.tryAcquire('a'), true);
  assert.equal(slots.tryAcquire('a'), true);
  assert.equal(slots.tryAcquire('a'), false, 'both of a’s slots are held');
  const third = slots.waitFor('a', stays).then((got) => order.push(`third ${got}`));
  const leaving = new AbortController();
  const gone = slots.waitFor('a', leaving.signal).then((got) => order.push(`gone ${got}`));
  const fourth = slots.waitFor('a', stays).then((got) => order.push(`fourth ${got}`));
  assert.equal(slots.tryAcquire('b'), true, 'another key does not wait');
  assert.deepEqual(slots.state('a'), { held: 2, waiting: 3 });
  leaving.abort();
  await gone;
  assert.deepEqual(slots.state('a'), { held: 2, waiting: 2 }, 'the one that left waits no more');
  slots.release('a');
  await third;
  assert.deepEqual(slots.state('a'), { held: 2, waiting: 1 }, 'the released slot was passed on');
  slots.release('a');
  await fourth;
  assert.deepEqual(order, ['gone false', 'third true', 'fourth true'], 'in arrival order, skipping the one that left');
  slots.release('a');
  slots.release('a');
  slots.release('b');
  assert.deepEqual([slots.state('a'), slots.state('b')], [{ held: 0, waiting: 0 }, { held: 0, waiting: 0 }]);
});

test('through the server: a workspace past its places waits, another workspace is served meanwhile, and a slow upload holds no place', async (t) => {
  const { server, held } = await serverWithHeldRoute(t, 2);
  const a = await server.createWorkspace('Flooding');
  const b = await server.createWorkspace('Quiet');
  const slots = server.server.deps.requestSlots;
  const a1 = server.request('POST', '/v1/held', { token: a.apiKey, body: { n: 1 } });
  const a2 = server.request('POST', '/v1/held', { token: a.apiKey, body: { n: 2 } });
  await turnsUntil(() => held.entered === 2, 'two of A’s requests in their handler');
  const a3 = server.request('POST', '/v1/held', { token: a.apiKey, body: { n: 3 } });
  await turnsUntil(() => slots.state(a.id).waiting === 1, 'A’s third request waits for a place');

  // B is not behind A's queue: its create goes through while A's places are all taken.
  await ok(b.api('POST', '/v1/conversations', { channel: 'sms', contact: { name: 'Rui' }, message: { body: 'hello' } }), 201);
  assert.equal(held.entered, 2, 'A’s third is still waiting');

  // An upload still arriving holds no place: its body is read before it waits.
  const url = new URL(server.url);
  const upload = connect(Number(url.port), url.hostname);
  const uploadAnswer = new Promise<string>((resolve) => {
    let text = '';
    upload.on('data', (chunk) => (text += chunk));
    upload.on('end', () => resolve(text));
  });
  const body = JSON.stringify({ n: 4 });
  upload.write(`POST /v1/held HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${a.apiKey}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body.slice(0, 3)}`);
  held.releases.shift()!(); // A's first leaves: its place goes to the third, not to the upload
  assert.equal((await ok(a1, 200)).ok, true);
  await turnsUntil(() => held.entered === 3, 'A’s third request got the place');
  assert.deepEqual(slots.state(a.id), { held: 2, waiting: 0 }, 'the upload still arriving neither holds nor waits for a place');
  upload.write(body.slice(3));
  await turnsUntil(() => slots.state(a.id).waiting === 1, 'the finished upload waits for a place');

  held.releases.shift()!();
  await ok(a2, 200);
  await turnsUntil(() => held.entered === 4, 'the upload got the place');
  while (held.releases.length > 0) held.releases.shift()!();
  assert.equal((await ok(a3, 200)).ok, true);
  assert.match(await uploadAnswer, /"body":"\{\\"n\\":4\}"/);
  assert.deepEqual(slots.state(a.id), { held: 0, waiting: 0 }, 'every place handed back');

  // A failing handler gives its place back too (with one kept, the third of these would wait forever).
  for (let i = 0; i < 3; i++) {
    assert.equal((await server.request('POST', '/v1/fails', { token: a.apiKey, body: {} })).status, 500);
    assert.deepEqual(slots.state(a.id), { held: 0, waiting: 0 });
  }
});

test('through the server: a request whose client leaves while it waits does not run', async (t) => {
  const { server, held } = await serverWithHeldRoute(t, 1);
  const a = await server.createWorkspace('Acme');
  const slots = server.server.deps.requestSlots;
  const first = server.request('POST', '/v1/held', { token: a.apiKey, body: {} });
  await turnsUntil(() => held.entered === 1, 'the first request holds the place');

  const url = new URL(server.url);
  const client = connect(Number(url.port), url.hostname);
  client.on('error', () => {});
  client.write(`POST /v1/held HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${a.apiKey}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`);
  await turnsUntil(() => slots.state(a.id).waiting === 1, 'the second request waits');
  client.destroy();
  await turnsUntil(() => slots.state(a.id).waiting === 0, 'it stops waiting once its client has gone');

  held.releases.shift()!();
  await ok(first, 200);
  assert.deepEqual(slots.state(a.id), { held: 0, waiting: 0 });
  assert.equal(held.entered, 1, 'the abandoned request never reached its handler');
  // The place is free for the next one.
  held.releasing = true;
  await ok(server.request('POST', '/v1/held', { token: a.apiKey, body: {} }), 200);
  assert.equal(held.entered, 2);
});
