import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { LOOPBACK_DESTINATIONS, TestServer, tempDbFile, expectStatus as ok, type TestAgent, type TestWorkspace } from '../src/testing.js';
import { startServer, type ServerOptions } from '../src/server.js';
import type { HostResolver } from '../src/net/destinations.js';

/**
 * Outbound destinations (DESIGN §7a): webhook URLs and push endpoints on loopback, private,
 * link-local and other non-public addresses are refused when they are stored, and again when the
 * server connects, on the address it connects to, unless the operator allows them with
 * BATON_PRIVATE_DESTINATIONS. Every receiver here is on loopback; nothing else is ever connected to.
 */

/** Every form of a non-public address a tenant might try, as a URL host. */
const REFUSED_HOSTS: [what: string, host: string][] = [
  ['IPv4 loopback', '127.0.0.1'],
  ['another loopback address', '127.8.9.10'],
  ['short loopback form', '127.1'],
  ['decimal loopback', '2130706433'],
  ['hex loopback', '0x7f.1'],
  ['octal loopback', '0177.0.0.1'],
  ['localhost', 'localhost'],
  ['localhost, upper case, trailing dot', 'LOCALHOST.'],
  ['a name under .localhost', 'api.localhost'],
  ['cloud metadata by name (.internal)', 'metadata.google.internal'],
  ['a multicast DNS name (.local)', 'printer.local'],
  ['a home network name (.home.arpa)', 'Router.Home.Arpa.'],
  ['IPv6 loopback', '[::1]'],
  ['IPv4-mapped loopback', '[::ffff:127.0.0.1]'],
  ['IPv4-mapped loopback, hex', '[::ffff:7f00:1]'],
  ['IPv4-compatible loopback', '[::127.0.0.1]'],
  ['cloud metadata (link-local)', '169.254.169.254'],
  ['IPv4-mapped metadata', '[::ffff:169.254.169.254]'],
  ['private 10/8', '10.0.0.1'],
  ['private 172.16/12', '172.16.5.4'],
  ['private 192.168/16', '192.168.1.1'],
  ['shared address space (CGNAT)', '100.64.0.1'],
  ['unspecified', '0.0.0.0'],
  ['unspecified, decimal', '0'],
  ['IPv6 unspecified', '[::]'],
  ['multicast', '224.0.0.1'],
  ['IPv6 multicast', '[ff02::1]'],
  ['broadcast', '255.255.255.255'],
  ['reserved (class E)', '240.0.0.1'],
  ['documentation range', '192.0.2.10'],
  ['IPv6 link-local', '[fe80::1]'],
  ['IPv6 unique-local', '[fd12:3456::1]'],
  ['NAT64 to a private address', '[64:ff9b::a00:1]'],
];

const browser = createECDH('prime256v1');
browser.generateKeys();
const PUSH_KEYS = { p256dh: browser.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };

/** A loopback HTTP receiver that counts connections (not just requests) and answers 201. */
async function receiver(t: TestContext) {
  const seen = { connections: 0, requests: [] as { url: string; headers: IncomingHttpHeaders }[] };
  const server = createServer((req, res) => {
    seen.requests.push({ url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => res.writeHead(201).end());
  });
  server.on('connection', () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { port: (server.address() as AddressInfo).port, seen };
}

async function fixture(t: TestContext, options: ServerOptions = {}) {
  const server = await TestServer.startFor(t, options);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const step = async () => {
    await server.server.deps.relay.drain();
    await server.server.deps.jobs.runDue();
  };
  return { server, ws, ana, ben, step };
}

const createHook = (ws: TestWorkspace, url: string) => ws.api('POST', '/v1/webhooks', { url, events: ['conversation.created', 'note.created'] });
const subscribePush = (agent: TestAgent, endpoint: string) => agent.call('POST', '/v1/push-subscriptions', { endpoint, keys: PUSH_KEYS });

function assertRefused(res: { status: number; body: any }, path: string, what: string) {
  assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error.code, 'destination_not_allowed', what);
  assert.match(res.body.error.message, /BATON_PRIVATE_DESTINATIONS/, what);
  assert.equal(res.body.error.details.length, 1, what);
  assert.deepEqual(res.body.error.details[0].path, [path], what);
  assert.equal(typeof res.body.error.details[0].message, 'string', what);
}

test('non-public webhook URLs and push endpoints are refused at creation, in every spelling, and nothing is stored', async (t) => {
  const { ws, ben } = await fixture(t);
  for (const [what, host] of REFUSED_HOSTS) {
    assertRefused(await createHook(ws, `http://${host}:8080/hooks`), 'url', `webhook, ${what}`);
    assertRefused(await subscribePush(ben, `https://${host}/push/abc`), 'endpoint', `push, ${what}`);
  }
  // The message says what the address is.
  const metadata = await createHook(ws, 'http://169.254.169.254/latest/meta-data');
  assert.match(metadata.body.error.details[0].message, /169\.254\.169\.254, a link-local address/);
  const decimal = await createHook(ws, 'http://2130706433/');
  assert.match(decimal.body.error.details[0].message, /127\.0\.0\.1, a loopback address/, 'judged as the address it means');

  assert.deepEqual((await ok(ws.api('GET', '/v1/webhooks'), 200)).items, []);
  for (const [, host] of REFUSED_HOSTS.slice(0, 3)) {
    assert.deepEqual((await ben.call('DELETE', '/v1/push-subscriptions', { endpoint: `https://${host}/push/abc` })).body, { deleted: false });
  }
  // Public addresses and names are fine (names are checked when connecting, not here).
  await ok(createHook(ws, 'https://hooks.example.com/baton'), 201);
  await ok(createHook(ws, 'http://93.184.215.14/hook'), 201);
  await ok(subscribePush(ben, 'https://fcm.googleapis.com/fcm/send/abc'), 201);
  await ok(subscribePush(ben, 'https://[2606:4700::1111]/push'), 201);
});

test('the operator allows private destinations by CIDR or with *', async (t) => {
  const loopback = await fixture(t, { privateDestinations: '127.0.0.0/8' });
  await ok(createHook(loopback.ws, 'http://127.0.0.1:9/hook'), 201);
  await ok(createHook(loopback.ws, 'http://2130706433:9/hook'), 201);
  await ok(createHook(loopback.ws, 'http://[::ffff:127.0.0.1]:9/hook'), 201);
  await ok(createHook(loopback.ws, 'http://localhost:9/hook'), 201);
  // With a private range allowed, a private network's name is the delivery's to judge, on the address it resolves to.
  await ok(createHook(loopback.ws, 'http://hooks.corp.internal/baton'), 201);
  await ok(subscribePush(loopback.ben, 'http://127.0.0.1:9/push'), 201);
  assertRefused(await createHook(loopback.ws, 'http://10.0.0.1/hook'), 'url', 'outside the allowed range');
  assertRefused(await createHook(loopback.ws, 'http://[::1]:9/hook'), 'url', 'IPv6 loopback is not in 127.0.0.0/8');
  assertRefused(await subscribePush(loopback.ben, 'http://169.254.169.254/push'), 'endpoint', 'outside the allowed range');

  const several = await fixture(t, { privateDestinations: ' 10.0.0.0/8 , fd00::/8,192.168.1.7' });
  await ok(createHook(several.ws, 'http://10.1.2.3/hook'), 201);
  await ok(createHook(several.ws, 'http://[fd00::5]/hook'), 201);
  await ok(createHook(several.ws, 'http://192.168.1.7/hook'), 201);
  assertRefused(await createHook(several.ws, 'http://192.168.1.8/hook'), 'url', 'a bare address allows only itself');
  assertRefused(await createHook(several.ws, 'http://127.0.0.1/hook'), 'url', 'loopback was not listed');

  // Creation only: these tests never send anything to a private network.
  const everything = await fixture(t, { privateDestinations: '*' });
  await ok(createHook(everything.ws, 'http://10.0.0.1/hook'), 201);
  await ok(createHook(everything.ws, 'http://169.254.169.254/hook'), 201);
  await ok(subscribePush(everything.ben, 'http://[::1]/push'), 201);
});

test('a malformed BATON_PRIVATE_DESTINATIONS stops the server with a message naming it', async () => {
  for (const bad of ['10.0.0.0/33', 'intranet', '10.0.0.0/8;fd00::/8', '127.0.0.1/8/8']) {
    await assert.rejects(startServer({ privateDestinations: bad }), (error: Error) => /BATON_PRIVATE_DESTINATIONS/.test(error.message) && error.message.includes(bad.split(/[,;]/)[0]!.trim()), bad);
  }
});

/** A resolver for names under `.baton.test` only; anything else is a test bug. */
function resolverFor(table: Record<string, string[]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

test('at delivery the resolved address is checked: a name that resolves to loopback is never connected to', async (t) => {
  const target = await receiver(t);
  const resolveHost = resolverFor({
    'hooks.baton.test': ['127.0.0.1'],
    'push.baton.test': ['::1'],
    // One allowed address among refused ones is still refused: the name is not trusted.
    'mixed.baton.test': ['127.0.0.2', '127.0.0.1'],
  });
  const { ws, ana, ben, step, server } = await fixture(t, { resolveHost, privateDestinations: '127.0.0.2/32' });
  const hook = (await ok(createHook(ws, `http://hooks.baton.test:${target.port}/hook`), 201)).webhook;
  const mixed = (await ok(createHook(ws, `http://mixed.baton.test:${target.port}/hook`), 201)).webhook;
  await ok(subscribePush(ben, `http://push.baton.test:${target.port}/push/ben`), 201);

  const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'hi' } }), 201);
  await ok(ana.call('POST', `/v1/conversations/${conversation.id}/notes`, { body: '@ben look' }), 201);
  await step();
  server.clock!.advance(24 * 3600_000);
  await step();

  assert.equal(target.seen.connections, 0, 'the receiver was connected to');
  assert.ok(resolveHost.calls.includes('hooks.baton.test') && resolveHost.calls.includes('push.baton.test'), 'names were resolved through the server');
  for (const [id, address] of [[hook.id, '127.0.0.1'], [mixed.id, '127.0.0.1']] as const) {
    const res = await ok(ws.api('GET', `/v1/webhooks/${id}/deliveries`), 200);
    assert.equal(res.items.length, 2);
    for (const d of res.items) {
      assert.equal(d.status, 'failed', 'a refused destination fails for good');
      assert.equal(d.attempts, 1, 'and is not retried');
      assert.equal(d.attemptLog[0].statusCode, null);
      assert.match(d.attemptLog[0].error, new RegExp(`resolves to ${address.replaceAll('.', '\\.')}, a loopback address`));
      assert.match(d.lastError, /BATON_PRIVATE_DESTINATIONS/);
    }
    assert.equal(res.circuit.state, 'closed', 'a refusal is not the destination failing');
    assert.equal(res.circuit.failures, 0);
  }
  const push = await server.server.deps.storage.db.selectFrom('jobs').select(['status', 'attempts', 'last_error']).where('kind', '=', 'push').execute();
  assert.deepEqual(push.map((j) => [j.status, Number(j.attempts)]), [['failed', 1]]);
  assert.match(push[0]!.last_error ?? '', /push\.baton\.test.*resolves to ::1, a loopback address.*BATON_PRIVATE_DESTINATIONS/);
});

test('with loopback allowed, a resolved name is delivered to the address the server resolved', async (t) => {
  const target = await receiver(t);
  const resolveHost = resolverFor({ 'hooks.baton.test': ['127.0.0.1'] });
  const { ws, step } = await fixture(t, { resolveHost, privateDestinations: LOOPBACK_DESTINATIONS });
  const hook = (await ok(createHook(ws, `http://hooks.baton.test:${target.port}/hook`), 201)).webhook;
  await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms' }), 201);
  await step();
  assert.equal(target.seen.requests.length, 1);
  assert.equal(target.seen.requests[0]!.headers.host, `hooks.baton.test:${target.port}`, 'sent to the name, connected to what it resolved to');
  assert.equal((await ok(ws.api('GET', `/v1/webhooks/${hook.id}/deliveries`), 200)).items[0].status, 'done');
});

test('an endpoint stored while loopback was allowed is refused at delivery once it no longer is', async (t) => {
  const db = tempDbFile(t, 'destinations');
  const target = await receiver(t);
  const first = await TestServer.start({ db, privateDestinations: LOOPBACK_DESTINATIONS });
  let current = first;
  t.after(() => current.close());
  const ws = await first.createWorkspace('Acme');
  const hook = (await ok(createHook(ws, `http://127.0.0.1:${target.port}/hook`), 201)).webhook;
  await first.close();

  const second = await TestServer.start({ db });
  current = second;
  const api = (method: string, path: string, body?: unknown) => second.request(method, path, { token: ws.apiKey, body });
  await ok(api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms' }), 201);
  await second.server.deps.relay.drain();
  await second.server.deps.jobs.runDue();
  assert.equal(target.seen.connections, 0);
  const [delivery] = (await ok(api('GET', `/v1/webhooks/${hook.id}/deliveries`), 200)).items;
  assert.equal(delivery.status, 'failed');
  assert.match(delivery.lastError, /127\.0\.0\.1, a loopback address/);
});
