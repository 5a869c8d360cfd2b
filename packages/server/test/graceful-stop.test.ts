import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { it } from 'node:test';
import { format } from 'node:util';
import type { BatonApp } from '../src/http/app.js';
import { TestServer, turnsUntil } from '../src/testing.js';

// A node told to stop (SIGTERM from a supervisor, a rolling deploy) answers the requests already
// in its handlers before it closes their connections: a write that committed is acknowledged, not
// cut off and retried by a client that cannot tell it was done. Meanwhile it says it is stopping,
// and takes no new connections.

/** A host route (the `extend` hook hosts use) that holds its answer until the test lets it go. */
function heldRoute() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered = false;
  return {
    release,
    get entered() {
      return entered;
    },
    extend: (app: BatonApp) => {
      app.get('/held', async (c) => {
        entered = true;
        await released;
        return c.json({ answered: true }, 200);
      });
    },
  };
}

/** A GET over its own connection; resolves with the status, the `connection` header and the body, or rejects when the connection is cut. */
function get(url: string): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

it('a stopping node answers the requests in its handlers, says it is stopping, and takes no new connections', async (t) => {
  const held = heldRoute();
  const server = await TestServer.startFor(t, { extend: held.extend });
  const url = server.url;
  const inFlight = get(`${url}/held`);
  await turnsUntil(() => held.entered, 'the request to reach its handler');

  const stopped = server.server.close();
  await turnsUntil(() => server.server.deps.drain.isStopping, 'the stop to begin');
  const health = await server.server.app.request('/healthz');
  assert.equal(health.status, 503);
  assert.deepEqual(await health.json(), { ok: false, reason: 'stopping' });
  await assert.rejects(get(`${url}/healthz`), /ECONNREFUSED/, 'no new connections');

  held.release();
  const answered = await inFlight;
  assert.equal(answered.status, 200);
  assert.deepEqual(JSON.parse(answered.body), { answered: true });
  assert.equal(answered.connection, 'close', 'a keep-alive client is told to reconnect elsewhere');
  await stopped;
});

it('a request that never finishes holds the stop up only for drainTimeoutMs', async (t) => {
  const held = heldRoute();
  const server = await TestServer.startFor(t, { extend: held.extend, drainTimeoutMs: 50 });
  const warned: string[] = [];
  const { warn } = console;
  console.warn = (...args: unknown[]) => void warned.push(format(...args));
  t.after(() => Object.assign(console, { warn }));

  const inFlight = get(`${server.url}/held`);
  await turnsUntil(() => held.entered, 'the request to reach its handler');
  // Observed before the stop, which cuts it while it still runs.
  const cut = assert.rejects(inFlight, /socket hang up|ECONNRESET/);
  await server.server.close();
  await cut;
  assert.deepEqual(warned, ['[baton] stopping: 1 request(s) still unanswered after 50 ms; closing their connections']);
  held.release();
});
