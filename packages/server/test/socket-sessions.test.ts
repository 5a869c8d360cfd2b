import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { MAX_SOCKETS_PER_AGENT } from '../src/realtime/sessions.js';
import { TestServer, tempDbFile, expectStatus as ok, twoWorkspaces, type LiveSocket, type TestAgent } from '../src/testing.js';

/**
 * DESIGN §7a: a credential that is retired, revoked or deactivated closes the sockets it opened
 * (within 1 s on a single node), a reconnect with it is refused, nobody else's socket is touched;
 * and an agent holds at most 10 sockets. Real Socket.IO clients against a real server on loopback.
 */

/** DESIGN §7a's bound on a single node. */
const CLOSE_WITHIN_MS = 1000;

/** Resolves with the `session:closed` payload and the disconnect reason, or fails after `ms`. */
async function closedWithin(s: LiveSocket, ms: number, label: string) {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: not closed within ${ms} ms`)), ms);
  });
  try {
    const reason = await Promise.race([s.disconnected, timeout]);
    const closed = s.rec.of('session:closed');
    return { reason, closed, elapsedMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Round trip on the socket: a socket that answers is open, and everything sent before has arrived. */
async function stillOpen(s: LiveSocket, label: string) {
  assert.equal(s.socket.connected, true, `${label} is connected`);
  const ack = await new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: no answer within 5 s`)), 5000);
    (s.socket.emit as any)('presence:viewing', { conversationId: null }, (a: unknown) => (clearTimeout(timer), resolve(a)));
  });
  assert.equal(ack.ok, true, `${label} answers`);
  assert.deepEqual(s.rec.of('session:closed'), [], `${label} was not told to close`);
}

async function refused(server: TestServer, token: string, label: string) {
  await assert.rejects(server.live(token), (err: Error) => {
    assert.equal(err.message, 'unauthorized', label);
    return true;
  }, label);
}

async function mint(server: TestServer, agent: TestAgent, apiKey: string) {
  const res = await server.request('POST', '/v1/tokens', { token: apiKey, body: { agentId: agent.id } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.token as string;
}

test('retiring a signing key closes the sockets its tokens opened, within a second; reconnecting with them is refused', async (t) => {
  const { server, ws, ana, ben, zoe } = await twoWorkspaces(t);
  const api = (method: string, path: string) => ws.api(method, path);
  const oldKid = ws.signingKeys[0]!.kid;
  server.clock!.advance(1000); // the new key is the newest, so it signs from now on
  await ok(api('POST', '/v1/workspace/signing-keys'), 201);
  const benNew = await mint(server, ben, ws.apiKey);

  const [anaOld, benOld, benFresh, zoeLive] = await Promise.all([
    server.live(ana.token),
    server.live(ben.token),
    server.live(benNew),
    server.live(zoe.token),
  ]);
  await ok(api('DELETE', `/v1/workspace/signing-keys/${oldKid}`), 200);

  for (const [s, label] of [[anaOld, 'ana (old key)'], [benOld, 'ben (old key)']] as const) {
    const { reason, closed, elapsedMs } = await closedWithin(s, CLOSE_WITHIN_MS, label);
    assert.equal(reason, 'io server disconnect', label);
    assert.equal(closed.length, 1, label);
    assert.equal(closed[0].reason, 'credential_revoked', label);
    assert.match(closed[0].message, /revoked or retired/);
    assert.ok(elapsedMs < CLOSE_WITHIN_MS, `${label}: ${elapsedMs} ms`);
  }
  await stillOpen(benFresh, 'ben (new key)');
  await stillOpen(zoeLive, 'another workspace');
  await refused(server, ana.token, 'ana reconnecting with the retired key');
  assert.equal((await ana.call('GET', '/v1/agents/me')).status, 401);
  // A token from the current key works.
  await stillOpen(await server.live(await mint(server, ana, ws.apiKey)), 'ana (new key)');
});

test('revoking an API key closes the sockets of the tokens it minted; tokens from another key or signed by the host stay', async (t) => {
  const { server, ws, ana, ben, zoe } = await twoWorkspaces(t);
  const oldKeyId = (await ok(ws.api('GET', '/v1/workspace/credentials'), 200)).apiKeys[0].id as string;
  const made = await ok(ws.api('POST', '/v1/workspace/api-keys'), 201);
  const newKey = made.key as string;
  const viaNewKey = await mint(server, ana, newKey);
  // The host signs this one itself: no API key minted it.
  const key = ws.signingKeys[0]!;
  const now = Math.floor(server.clock!.now() / 1000);
  const selfSigned = await new SignJWT({ ws: ws.id, role: 'agent' })
    .setProtectedHeader({ alg: 'HS256', kid: key.kid })
    .setSubject(ana.id)
    .setAudience('baton')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .setJti('self-signed')
    .sign(new TextEncoder().encode(key.secret));

  const [viaOld, benViaOld, viaNew, hostSigned, zoeLive] = await Promise.all([
    server.live(ana.token),
    server.live(ben.token),
    server.live(viaNewKey),
    server.live(selfSigned),
    server.live(zoe.token),
  ]);
  await ok(server.request('DELETE', `/v1/workspace/api-keys/${oldKeyId}`, { token: newKey }), 200);

  for (const [s, label] of [[viaOld, 'ana (minted by the revoked key)'], [benViaOld, 'ben (minted by the revoked key)']] as const) {
    const { closed, elapsedMs } = await closedWithin(s, CLOSE_WITHIN_MS, label);
    assert.deepEqual(closed.map((c: any) => c.reason), ['credential_revoked'], label);
    assert.ok(elapsedMs < CLOSE_WITHIN_MS);
  }
  await stillOpen(viaNew, 'minted by the other key');
  await stillOpen(hostSigned, 'signed by the host');
  await stillOpen(zoeLive, 'another workspace');
  await refused(server, ana.token, 'reconnecting with a token the revoked key minted');
  assert.equal((await ana.call('GET', '/v1/agents/me')).status, 401, 'REST refuses it too');
  await ok(server.request('GET', '/v1/agents/me', { token: viaNewKey }), 200);
  await ok(server.request('GET', '/v1/agents/me', { token: selfSigned }), 200);
});

test('deactivating an agent closes all their sockets and refuses them; teammates hear agent:updated, other workspaces nothing', async (t) => {
  const { server, ws, ana, ben, zoe } = await twoWorkspaces(t);
  const [tab1, tab2, benLive, zoeLive] = await Promise.all([server.live(ana.token), server.live(ana.token), server.live(ben.token), server.live(zoe.token)]);

  const res = await ws.api('PATCH', `/v1/agents/${ana.id}`, { active: false });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.agent.active, false);
  for (const [s, label] of [[tab1, 'first tab'], [tab2, 'second tab']] as const) {
    const { closed, elapsedMs } = await closedWithin(s, CLOSE_WITHIN_MS, label);
    assert.deepEqual(closed.map((c: any) => c.reason), ['agent_deactivated'], label);
    assert.ok(elapsedMs < CLOSE_WITHIN_MS);
  }
  const seen = await benLive.rec.waitFor('agent:updated', (p) => p.agent.id === ana.id);
  assert.equal(seen.agent.active, false);
  await stillOpen(benLive, 'ben');
  await stillOpen(zoeLive, 'zoe');
  assert.deepEqual(zoeLive.rec.of('agent:updated'), [], 'another workspace hears nothing of it');

  await refused(server, ana.token, 'ana reconnecting');
  assert.equal((await ana.call('GET', '/v1/agents/me')).status, 401);
  const minted = await ws.api('POST', '/v1/tokens', { agentId: ana.id });
  assert.equal(minted.status, 409);
  assert.equal(minted.body.error.code, 'conflict');
  assert.match(minted.body.error.message, /deactivated/);

  // Reactivated: the old token stays refused; a fresh one (issued after the deactivation's second) opens a socket again.
  await ok(ws.api('PATCH', `/v1/agents/${ana.id}`, { active: true }), 200);
  await refused(server, ana.token, 'ana with the token she held when deactivated');
  server.clock!.advance(1000);
  const back = await server.live(await mint(server, ana, ws.apiKey));
  assert.equal(back.ready.agentId, ana.id);
  await stillOpen(back, 'ana after reactivation');
});

test(`an agent holds at most ${MAX_SOCKETS_PER_AGENT} sockets: the next one closes their oldest, saying why`, async (t) => {
  const { server, ana, ben } = await twoWorkspaces(t);
  const anas: LiveSocket[] = [];
  // One at a time, so "oldest" is well defined.
  for (let i = 0; i < MAX_SOCKETS_PER_AGENT; i++) anas.push(await server.live(ana.token));
  const benLive = await server.live(ben.token);
  for (const [i, s] of anas.entries()) await stillOpen(s, `ana #${i + 1}`);

  const newest = await server.live(ana.token);
  assert.equal(newest.ready.agentId, ana.id);
  const { reason, closed } = await closedWithin(anas[0]!, CLOSE_WITHIN_MS, 'the oldest');
  assert.equal(reason, 'io server disconnect');
  assert.deepEqual(closed.map((c: any) => c.reason), ['too_many_sockets']);
  assert.match(closed[0].message, /more than 10 sockets/);
  for (const [i, s] of anas.slice(1).entries()) await stillOpen(s, `ana #${i + 2}`);
  await stillOpen(newest, 'the newest');
  await stillOpen(benLive, 'ben');

  // And again: the next oldest goes.
  await server.live(ana.token);
  assert.deepEqual((await closedWithin(anas[1]!, CLOSE_WITHIN_MS, 'the next oldest')).closed.map((c: any) => c.reason), ['too_many_sockets']);
  await stillOpen(anas[2]!, 'ana #3');
});

test('across nodes on one database: a key revoked or an agent deactivated through one node closes the sockets on another at its next poll (DESIGN §7a: within 2 s)', async (t) => {
  const file = tempDbFile(t, 'sessions');
  const a = await TestServer.startFor(t, { db: file });
  const ws = await a.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const oldKeyId = (await ok(ws.api('GET', '/v1/workspace/credentials'), 200)).apiKeys[0].id as string;
  const newKey = (await ok(ws.api('POST', '/v1/workspace/api-keys'), 201)).key as string;
  const b = await TestServer.startFor(t, { db: file });
  // On node B: ana's socket from a token the old key minted, ben's from one the new key minted.
  const [anaOnB, benOnB] = await Promise.all([b.live(ana.token), b.live(await mint(a, ben, newKey))]);

  // Through node A. Node B commits nothing meanwhile, so it hears of it from its relay's poll, one
  // second apart on its clock: moved on by that second, well inside the design's 2 s across nodes.
  await ok(a.request('DELETE', `/v1/workspace/api-keys/${oldKeyId}`, { token: newKey }), 200);
  b.clock!.advance(1000);
  const revoked = await closedWithin(anaOnB, CLOSE_WITHIN_MS, 'ana on node B');
  assert.deepEqual(revoked.closed.map((c: any) => c.reason), ['credential_revoked']);
  await stillOpen(benOnB, 'ben on node B (minted by the other key)');
  await refused(b, ana.token, 'ana reconnecting to node B with the revoked key’s token');

  await ok(a.request('PATCH', `/v1/agents/${ben.id}`, { token: newKey, body: { active: false } }), 200);
  b.clock!.advance(1000);
  const deactivated = await closedWithin(benOnB, CLOSE_WITHIN_MS, 'ben on node B');
  assert.deepEqual(deactivated.closed.map((c: any) => c.reason), ['agent_deactivated']);
});
