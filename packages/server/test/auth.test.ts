import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { routes } from '@baton/protocol';
import { SignJWT } from 'jose';
import { ADMIN_TOKEN, TestServer, type HttpResult, type TestWorkspace } from '../src/testing.js';

// Agent JWTs, API keys and the admin token (DESIGN §4), and who may call what (routes.ts).

const encoder = new TextEncoder();
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

interface SignOptions {
  key: { kid: string; secret: string };
  alg?: string;
  /** Header `kid`; defaults to the signing key's, `null` leaves it out. */
  kid?: string | null;
  claims: Record<string, unknown>;
}

/** Signs like a host backend would, with whatever header and claims the test asks for. */
async function sign({ key, alg = 'HS256', kid, claims }: SignOptions): Promise<string> {
  const header: { alg: string; typ: string; kid?: string } = { alg, typ: 'JWT' };
  const headerKid = kid === undefined ? key.kid : kid;
  if (headerKid !== null) header.kid = headerKid;
  return new SignJWT(claims).setProtectedHeader(header).sign(encoder.encode(key.secret));
}

/** The claims DESIGN §4 lists, valid for `ttl` seconds from the server's clock. */
function claimsFor(server: TestServer, ws: TestWorkspace, agent: { id: string }, role: 'agent' | 'admin' = 'agent', ttl = 600) {
  const iat = Math.floor(server.clock!.now() / 1000);
  return { sub: agent.id, ws: ws.id, role, aud: 'baton', iat, exp: iat + ttl, jti: randomUUID() };
}

function assertUnauthorized(res: HttpResult, label = '') {
  assert.equal(res.status, 401, `${label}: expected 401, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body?.error?.code, 'unauthorized', label);
  assert.equal(typeof res.body.error.message, 'string', label);
  assert.ok(res.body.error.message.length > 0, label);
}

function assertForbidden(res: HttpResult, label = '') {
  assert.equal(res.status, 403, `${label}: expected 403, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body?.error?.code, 'forbidden', label);
  assert.equal(typeof res.body.error.message, 'string', label);
}

/** Who the server thinks the bearer of `token` is: 200 with the agent, or the error. */
const whoAmI = (server: TestServer, token: string) => server.request('GET', '/v1/agents/me', { token });

async function agentsById(ws: TestWorkspace) {
  const res = await ws.api('GET', '/v1/agents');
  assert.equal(res.status, 200);
  return new Map<string, any>(res.body.items.map((a: any) => [a.id, a]));
}

/** A fresh server with two workspaces; closed when the test ends. */
async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const other = await server.createWorkspace('Globex');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const otto = await other.addAgent('otto');
  return { server, ws, other, ana, ben, boss, otto };
}
type Fixture = Awaited<ReturnType<typeof setup>>;

describe('agent tokens', () => {
  it('a token from POST /v1/tokens identifies its agent and says when it expires', async (t) => {
    const { server, ws, ana } = await setup(t);
    const minted = await ws.api('POST', '/v1/tokens', { agentId: ana.id, ttlSeconds: 600 });
    assert.equal(minted.status, 201);
    assert.equal(typeof minted.body.token, 'string');
    assert.equal(Date.parse(minted.body.expiresAt), Math.floor(server.clock!.now() / 1000) * 1000 + 600_000);
    const me = await whoAmI(server, minted.body.token);
    assert.equal(me.status, 200);
    assert.equal(me.body.agent.id, ana.id);
    assert.equal(me.body.agent.username, 'ana');
  });

  it('POST /v1/tokens never mints more than an hour', async (t) => {
    const { server, ws, ana } = await setup(t);
    const tooLong = await ws.api('POST', '/v1/tokens', { agentId: ana.id, ttlSeconds: 3601 });
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.body.error.code, 'validation_failed');
    const longest = await ws.api('POST', '/v1/tokens', { agentId: ana.id });
    assert.equal(longest.status, 201);
    assert.ok(Date.parse(longest.body.expiresAt) <= server.clock!.now() + 3600_000);
  });

  it('POST /v1/tokens refuses an agent of another workspace', async (t) => {
    const { ws, otto } = await setup(t);
    const minted = await ws.api('POST', '/v1/tokens', { agentId: otto.id });
    assert.equal(minted.status, 400);
    assert.equal(minted.body.error.code, 'validation_failed');
    assert.equal(minted.body.token, undefined);
  });

  it('a token the host signs itself with the workspace key works', async (t) => {
    const { server, ws, ana } = await setup(t);
    const token = await sign({ key: ws.signingKeys[0]!, claims: claimsFor(server, ws, ana) });
    const me = await whoAmI(server, token);
    assert.equal(me.status, 200);
    assert.equal(me.body.agent.id, ana.id);
  });

  it('a host-signed token may live exactly one hour', async (t) => {
    const { server, ws, ana } = await setup(t);
    const token = await sign({ key: ws.signingKeys[0]!, claims: claimsFor(server, ws, ana, 'agent', 3600) });
    assert.equal((await whoAmI(server, token)).status, 200);
  });

  it('an expired token is refused once the clock passes exp', async (t) => {
    const { server, ws, ana } = await setup(t);
    const minted = await ws.api('POST', '/v1/tokens', { agentId: ana.id, ttlSeconds: 60 });
    const hostSigned = await sign({ key: ws.signingKeys[0]!, claims: claimsFor(server, ws, ana, 'agent', 60) });
    server.clock!.advance(59_000);
    assert.equal((await whoAmI(server, minted.body.token)).status, 200, 'still valid before exp');
    assert.equal((await whoAmI(server, hostSigned)).status, 200, 'still valid before exp');
    server.clock!.advance(2 * 60_000); // well past exp and any clock tolerance
    assertUnauthorized(await whoAmI(server, minted.body.token), 'minted, expired');
    assertUnauthorized(await whoAmI(server, hostSigned), 'host-signed, expired');
    assertUnauthorized(await server.request('POST', '/v1/contacts', { token: minted.body.token, body: { name: 'Late' } }), 'write, expired');
    // It is the token that expired, not the agent.
    const fresh = await ws.api('POST', '/v1/tokens', { agentId: ana.id });
    assert.equal((await whoAmI(server, fresh.body.token)).status, 200);
  });

  it('a token whose exp is already in the past is refused', async (t) => {
    const { server, ws, ana } = await setup(t);
    const now = Math.floor(server.clock!.now() / 1000);
    const token = await sign({ key: ws.signingKeys[0]!, claims: { ...claimsFor(server, ws, ana), iat: now - 1200, exp: now - 600 } });
    assertUnauthorized(await whoAmI(server, token));
  });

  // Each case changes one thing about an otherwise valid token (which each test checks first).
  const invalidTokens: [string, (f: Fixture) => Promise<string>][] = [
    ['alg: none, unsigned', async (f) => `${b64url({ alg: 'none', typ: 'JWT', kid: f.ws.signingKeys[0]!.kid })}.${b64url(claimsFor(f.server, f.ws, f.ana))}.`],
    [
      'alg: none claiming the admin, with a junk signature',
      async (f) => `${b64url({ alg: 'none', kid: f.ws.signingKeys[0]!.kid })}.${b64url(claimsFor(f.server, f.ws, f.boss, 'admin'))}.${b64url('sig')}`,
    ],
    ['HS512 with the right key', async (f) => sign({ key: f.ws.signingKeys[0]!, alg: 'HS512', claims: claimsFor(f.server, f.ws, f.ana) })],
    ['HS384 with the right key', async (f) => sign({ key: f.ws.signingKeys[0]!, alg: 'HS384', claims: claimsFor(f.server, f.ws, f.ana) })],
    ['a wrong aud', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), aud: 'not-baton' } })],
    ['no aud', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), aud: undefined } })],
    [
      'exp − iat over one hour',
      async (f) => {
        const c = claimsFor(f.server, f.ws, f.ana);
        return sign({ key: f.ws.signingKeys[0]!, claims: { ...c, exp: c.iat + 3601 } });
      },
    ],
    [
      'iat in the future (exp − iat ≤ 1 h, but it would live ten years)',
      async (f) => {
        const iat = Math.floor(f.server.clock!.now() / 1000) + 10 * 365 * 86400;
        return sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), iat, exp: iat + 3600 } });
      },
    ],
    ['no exp', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), exp: undefined } })],
    ['no iat', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), iat: undefined } })],
    ['no jti', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), jti: undefined } })],
    ['an empty jti', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), jti: '' } })],
    ['a jti that is no string', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), jti: 5 } })],
    ['no sub', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), sub: undefined } })],
    ['no ws', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), ws: undefined } })],
    ['an unknown role', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), role: 'owner' } })],
    ['a sub that is no agent', async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), sub: 'agt_nobody' } })],
    ['an unknown kid', async (f) => sign({ key: { kid: 'kid_unknown', secret: f.ws.signingKeys[0]!.secret }, claims: claimsFor(f.server, f.ws, f.ana) })],
    ['no kid', async (f) => sign({ key: f.ws.signingKeys[0]!, kid: null, claims: claimsFor(f.server, f.ws, f.ana) })],
    ["another workspace's key (its kid) claiming this workspace", async (f) => sign({ key: f.other.signingKeys[0]!, claims: claimsFor(f.server, f.ws, f.ana) })],
    [
      "another workspace's secret under this workspace's kid",
      async (f) => sign({ key: { kid: f.ws.signingKeys[0]!.kid, secret: f.other.signingKeys[0]!.secret }, claims: claimsFor(f.server, f.ws, f.ana) }),
    ],
    ["this workspace's key for another workspace's agent", async (f) => sign({ key: f.ws.signingKeys[0]!, claims: { ...claimsFor(f.server, f.ws, f.ana), sub: f.otto.id } })],
    [
      'the workspace API key as the HMAC secret',
      async (f) => sign({ key: { kid: f.ws.signingKeys[0]!.kid, secret: f.ws.apiKey }, claims: claimsFor(f.server, f.ws, f.ana) }),
    ],
    [
      'a payload tampered to become the admin',
      async (f) => {
        const [h, , sig] = (await sign({ key: f.ws.signingKeys[0]!, claims: claimsFor(f.server, f.ws, f.ana) })).split('.');
        return `${h}.${b64url(claimsFor(f.server, f.ws, f.boss, 'admin'))}.${sig}`;
      },
    ],
    [
      'a payload tampered to extend exp',
      async (f) => {
        const claims = claimsFor(f.server, f.ws, f.ana);
        const [h, , sig] = (await sign({ key: f.ws.signingKeys[0]!, claims })).split('.');
        return `${h}.${b64url({ ...claims, exp: claims.exp + 60 })}.${sig}`;
      },
    ],
    [
      'the signature stripped',
      async (f) => `${(await sign({ key: f.ws.signingKeys[0]!, claims: claimsFor(f.server, f.ws, f.ana) })).split('.').slice(0, 2).join('.')}.`,
    ],
    ['no JWT at all', async () => 'hello.world'],
  ];

  for (const [label, make] of invalidTokens) {
    it(`refuses a token with ${label} (401)`, async (t) => {
      const f = await setup(t);
      const control = await sign({ key: f.ws.signingKeys[0]!, claims: claimsFor(f.server, f.ws, f.ana) });
      assert.equal((await whoAmI(f.server, control)).status, 200, 'the unmodified token works');
      const token = await make(f);
      assertUnauthorized(await whoAmI(f.server, token), label);
      // Refused everywhere, not just on /me: a write must not slip through either.
      assertUnauthorized(await f.server.request('POST', '/v1/contacts', { token, body: { name: 'Mallory' } }), `${label} (write)`);
      assertUnauthorized(await f.server.request('GET', '/v1/conversations', { token }), `${label} (list)`);
    });
  }

  it('the role comes from the agent record, so a demotion takes effect at once', async (t) => {
    const { server, ws } = await setup(t);
    const admin = await ws.addAgent('temp-admin', { role: 'admin' });
    assert.equal((await admin.call('POST', '/v1/agents', { name: 'New', username: 'new1' })).status, 201);
    assert.equal((await ws.api('PATCH', `/v1/agents/${admin.id}`, { role: 'agent' })).status, 200);
    assertForbidden(await admin.call('POST', '/v1/agents', { name: 'New', username: 'new2' }), 'same token after demotion');
    // A token that still claims admin does not help either.
    const claimsAdmin = await sign({ key: ws.signingKeys[0]!, claims: claimsFor(server, ws, admin, 'admin') });
    assertForbidden(await server.request('POST', '/v1/agents', { token: claimsAdmin, body: { name: 'New', username: 'new3' } }));
    assert.equal([...(await agentsById(ws)).values()].filter((a) => a.username.startsWith('new')).length, 1);
  });
});

describe('credentials', () => {
  for (const path of ['/v1/agents/me', '/v1/conversations', '/v1/agents', '/v1/workspace']) {
    it(`GET ${path} without Authorization is 401`, async (t) => {
      const { server } = await setup(t);
      assertUnauthorized(await server.request('GET', path));
    });
  }

  it('writes without Authorization are 401 and write nothing', async (t) => {
    const { server, ws } = await setup(t);
    const before = await ws.api('GET', '/v1/agents');
    assertUnauthorized(await server.request('POST', '/v1/agents', { body: { name: 'X', username: 'x' } }));
    assertUnauthorized(await server.request('POST', '/v1/contacts', { body: { name: 'X' } }));
    assertUnauthorized(await server.request('POST', '/v1/conversations', { body: { contact: { name: 'X' }, channel: 'sms' } }));
    assert.deepEqual((await ws.api('GET', '/v1/agents')).body, before.body);
  });

  for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'Token abc', 'bk_abc']) {
    it(`a malformed Authorization header (${JSON.stringify(header)}) is 401`, async (t) => {
      const { server } = await setup(t);
      assertUnauthorized(await server.request('GET', '/v1/workspace', { headers: { authorization: header } }));
    });
  }

  it('the workspace API key works; garbage, truncated or padded keys are 401', async (t) => {
    const { server, ws } = await setup(t);
    const good = await ws.api('GET', '/v1/workspace');
    assert.equal(good.status, 200);
    assert.equal(good.body.workspace.id, ws.id);
    for (const key of ['bk_', 'bk_garbage', ws.apiKey.slice(0, -1), `${ws.apiKey}x`, ws.apiKey.toUpperCase(), ws.apiKey.replace(/^bk_/, ''), 'garbage']) {
      assertUnauthorized(await server.request('GET', '/v1/workspace', { token: key }), key);
      assertUnauthorized(await server.request('POST', '/v1/contacts', { token: key, body: { name: 'X' } }), key);
    }
  });

  it('an agent token on an API-key-only route (POST /v1/tokens) is 403, even an admin', async (t) => {
    const { ana, boss } = await setup(t);
    for (const caller of [ana, boss]) {
      const res = await caller.call('POST', '/v1/tokens', { agentId: caller.id });
      assertForbidden(res);
      assert.equal(res.body.token, undefined);
    }
  });

  it('the server admin token cannot act inside a workspace (403)', async (t) => {
    const { server, ana } = await setup(t);
    assertForbidden(await server.request('GET', '/v1/agents', { token: ADMIN_TOKEN }));
    assertForbidden(await server.request('POST', '/v1/tokens', { token: ADMIN_TOKEN, body: { agentId: ana.id } }));
  });

  it('agent-only routes refuse the API key (403)', async (t) => {
    const { ws } = await setup(t);
    assertForbidden(await ws.api('GET', '/v1/conversations'));
    assertForbidden(await ws.api('GET', '/v1/conversations/counts'));
    assertForbidden(await ws.api('GET', '/v1/agents/me'));
    assertForbidden(await ws.api('GET', '/v1/notifications'));
  });
});

describe('agent roles', () => {
  it('an agent may change their own availability', async (t) => {
    const { ws, ana } = await setup(t);
    const res = await ana.call('PATCH', `/v1/agents/${ana.id}`, { availability: 'away' });
    assert.equal(res.status, 200);
    assert.equal(res.body.agent.availability, 'away');
    assert.equal((await agentsById(ws)).get(ana.id).availability, 'away');
  });

  it('an agent may not change their own role, or anything besides availability (403, unchanged)', async (t) => {
    const { ws, ana } = await setup(t);
    const before = await agentsById(ws);
    for (const body of [{ role: 'admin' }, { availability: 'away', role: 'admin' }, { capacity: 1000 }, { skills: ['senior'] }, { name: 'Queen Ana' }]) {
      assertForbidden(await ana.call('PATCH', `/v1/agents/${ana.id}`, body), JSON.stringify(body));
    }
    assertForbidden(await ana.call('POST', '/v1/agents', { name: 'Sock', username: 'sock', role: 'admin' }));
    assert.deepEqual(await agentsById(ws), before);
  });

  it("an agent may not change someone else's availability (403, unchanged)", async (t) => {
    const { ws, ana, ben, boss } = await setup(t);
    const before = await agentsById(ws);
    assertForbidden(await ana.call('PATCH', `/v1/agents/${ben.id}`, { availability: 'offline' }));
    assertForbidden(await ana.call('PATCH', `/v1/agents/${boss.id}`, { availability: 'offline' }));
    assert.deepEqual(await agentsById(ws), before);
  });

  it('a non-admin agent may not manage teams (403)', async (t) => {
    const { ws, ana, boss } = await setup(t);
    const team = await boss.call('POST', '/v1/teams', { name: 'Support', memberIds: [boss.id] });
    assert.equal(team.status, 201);
    const before = await ws.api('GET', '/v1/teams');
    assertForbidden(await ana.call('POST', '/v1/teams', { name: 'Mine', memberIds: [ana.id] }));
    assertForbidden(await ana.call('PATCH', `/v1/teams/${team.body.team.id}`, { memberIds: [ana.id] }));
    assert.deepEqual((await ws.api('GET', '/v1/teams')).body, before.body);
  });

  it("an admin agent may change others' availability and role", async (t) => {
    const { ws, ben, boss } = await setup(t);
    const res = await boss.call('PATCH', `/v1/agents/${ben.id}`, { availability: 'offline', role: 'admin' });
    assert.equal(res.status, 200);
    const after = (await agentsById(ws)).get(ben.id);
    assert.equal(after.availability, 'offline');
    assert.equal(after.role, 'admin');
    // The promotion is real: ben may now create agents.
    assert.equal((await ben.call('POST', '/v1/agents', { name: 'Cy', username: 'cy' })).status, 201);
  });

  it('an admin agent may create agents and teams', async (t) => {
    const { ana, boss } = await setup(t);
    const agent = await boss.call('POST', '/v1/agents', { name: 'Dee', username: 'dee' });
    assert.equal(agent.status, 201);
    const team = await boss.call('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id, agent.body.agent.id] });
    assert.equal(team.status, 201);
    assert.deepEqual(team.body.team.memberIds.slice().sort(), [ana.id, agent.body.agent.id].sort());
  });
});

describe('POST /v1/workspaces', () => {
  it('needs the server admin token: none or a wrong one is 401, a workspace credential 403', async (t) => {
    const { server, ws, boss } = await setup(t);
    assertUnauthorized(await server.request('POST', '/v1/workspaces', { body: { name: 'Evil' } }));
    assertUnauthorized(await server.request('POST', '/v1/workspaces', { token: `${ADMIN_TOKEN}x`, body: { name: 'Evil' } }));
    assertUnauthorized(await server.request('POST', '/v1/workspaces', { token: ADMIN_TOKEN.slice(0, -1), body: { name: 'Evil' } }));
    assertForbidden(await server.request('POST', '/v1/workspaces', { token: ws.apiKey, body: { name: 'Evil' } }));
    assertForbidden(await server.request('POST', '/v1/workspaces', { token: boss.token, body: { name: 'Evil' } }));
  });

  it('with the admin token: 201 with the workspace, a working API key and signing keys', async (t) => {
    const { server } = await setup(t);
    const res = await server.request('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { name: 'Initech', timeZone: 'Europe/Madrid' } });
    assert.equal(res.status, 201);
    const { workspace, apiKey, signingKeys } = res.body;
    assert.equal(workspace.name, 'Initech');
    assert.equal(workspace.timeZone, 'Europe/Madrid');
    assert.match(apiKey, /^bk_.{16,}/);
    assert.equal(signingKeys.length, 1);
    assert.equal(typeof signingKeys[0].kid, 'string');
    assert.ok(signingKeys[0].secret.length >= 32);

    const mine = await server.request('GET', '/v1/workspace', { token: apiKey });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.workspace.id, workspace.id);

    const agent = await server.request('POST', '/v1/agents', { token: apiKey, body: { name: 'Ana', username: 'ana' } });
    assert.equal(agent.status, 201);
    const iat = Math.floor(server.clock!.now() / 1000);
    const token = await sign({
      key: signingKeys[0],
      claims: { sub: agent.body.agent.id, ws: workspace.id, role: 'agent', aud: 'baton', iat, exp: iat + 300, jti: randomUUID() },
    });
    const me = await whoAmI(server, token);
    assert.equal(me.status, 200);
    assert.equal(me.body.agent.id, agent.body.agent.id);
  });

  it('every workspace gets its own keys', async (t) => {
    const { ws: a, other: b } = await setup(t);
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.apiKey, b.apiKey);
    assert.notEqual(a.signingKeys[0]!.kid, b.signingKeys[0]!.kid);
    assert.notEqual(a.signingKeys[0]!.secret, b.signingKeys[0]!.secret);
  });

  it('is disabled when the server has no admin token', async (t) => {
    const bare = await TestServer.startFor(t, { adminToken: undefined });
    for (const token of [undefined, ADMIN_TOKEN, 'bk_anything']) {
      const res = await bare.request('POST', '/v1/workspaces', { ...(token === undefined ? {} : { token }), body: { name: 'X' } });
      assert.ok(res.status === 401 || res.status === 403, `got ${res.status}`);
      assert.ok(['unauthorized', 'forbidden'].includes(res.body.error.code));
    }
  });
});

describe('GET /v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document, open to anyone', async (t) => {
    const { server } = await setup(t);
    const res = await server.request('GET', '/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(res.body.openapi, /^3\.1\.\d+$/);
    assert.equal(typeof res.body.info.title, 'string');
    assert.equal(typeof res.body.info.version, 'string');
    assert.equal(typeof res.body.paths, 'object');
  });

  it('lists every route of the protocol table with its method, and nothing else', async (t) => {
    const { server } = await setup(t);
    const { body: doc } = await server.request('GET', '/v1/openapi.json');
    const entries = Object.entries(routes);
    assert.ok(entries.length >= 25, 'the route table is not empty');
    for (const [name, spec] of entries) {
      const path = spec.path.replace(/:(\w+)/g, '{$1}');
      const operation = doc.paths[path]?.[spec.method];
      assert.ok(operation, `${spec.method.toUpperCase()} ${path} (${name}) is missing`);
      assert.equal(operation.operationId, name);
      assert.ok(operation.responses[String(spec.status)], `${name} documents its ${spec.status}`);
      for (const [, param] of spec.path.matchAll(/:(\w+)/g)) {
        assert.ok(
          operation.parameters?.some((p: any) => p.in === 'path' && p.name === param && p.required === true),
          `${name} documents path parameter ${param}`,
        );
      }
      if ('body' in spec) assert.ok(operation.requestBody?.content?.['application/json']?.schema, `${name} has a request body schema`);
    }
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m} ${p}`));
    assert.equal(documented.length, entries.length, 'no operations beyond the route table');
  });

  it('request body schemas reject unknown fields, as the server does', async (t) => {
    const { server } = await setup(t);
    const { body: doc } = await server.request('GET', '/v1/openapi.json');
    const schema = doc.paths['/v1/conversations/{id}/notes'].post.requestBody.content['application/json'].schema;
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ['body']);
  });
});
