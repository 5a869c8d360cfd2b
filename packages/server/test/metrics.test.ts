import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { serverOptionsFromEnv } from '../src/env-options.js';
import type { AccessEntry } from '../src/http/observe.js';
import { LOOPBACK_DESTINATIONS, TestServer, expectStatus as ok, tempDbFile } from '../src/testing.js';

// Operations (DESIGN §9): `GET /metrics` for Prometheus behind its own token, a request id on
// every answer, and the access log. Everything is read back the way an operator's tools read it:
// the exposition text over HTTP, the response headers, the log lines.

const METRICS_TOKEN = 'metrics-token-for-the-tests-0123456789';

/** One scrape, parsed into `name{labels}` → value (buckets left out). */
async function scrape(server: TestServer): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

async function startWithMetrics(t: TestContext, more: Parameters<typeof TestServer.startFor>[1] = {}) {
  const server = await TestServer.startFor(t, { metricsToken: METRICS_TOKEN, ...more });
  const ws = await server.createWorkspace();
  return { server, ws };
}

describe('GET /metrics', () => {
  it('is off without a metrics token, and takes only that token when on', async (t) => {
    const off = await TestServer.startFor(t);
    const refused = await off.request('GET', '/metrics', { token: 'anything' });
    assert.equal(refused.status, 404);
    assert.match(refused.body.error.message, /BATON_METRICS_TOKEN/);

    const { server, ws } = await startWithMetrics(t);
    for (const token of [undefined, 'wrong', ws.apiKey, 'test-admin-token']) {
      const res = await server.request('GET', '/metrics', token === undefined ? {} : { token });
      assert.equal(res.status, 401, `token ${token}`);
      assert.equal(res.body.error.code, 'unauthorized');
    }
    assert.ok((await scrape(server)).has('process_cpu_seconds_total'), "the process's own figures come with the server's");
  });

  it('counts requests by route pattern and status, never by id', async (t) => {
    const { server, ws } = await startWithMetrics(t);
    const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Ada' }, channel: 'email', message: { body: 'hello' } }), 201);
    await ok(ws.api('GET', `/v1/conversations/${conversation.id}/timeline`), 200);
    await ok(ws.api('GET', '/v1/conversations/conv_nope'), 404);
    assert.equal((await server.request('GET', `/v1/conversations/${conversation.id}`, { token: 'not-a-credential' })).status, 401);
    assert.equal((await ws.api('POST', '/v1/conversations', { channel: 'email' })).status, 400);
    assert.equal((await server.request('GET', '/no/such/page')).status, 404);

    const samples = await scrape(server);
    assert.equal(samples.get('baton_http_requests_total{method="POST",route="/v1/conversations",status="201"}'), 1);
    assert.equal(samples.get('baton_http_requests_total{method="POST",route="/v1/conversations",status="400"}'), 1);
    assert.equal(samples.get('baton_http_requests_total{method="GET",route="/v1/conversations/:id/timeline",status="200"}'), 1);
    assert.equal(samples.get('baton_http_requests_total{method="GET",route="/v1/conversations/:id",status="404"}'), 1);
    assert.equal(samples.get('baton_http_requests_total{method="GET",route="/v1/conversations/:id",status="401"}'), 1, 'refused by the auth middleware, counted under the route asked for');
    assert.equal(samples.get('baton_http_requests_total{method="GET",route="(none)",status="404"}'), 1);
    assert.equal(samples.get('baton_http_request_duration_seconds_count{method="POST",route="/v1/conversations"}'), 2);
    assert.ok(samples.get('baton_http_request_duration_seconds_sum{method="POST",route="/v1/conversations"}')! > 0);
    const labels = [...samples.keys()].join('\n');
    assert.ok(!labels.includes(conversation.id) && !labels.includes(ws.id), 'no label names a conversation or a workspace');
  });

  it('reports delivery attempts by outcome, and the jobs still waiting and how late they are', async (t) => {
    let answers = 0;
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = answers++ === 0 ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const { server, ws } = await startWithMetrics(t, { privateDestinations: LOOPBACK_DESTINATIONS });
    server.server.deps.jobs.stop();
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await ok(ws.api('POST', '/v1/webhooks', { url, events: ['conversation.created'] }), 201);

    const quiet = await scrape(server);
    for (const kind of ['email', 'push', 'webhook']) assert.equal(quiet.get(`baton_delivery_pending{kind="${kind}"}`), 0, `${kind} has a series at 0`);

    await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Ada' }, channel: 'email' }), 201);
    await server.settle();
    server.clock!.advance(90_000);
    const queued = await scrape(server);
    assert.equal(queued.get('baton_delivery_pending{kind="webhook"}'), 1);
    assert.equal(queued.get('baton_delivery_overdue_seconds{kind="webhook"}'), 90, 'due when enqueued, 90 s ago on the clock');

    await server.server.deps.jobs.runDue();
    const failedOnce = await scrape(server);
    assert.equal(failedOnce.get('baton_delivery_attempts_total{kind="webhook",outcome="retrying"}'), 1);
    assert.equal(failedOnce.get('baton_delivery_pending{kind="webhook"}'), 1, 'waiting for its retry');
    assert.equal(failedOnce.get('baton_delivery_overdue_seconds{kind="webhook"}'), 0, 'its retry is not due yet');

    server.clock!.advance(5_000);
    await server.server.deps.jobs.runDue();
    const delivered = await scrape(server);
    assert.equal(delivered.get('baton_delivery_attempts_total{kind="webhook",outcome="delivered"}'), 1);
    assert.equal(delivered.get('baton_delivery_pending{kind="webhook"}'), 0);
    assert.equal(answers, 2);
  });

  it('shows the routing queue and how long its oldest conversation has waited', async (t) => {
    const { server, ws } = await startWithMetrics(t);
    const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
    const maria = await ws.addAgent('maria', { skills: ['es'], availability: 'away', capacity: 1 });
    const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Bilingual', memberIds: [maria.id] }), 201);
    const { workflow } = await ok(
      boss.call('POST', '/v1/workflows', {
        name: 'Everyone to Bilingual',
        trigger: { event: 'conversation.created' },
        conditions: { all: [] },
        actions: [{ type: 'assign', steps: [{ pool: { team: team.id }, strategy: 'round_robin', skipIfNoneAvailable: true }] }],
      }),
      201,
    );
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    assert.equal((await scrape(server)).get('baton_routing_waiting'), 0);

    await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'José' }, channel: 'sms' }), 201);
    await server.advance(60_000);
    await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Inés' }, channel: 'sms' }), 201);
    await server.settle();
    const waiting = await scrape(server);
    assert.equal(waiting.get('baton_routing_waiting'), 2);
    assert.equal(waiting.get('baton_routing_oldest_wait_seconds'), 60);

    await ok(maria.call('PATCH', `/v1/agents/${maria.id}`, { availability: 'online' }), 200);
    await server.advance(5_000);
    const drained = await scrape(server);
    assert.equal(drained.get('baton_routing_waiting'), 1, 'maria (capacity 1) took the oldest');
    assert.equal(drained.get('baton_routing_oldest_wait_seconds'), 5, "Inés's wait is now the oldest");
  });

  it("shows each outbox consumer's backlog and the sockets open on the node", async (t) => {
    // Two nodes on one database file: node B's changes reach node A's consumers only through A's
    // poll of the outbox, which waits for A's clock.
    const db = tempDbFile(t);
    const a = await TestServer.startFor(t, { db, metricsToken: METRICS_TOKEN });
    const b = await TestServer.startFor(t, { db });
    const ws = await b.createWorkspace();
    const ana = await ws.addAgent('ana');
    await a.advance(1_000, 1_000);
    await a.connect(ana.token);
    const before = await scrape(a);
    assert.equal(before.get('baton_sockets'), 1);
    assert.equal(before.get('baton_storage_unavailable'), 0);
    assert.equal(before.get('baton_outbox_behind{consumer="workflows"}'), 0);

    for (let i = 0; i < 3; i++) await ok(ws.api('POST', '/v1/conversations', { contact: { name: `C${i}` }, channel: 'email' }), 201);
    const behind = await scrape(a);
    assert.equal(behind.get('baton_outbox_behind{consumer="workflows"}'), 3, "node B's three conversation.created changes, not yet read by node A");
    assert.equal(behind.get('baton_outbox_behind{consumer="socket-fanout"}'), 3);

    await a.advance(1_000, 1_000);
    const caughtUp = await scrape(a);
    for (const [name, value] of caughtUp) if (name.startsWith('baton_outbox_behind')) assert.equal(value, 0, name);
  });
});

describe('request ids and the access log', () => {
  it("answers every request with an id: the caller's own when it is a plain token, a fresh one otherwise", async (t) => {
    const { server, ws } = await startWithMetrics(t);
    const own = await ws.api('GET', '/v1/conversations', undefined, { 'x-request-id': 'crm-7f3a.42' });
    assert.equal(own.headers.get('x-request-id'), 'crm-7f3a.42');
    const odd = await ws.api('GET', '/v1/conversations', undefined, { 'x-request-id': 'has spaces and "quotes"' });
    const fresh = await ws.api('GET', '/v1/conversations');
    const failed = await ws.api('POST', '/v1/conversations', { channel: 'email' });
    assert.equal(failed.status, 400);
    const ids = [odd, fresh, failed].map((r) => r.headers.get('x-request-id'));
    for (const id of ids) assert.match(id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    assert.equal(new Set(ids).size, 3);
    const preflight = await fetch(`${server.url}/v1/conversations`, { headers: { origin: 'https://crm.example.com', authorization: `Bearer ${ws.apiKey}` } });
    assert.match(preflight.headers.get('access-control-expose-headers') ?? '', /X-Request-Id/i, 'a page embedding the inbox can read it');
  });

  it('writes one line per answered request, without query strings, naming the workspace and the kind of caller', async (t) => {
    const entries: AccessEntry[] = [];
    const { server, ws } = await startWithMetrics(t, { accessLog: (entry) => entries.push(entry) });
    const ana = await ws.addAgent('ana');
    entries.length = 0;
    await ok(ana.call('GET', '/v1/search?q=my%20card%20number%204242', undefined, { 'x-request-id': 'search-1' }), 200);
    assert.equal((await server.request('GET', '/v1/conversations', { token: 'bad' })).status, 401);

    assert.equal(entries.length, 2);
    const [search, refused] = entries;
    assert.equal(search!.path, '/v1/search');
    assert.ok(!JSON.stringify(entries).includes('4242'), "the customer's words in the query are not logged");
    assert.deepEqual(
      { requestId: search!.requestId, method: search!.method, route: search!.route, status: search!.status, caller: search!.caller, workspaceId: search!.workspaceId },
      { requestId: 'search-1', method: 'GET', route: '/v1/search', status: 200, caller: 'agent', workspaceId: ws.id },
    );
    assert.ok(search!.ms >= 0 && Number.isFinite(Date.parse(search!.time)));
    assert.equal(refused!.status, 401);
    assert.equal(refused!.workspaceId, undefined);
  });

  it('reads BATON_METRICS_TOKEN and BATON_ACCESS_LOG from the environment, and refuses a value it cannot read', () => {
    assert.equal(serverOptionsFromEnv({ BATON_METRICS_TOKEN: 'abc' }).metricsToken, 'abc');
    assert.equal(serverOptionsFromEnv({}).metricsToken, undefined);
    assert.equal(typeof serverOptionsFromEnv({ BATON_ACCESS_LOG: '1' }).accessLog, 'function');
    assert.equal(serverOptionsFromEnv({ BATON_ACCESS_LOG: '0' }).accessLog, undefined);
    assert.equal(serverOptionsFromEnv({ BATON_ACCESS_LOG: '' }).accessLog, undefined);
    assert.throws(() => serverOptionsFromEnv({ BATON_ACCESS_LOG: 'yes please' }), /BATON_ACCESS_LOG must be 1 or 0/);
  });
});

describe('a scrape while the database is away', () => {
  it("leaves out what it could not read, and still answers with the rest", async () => {
    const { createMetrics, registerGauges, scrape: exposition } = await import('../src/metrics.js');
    const metrics = createMetrics();
    const away = () => Promise.reject(new Error('connect ECONNREFUSED'));
    registerGauges(metrics, { sockets: () => 4, unavailable: () => 1, outboxBehind: away, pendingJobs: away, routingWaits: away });
    const { text } = await exposition(metrics);
    assert.match(text, /^baton_sockets 4$/m);
    assert.match(text, /^baton_storage_unavailable 1$/m);
    assert.match(text, /^baton_routing_waiting nan$/im, 'unknown (NaN, as prom-client spells it "Nan"), not 0');
    assert.doesNotMatch(text, /^baton_delivery_pending\{/m);
    assert.doesNotMatch(text, /^baton_outbox_behind\{/m);
  });
});
