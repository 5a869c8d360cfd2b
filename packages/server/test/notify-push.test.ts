import assert from 'node:assert/strict';
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import * as ece from 'http_ece';
import { importJWK, jwtVerify } from 'jose';
import { LOOPBACK_DESTINATIONS, TestServer, tempDbFile, type TestAgent, type TestWorkspace } from '../src/testing.js';

/**
 * Web Push end to end: a loopback HTTP server stands in for the browser vendor's push service,
 * subscriptions carry real P-256 key pairs made here, and what arrives is decrypted with them
 * (RFC 8291, aes128gcm) and read, like a browser's service worker would.
 */

interface PushRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The push service: records every request; answers per path from a script (default 201). */
async function pushService(t: TestContext) {
  const requests: PushRequest[] = [];
  const script = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
      const status = script.get(path)?.shift() ?? 201;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    to: (path: string) => requests.filter((r) => r.path === path),
    /** The next answers for a path, in order. */
    answer: (path: string, ...statuses: number[]) => script.set(path, statuses),
  };
}

/** A browser's side of a subscription: its key pair and auth secret. */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, json: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
}

const decrypt = (body: Buffer, keys: { ecdh: ECDH; auth: Buffer }) =>
  JSON.parse(ece.decrypt(body, { version: 'aes128gcm', privateKey: keys.ecdh, authSecret: keys.auth }).toString('utf8'));

const CONTACT = { name: 'Dana Whitfield', phone: '+15557654321', email: 'dana.whitfield@customer.example' };

async function setup(t: TestContext, options: { db?: string } = {}) {
  const push = await pushService(t);
  const server = await TestServer.startFor(t, { privateDestinations: LOOPBACK_DESTINATIONS, ...(options.db ? { db: options.db } : {}) });
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const step = async () => {
    await server.server.deps.relay.drain();
    await server.server.deps.jobs.runDue();
  };
  return { push, server, ws, ana, ben, step, clock: server.clock! };
}

async function subscribe(agent: TestAgent, endpoint: string, keys = browserKeys()) {
  const res = await agent.call('POST', '/v1/push-subscriptions', { endpoint, expirationTime: null, keys: keys.json });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { keys, subscription: res.body.subscription as { id: string; endpoint: string } };
}

async function conversation(ws: TestWorkspace) {
  const res = await ws.api('POST', '/v1/conversations', { contact: CONTACT, channel: 'sms', message: { body: 'my order 7781 never arrived' } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.conversation as { id: string };
}

async function mention(from: TestAgent, conversationId: string, body = '@ben NOTE-SECRET-4242 please call back') {
  const res = await from.call('POST', `/v1/conversations/${conversationId}/notes`, { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

test('a mention is pushed, encrypted for the subscription and signed with VAPID, without customer data', async (t) => {
  const { push, ws, ana, ben, step } = await setup(t);
  await ws.api('PATCH', '/v1/workspace', { linkTemplate: 'https://crm.example/inbox/{conversationId}' });
  const { publicKey } = (await ben.call('GET', '/v1/push/public-key')).body;
  const { keys } = await subscribe(ben, `${push.base}/push/ben-laptop`);
  const conv = await conversation(ws);
  await mention(ana, conv.id);
  await step();

  assert.equal(push.requests.length, 1);
  const [req] = push.requests;
  assert.equal(req!.path, '/push/ben-laptop');
  assert.equal(req!.headers['content-encoding'], 'aes128gcm');
  assert.ok(Number(req!.headers.ttl) > 0, 'a TTL is set');
  assert.ok(!req!.body.includes(Buffer.from(conv.id)), 'the body is not plaintext');

  assert.deepEqual(decrypt(req!.body, keys), {
    type: 'mentioned',
    title: 'Ana mentioned you in a conversation',
    body: 'Conversation on sms',
    conversationId: conv.id,
    url: `https://crm.example/inbox/${conv.id}`,
  });
  assert.throws(() => decrypt(req!.body, browserKeys()), 'only the subscription’s keys open it');

  // VAPID (RFC 8292): `vapid t=<JWT>, k=<server public key>`, the JWT signed by that key for this origin.
  const auth = /^vapid t=([^,]+),\s*k=(\S+)$/.exec(req!.headers.authorization ?? '');
  assert.ok(auth, req!.headers.authorization);
  assert.equal(auth[2], publicKey);
  const raw = Buffer.from(publicKey, 'base64url');
  const jwk = { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') };
  const { payload } = await jwtVerify(auth[1]!, await importJWK(jwk, 'ES256'), { audience: push.base });
  assert.match(String(payload.sub), /^(mailto:|https:)/);
});

test('with snippets on, the push body is a short snippet of the note; contact details stay out', async (t) => {
  const { push, ws, ana, ben, step } = await setup(t);
  await ws.api('PATCH', '/v1/workspace', { notificationSnippets: true });
  const { keys } = await subscribe(ben, `${push.base}/push/ben`);
  const conv = await conversation(ws);
  await mention(ana, conv.id, `@ben SNIPPET-MARKER ${'y'.repeat(200)}`);
  await step();
  const message = decrypt(push.requests[0]!.body, keys);
  assert.ok(message.body.startsWith('@ben SNIPPET-MARKER'), message.body);
  assert.ok(message.body.length <= 120);
  assert.equal(message.url, null, 'no link template and no public URL: no link');
  const text = JSON.stringify(message);
  for (const secret of ['Dana', CONTACT.phone, CONTACT.email, '7781']) assert.ok(!text.includes(secret), secret);
});

test('410 Gone deletes the subscription and ends the job; other failures are retried', async (t) => {
  const { push, ws, ana, ben, step, clock, server } = await setup(t);
  push.answer('/push/gone', 410);
  push.answer('/push/flaky', 500, 201);
  await subscribe(ben, `${push.base}/push/gone`);
  const flaky = await subscribe(ben, `${push.base}/push/flaky`);
  const conv = await conversation(ws);
  await mention(ana, conv.id);
  await step();
  assert.equal(push.to('/push/gone').length, 1);
  assert.equal(push.to('/push/flaky').length, 1);

  clock.advance(5_000);
  await server.server.deps.jobs.runDue();
  assert.equal(push.to('/push/flaky').length, 2, 'the 500 was retried after the backoff delay');
  assert.deepEqual(decrypt(push.to('/push/flaky')[1]!.body, flaky.keys).conversationId, conv.id);
  clock.advance(3_600_000);
  await server.server.deps.jobs.runDue();
  assert.equal(push.to('/push/gone').length, 1, 'the 410 was not retried');
  assert.equal(push.to('/push/flaky').length, 2, 'the delivered one is done');
  const jobs = await server.server.deps.storage.db.selectFrom('jobs').select(['status', 'attempts', 'last_error']).where('kind', '=', 'push').orderBy('id').execute();
  const gone = jobs.filter((j) => /410/.test(j.last_error ?? ''));
  assert.deepEqual(gone.map((j) => [j.status, Number(j.attempts)]), [['failed', 1]], 'the 410 job ended after its one attempt');
  assert.deepEqual(
    jobs.filter((j) => !gone.includes(j)).map((j) => [j.status, Number(j.attempts)]),
    [['done', 2]],
    'the 500 one succeeded on its second',
  );

  const other = await conversation(ws);
  await mention(ana, other.id);
  await step();
  assert.equal(push.to('/push/gone').length, 1, 'the gone subscription was deleted');
  assert.equal(push.to('/push/flaky').length, 3, 'the live one still gets pushes');
});

test('push follows preferences, presence and the coalescing window', async (t) => {
  const { push, ws, ana, ben, step, server, clock } = await setup(t);
  await subscribe(ben, `${push.base}/push/ben`);
  const conv = await conversation(ws);

  await ben.call('PUT', '/v1/agents/me/preferences', { mentioned: { push: false } });
  await mention(ana, conv.id);
  await step();
  assert.equal(push.requests.length, 0, 'push off for mentions');

  assert.equal((await ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id })).status, 200);
  await step();
  assert.equal(push.requests.length, 1, 'assignments still pushed');

  await ana.call('POST', `/v1/conversations/${conv.id}/resolve`);
  await ana.call('POST', `/v1/conversations/${conv.id}/reopen`);
  await step();
  assert.equal(push.requests.length, 1, 'reopened is off for push by default');

  await ben.call('PUT', '/v1/agents/me/preferences', { mentioned: { push: true } });
  const { socket } = await server.connect(ben.token);
  assert.equal((await socket.timeout(2000).emitWithAck('presence:viewing', { conversationId: conv.id })).ok, true);
  await mention(ana, conv.id);
  await step();
  assert.equal(push.requests.length, 1, 'not while Ben has the conversation open');

  await socket.timeout(2000).emitWithAck('presence:viewing', { conversationId: null });
  await mention(ana, conv.id);
  await step();
  clock.advance(60_000);
  await mention(ana, conv.id);
  await step();
  assert.equal(push.requests.length, 2, 'two mentions a minute apart: one push');
});

test('push subscriptions: strict bodies, upsert per endpoint, delete, agent tokens only', async (t) => {
  const { push, ws, ana, ben, step } = await setup(t);
  const endpoint = `${push.base}/push/shared`;
  const good = browserKeys().json;
  for (const bad of [
    { endpoint, keys: good, extra: 1 },
    { endpoint: 'ftp://push.example/x', keys: good },
    { endpoint, keys: { ...good, p256dh: Buffer.alloc(65, 7).toString('base64url') } },
    { endpoint, keys: { ...good, auth: randomBytes(8).toString('base64url') } },
    { endpoint, keys: { p256dh: good.p256dh } },
    { endpoint },
  ]) {
    const res = await ben.call('POST', '/v1/push-subscriptions', bad);
    assert.equal(res.status, 400, JSON.stringify(bad));
  }
  assert.equal((await ws.api('POST', '/v1/push-subscriptions', { endpoint, keys: good })).status, 403);
  assert.equal((await ws.api('GET', '/v1/push/public-key')).status, 403);

  const first = await subscribe(ben, endpoint);
  const second = await subscribe(ben, endpoint); // the browser re-subscribed with new keys
  assert.equal(second.subscription.id, first.subscription.id, 'one subscription per agent and endpoint');
  const conv = await conversation(ws);
  await mention(ana, conv.id);
  await step();
  assert.equal(push.requests.length, 1);
  assert.equal(decrypt(push.requests[0]!.body, second.keys).conversationId, conv.id, 'encrypted with the refreshed keys');

  const del = await ben.call('DELETE', '/v1/push-subscriptions', { endpoint });
  assert.deepEqual(del.body, { deleted: true });
  assert.deepEqual((await ben.call('DELETE', '/v1/push-subscriptions', { endpoint })).body, { deleted: false });
  const other = await conversation(ws);
  await mention(ana, other.id);
  await step();
  assert.equal(push.requests.length, 1, 'nothing pushed after unsubscribing');

  // A shared computer: Ana subscribes the browser Ben used; Ben's pushes no longer go there.
  await subscribe(ben, endpoint);
  await subscribe(ana, endpoint);
  const third = await conversation(ws);
  await mention(ana, third.id);
  await step();
  assert.equal(push.requests.length, 1, "Ben's mention is not pushed to Ana's browser");
});

test('the VAPID key pair is generated once and survives a restart', async (t) => {
  const db = tempDbFile(t, 'vapid');
  const first = await setup(t, { db });
  const key1 = (await first.ben.call('GET', '/v1/push/public-key')).body.publicKey as string;
  const raw = Buffer.from(key1, 'base64url');
  assert.equal(raw.length, 65);
  assert.equal(raw[0], 0x04, 'an uncompressed P-256 point');
  assert.equal((await first.ana.call('GET', '/v1/push/public-key')).body.publicKey, key1);
  const token = first.ben.token;
  await first.server.close();

  const again = await TestServer.startFor(t, { db, privateDestinations: LOOPBACK_DESTINATIONS });
  const res = await again.request('GET', '/v1/push/public-key', { token });
  assert.equal(res.status, 200);
  assert.equal(res.body.publicKey, key1, 'same key after a restart on the same database');

  const elsewhere = await setup(t);
  assert.notEqual((await elsewhere.ben.call('GET', '/v1/push/public-key')).body.publicKey, key1, 'another database has its own key');
});
