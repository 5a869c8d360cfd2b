import assert from 'node:assert/strict';
import { it } from 'node:test';
import { format } from 'node:util';
import { ADMIN_TOKEN, TestServer, expectStatus as ok } from '../src/testing.js';

// The server admin token's view of the tenants: the list of workspaces, and a new API key for a
// workspace that lost every key of its own (keys make keys, so nothing else could mint one).
// Nothing else of a workspace is open to it: it cannot act inside one.

it('the server admin lists every workspace in id order, a page at a time; no other credential may', async (t) => {
  const server = await TestServer.startFor(t);
  const acme = await server.createWorkspace('Acme');
  const globex = await server.createWorkspace('Globex');
  const initech = await server.createWorkspace('Initech');
  const ana = await acme.addAgent('ana', { role: 'admin' });

  // Ids begin with their creation time; these three share one millisecond of the manual clock.
  const inIdOrder = [acme, globex, initech].map((w) => w.id).sort();
  const all = await ok(server.request('GET', '/v1/workspaces', { token: ADMIN_TOKEN }), 200);
  assert.deepEqual(all.items.map((w: { id: string }) => w.id), inIdOrder);
  assert.equal(all.nextCursor, null);
  const asGlobexSeesIt = (await ok(globex.api('GET', '/v1/workspace'), 200)).workspace;
  assert.deepEqual(all.items.find((w: { id: string }) => w.id === globex.id), asGlobexSeesIt, 'each as the workspace itself sees it');

  const first = await ok(server.request('GET', '/v1/workspaces?limit=2', { token: ADMIN_TOKEN }), 200);
  assert.deepEqual(first.items.map((w: { id: string }) => w.id), inIdOrder.slice(0, 2));
  const rest = await ok(server.request('GET', `/v1/workspaces?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`, { token: ADMIN_TOKEN }), 200);
  assert.deepEqual(rest.items.map((w: { id: string }) => w.id), inIdOrder.slice(2));
  assert.equal(rest.nextCursor, null);

  assert.equal((await server.request('GET', '/v1/workspaces')).status, 401);
  assert.equal((await acme.api('GET', '/v1/workspaces')).status, 403, "a workspace's API key sees only its own workspace");
  assert.equal((await ana.call('GET', '/v1/workspaces')).status, 403, "nor does a workspace's admin agent");
  for (const bad of ['limit=0', 'limit=201', 'limit=two', 'sort=name']) {
    const res = await server.request('GET', `/v1/workspaces?${bad}`, { token: ADMIN_TOKEN });
    assert.equal(res.status, 400, bad);
    assert.equal(res.body.error.code, 'validation_failed');
  }
});

it("the server admin makes a new API key for a workspace that lost its own; the workspace's other keys keep working", async (t) => {
  const server = await TestServer.startFor(t);
  const acme = await server.createWorkspace('Acme');
  const globex = await server.createWorkspace('Globex');
  const logged: string[] = [];
  const { log } = console;
  console.log = (...args: unknown[]) => void logged.push(format(...args));
  t.after(() => Object.assign(console, { log }));

  const made = await ok(server.request('POST', `/v1/workspaces/${acme.id}/api-keys`, { token: ADMIN_TOKEN, headers: { 'idempotency-key': 'recover-acme' } }), 201);
  assert.match(made.key, /^bk_/);
  assert.equal(made.apiKey.revokedAt, null);
  const asAcme = await ok(server.request('GET', '/v1/workspace', { token: made.key }), 200);
  assert.equal(asAcme.workspace.id, acme.id, 'the new key is a key of that workspace');
  assert.equal((await acme.api('GET', '/v1/workspace')).status, 200, 'the old key still works');
  const { apiKeys } = await ok(acme.api('GET', '/v1/workspace/credentials'), 200);
  assert.deepEqual(apiKeys.map((k: { id: string }) => k.id).includes(made.apiKey.id), true, "the workspace's own list shows it, so it can revoke it");
  assert.deepEqual(logged, [`[baton] the server admin made API key ${made.apiKey.id} for workspace ${acme.id}`]);

  const replayed = await server.request('POST', `/v1/workspaces/${acme.id}/api-keys`, { token: ADMIN_TOKEN, headers: { 'idempotency-key': 'recover-acme' } });
  assert.equal(replayed.status, 201);
  assert.equal(replayed.body.apiKey.id, made.apiKey.id, 'a retry makes no second key');
  assert.equal(replayed.body.key, undefined, 'and does not hand the secret out again');

  const unknown = await server.request('POST', '/v1/workspaces/ws_nope/api-keys', { token: ADMIN_TOKEN });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'not_found');
  assert.equal((await globex.api('POST', `/v1/workspaces/${acme.id}/api-keys`)).status, 403, "another workspace's key cannot");
  assert.equal((await acme.api('POST', `/v1/workspaces/${acme.id}/api-keys`)).status, 403, 'nor its own (it has POST /v1/workspace/api-keys)');
  const after = await ok(acme.api('GET', '/v1/workspace/credentials'), 200);
  assert.equal(after.apiKeys.length, 2, 'the refused calls made nothing');
});
