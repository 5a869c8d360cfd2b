import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TestServer } from '../src/testing.js';

// REST calls carry bearer tokens, not cookies, so any origin may make them; browsers get the CORS
// headers they need, and callers without an Origin (host backends) get none.

const ORIGIN = 'https://crm.example.com';

it('a browser call gets CORS headers for its origin; a preflight lists what it may send', async (t) => {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');

  const created = await ws.api('POST', '/v1/contacts', { name: 'Carla' }, { origin: ORIGIN });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(created.headers.get('access-control-expose-headers'), 'Idempotent-Replayed,X-Request-Id');
  assert.match(created.headers.get('vary') ?? '', /\bOrigin\b/);
  assert.equal(created.body.contact.name, 'Carla');

  // Errors too, or the browser could not read them.
  const refused = await server.request('GET', '/v1/agents', { headers: { origin: ORIGIN } });
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('access-control-allow-origin'), ORIGIN);

  const preflight = await fetch(`${server.url}/v1/conversations`, {
    method: 'OPTIONS',
    headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'Authorization,Content-Type,Idempotency-Key,If-Match,X-Request-Id');
  assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET,POST,PUT,PATCH,DELETE');
  assert.equal(preflight.headers.get('access-control-max-age'), '600');
});

it('a call without Origin gets no CORS headers, except the public OpenAPI document', async (t) => {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');

  const created = await ws.api('POST', '/v1/contacts', { name: 'Carla' });
  assert.equal(created.status, 201);
  for (const header of ['access-control-allow-origin', 'access-control-expose-headers', 'vary']) assert.equal(created.headers.get(header), null, header);

  // A cache may keep this one document and hand it to a browser, so it always varies by Origin.
  const openApi = await fetch(`${server.url}/v1/openapi.json`);
  assert.equal(openApi.status, 200);
  assert.match(openApi.headers.get('vary') ?? '', /\bOrigin\b/);
  const fromBrowser = await fetch(`${server.url}/v1/openapi.json`, { headers: { origin: ORIGIN } });
  assert.equal(fromBrowser.status, 200);
  assert.equal(fromBrowser.headers.get('access-control-allow-origin'), ORIGIN);
});
