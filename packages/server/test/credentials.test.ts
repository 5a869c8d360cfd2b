import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { CreateApiKeyResponse, CreateSigningKeyResponse, CredentialList } from '@baton/protocol';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { TestServer, expectStatus as ok } from '../src/testing.js';

/**
 * Rotating a workspace's credentials through the API (DESIGN §4: several signing keys may be
 * active for rotation): make a new key, move over, revoke or retire the old one.
 */

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const withKey = (key: string) => (method: string, path: string, body?: unknown) => server.request(method, path, { token: key, body });
  return { server, ws, ana, withKey };
}

test('API key rotation: a new key works at once, the old one stops the moment it is revoked', async (t) => {
  const { server, ws, withKey } = await setup(t);
  const old = withKey(ws.apiKey);
  const first = CredentialList.parse(await ok(old('GET', '/v1/workspace/credentials'), 200));
  assert.equal(first.apiKeys.length, 1);
  const oldId = first.apiKeys[0]!.id;

  server.clock!.advance(1000); // listed oldest first
  const made = CreateApiKeyResponse.parse(await ok(old('POST', '/v1/workspace/api-keys'), 201));
  assert.match(made.key, /^bk_/);
  const next = withKey(made.key);
  await ok(next('GET', '/v1/workspace'), 200);
  await ok(old('GET', '/v1/workspace'), 200); // both work until the host has moved over

  // Listing never shows a key or its hash.
  const listed = await ok(next('GET', '/v1/workspace/credentials'), 200);
  assert.deepEqual(listed.apiKeys.map((k: { id: string }) => k.id), [oldId, made.apiKey.id]);
  assert.ok(!JSON.stringify(listed).includes(made.key) && !/hash|secret|"key"/.test(JSON.stringify(listed)), JSON.stringify(listed));

  const revoked = await ok(next('DELETE', `/v1/workspace/api-keys/${oldId}`), 200);
  assert.equal(typeof revoked.apiKey.revokedAt, 'string');
  // Refused at once on this server, although the key was cached by the calls above.
  assert.equal((await old('GET', '/v1/workspace')).status, 401);
  await ok(next('GET', '/v1/workspace'), 200);

  // Revoking again changes nothing; the last active key cannot be revoked.
  assert.deepEqual(await ok(next('DELETE', `/v1/workspace/api-keys/${oldId}`), 200), revoked);
  const last = await next('DELETE', `/v1/workspace/api-keys/${made.apiKey.id}`);
  assert.equal(last.status, 409);
  assert.equal(last.body.error.code, 'conflict');
  await ok(next('GET', '/v1/workspace'), 200);
});

test('signing key rotation: new tokens use the new key; retiring the old one ends its tokens on REST and socket', async (t) => {
  const { server, ws, ana, withKey } = await setup(t);
  const api = withKey(ws.apiKey);
  const oldKid = ws.signingKeys[0]!.kid;
  const oldToken = ana.token;
  assert.equal(decodeProtectedHeader(oldToken).kid, oldKid);

  server.clock!.advance(1000); // the new key is the newest
  const made = CreateSigningKeyResponse.parse(await ok(api('POST', '/v1/workspace/signing-keys'), 201));
  assert.equal(made.secret.length >= 32, true);
  const minted = await ok(api('POST', '/v1/tokens', { agentId: ana.id }), 201);
  assert.equal(decodeProtectedHeader(minted.token).kid, made.signingKey.kid, 'tokens are signed with the newest key');
  // A host that signs its own tokens can use the new secret right away.
  const selfSigned = await new SignJWT({ ws: ws.id, role: 'agent' })
    .setProtectedHeader({ alg: 'HS256', kid: made.signingKey.kid })
    .setSubject(ana.id)
    .setAudience('baton')
    .setIssuedAt(Math.floor(server.clock!.now() / 1000))
    .setExpirationTime(Math.floor(server.clock!.now() / 1000) + 600)
    .setJti('self-signed-1')
    .sign(new TextEncoder().encode(made.secret));
  for (const token of [oldToken, minted.token, selfSigned]) await ok(server.request('GET', '/v1/agents/me', { token }), 200);

  const retired = await ok(api('DELETE', `/v1/workspace/signing-keys/${oldKid}`), 200);
  assert.equal(typeof retired.signingKey.retiredAt, 'string');
  assert.equal((await server.request('GET', '/v1/agents/me', { token: oldToken })).status, 401);
  await assert.rejects(server.connect(oldToken), 'the socket handshake refuses it too');
  await ok(server.request('GET', '/v1/agents/me', { token: minted.token }), 200);
  const { socket } = await server.connect(minted.token);
  socket.disconnect();

  assert.deepEqual(await ok(api('DELETE', `/v1/workspace/signing-keys/${oldKid}`), 200), retired, 'retiring twice is a no-op');
  const last = await api('DELETE', `/v1/workspace/signing-keys/${made.signingKey.kid}`);
  assert.equal(last.status, 409);
  const list = CredentialList.parse(await ok(api('GET', '/v1/workspace/credentials'), 200));
  assert.deepEqual(
    list.signingKeys.map((k) => [k.kid, k.retiredAt !== null]),
    [
      [oldKid, true],
      [made.signingKey.kid, false],
    ],
  );
  assert.ok(!JSON.stringify(list).includes(made.secret));
});

test('credentials are the host backend’s: agents are refused, bad input is 4xx and changes nothing', async (t) => {
  const { ws, ana, withKey } = await setup(t);
  const api = withKey(ws.apiKey);
  const before = await ok(api('GET', '/v1/workspace/credentials'), 200);
  for (const [method, path] of [
    ['GET', '/v1/workspace/credentials'],
    ['POST', '/v1/workspace/api-keys'],
    ['POST', '/v1/workspace/signing-keys'],
    ['DELETE', `/v1/workspace/signing-keys/${ws.signingKeys[0]!.kid}`],
  ] as const) {
    assert.equal((await ana.call(method, path)).status, 403, `${method} ${path} as an agent`);
  }
  assert.equal((await api('POST', '/v1/workspace/api-keys', { name: 'unexpected' })).status, 400);
  assert.equal((await api('DELETE', '/v1/workspace/api-keys/key_doesnotexist')).status, 404);
  assert.equal((await api('DELETE', '/v1/workspace/signing-keys/kid_doesnotexist')).status, 404);
  assert.deepEqual(await ok(api('GET', '/v1/workspace/credentials'), 200), before);
});
