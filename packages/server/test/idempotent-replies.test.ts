import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { routes, secretPaths, withoutSecrets, type RouteName } from '@baton/protocol';
import Sqlite from 'libsql';
import { openSqlite, type Storage } from '../src/storage/db.js';
import { migrate } from '../src/storage/migrate.js';
import { claimKey } from '../src/storage/idempotency.js';
import { IdempotentReply } from '../src/services/idempotent-reply.js';
import { createContact } from '../src/services/contacts.js';
import { ADMIN_TOKEN, LOOPBACK_DESTINATIONS, TestServer, tempDbFile, type HttpResult, type TestAgent, type TestWorkspace, expectStatus as ok } from '../src/testing.js';
import { BACKGROUND_TABLES } from './support/database-image.js';

// The response of a keyed write is stored by the command's own unit of work (docs/decisions.md,
// "Idempotency"): there is no moment at which a command's change is committed and the response its
// retries will get is not. These tests watch the database from a second connection at every
// commit, and restart a server from a copy taken at the instant the change committed, which is
// what a process killed right then leaves behind.

const PUSH = {
  endpoint: 'https://push.example/send/abc',
  keys: {
    p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url'),
    auth: Buffer.alloc(16, 1).toString('base64url'),
  },
};

/** Tables a command changes. Left out: idempotency keys themselves, and what background work keeps (the same list as a database image's). */
const isBookkeeping = (table: string) => table === 'idempotency_keys' || BACKGROUND_TABLES.test(table);

class Observer {
  readonly db: InstanceType<typeof Sqlite>;
  private readonly tables: string[];

  constructor(readonly file: string) {
    this.db = new Sqlite(file, { timeout: 5000 });
    this.tables = (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[])
      .map((r) => r.name)
      .filter((name) => !isBookkeeping(name));
  }

  /** Everything commands change, as committed: equal strings, equal state. */
  domain(): string {
    return JSON.stringify(
      this.tables.map((table) => [table, (this.db.prepare(`SELECT * FROM "${table}"`).all() as object[]).map((row) => JSON.stringify(row)).sort()]),
    );
  }

  storedReply(key: string): { status_code: number | null; response_body: string | null } | undefined {
    return this.db.prepare('SELECT status_code, response_body FROM idempotency_keys WHERE key = ?').get(key) as never;
  }

  storedBodies(): string[] {
    return (this.db.prepare('SELECT response_body FROM idempotency_keys WHERE response_body IS NOT NULL').all() as { response_body: string }[]).map((r) => r.response_body);
  }

  /** A consistent copy of what is committed right now. */
  copyTo(file: string): void {
    this.db.exec(`VACUUM INTO '${file.replaceAll("'", "''")}'`);
  }
}

interface CommitPoint {
  /** Whether the command's change is committed at this point. */
  changed: boolean;
  /** Whether the response for the key is stored at this point. */
  replyStored: boolean;
}

/**
 * Looks at the committed database from a second connection when each unit of work starts and
 * after each commits: a write that bypasses units is seen at the start of the next unit (every
 * keyed request ends with one, storing its response or releasing its key).
 */
function watchCommits(storage: Storage, observer: Observer, key: string, crashCopy: string) {
  const before = observer.domain();
  const points: CommitPoint[] = [];
  let copied = false;
  const look = () => {
    const point = { changed: observer.domain() !== before, replyStored: observer.storedReply(key)?.status_code != null };
    points.push(point);
    if (point.changed && !copied) {
      observer.copyTo(crashCopy);
      copied = true;
    }
  };
  const write = storage.write;
  storage.write = (work) =>
    write((trx) => {
      look();
      return work(trx);
    }).then((value) => {
      look();
      return value;
    });
  return {
    points,
    get copied() {
      return copied;
    },
    stop: () => void (storage.write = write),
  };
}

interface Fixture {
  server: TestServer;
  observer: Observer;
  dir: string;
  ws: TestWorkspace;
  boss: TestAgent;
  ana: TestAgent;
  contact: { id: string };
  conv: { id: string };
  resolved: { id: string };
  team: { id: string };
  webhook: { id: string };
  /** A draft workflow (never published). */
  workflow: { id: string };
  spareApiKeyId: string;
  spareKid: string;
  savedReply: { id: string };
}

const supportRule = (team: string, name = 'Everyone → Support') => ({
  name,
  trigger: { event: 'conversation.created' },
  actions: [{ type: 'assign', steps: [{ pool: { team }, strategy: 'round_robin' }] }],
});

async function setup(t: TestContext): Promise<Fixture> {
  const file = tempDbFile(t, 'replies');
  const dir = dirname(file);
  const server = await TestServer.start({ db: file, privateDestinations: LOOPBACK_DESTINATIONS });
  const observer = new Observer(file);
  t.after(async () => {
    observer.db.close();
    await server.close();
  });
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const ana = await ws.addAgent('ana');
  const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Carla', externalId: 'crm-1' }), 201);
  const start = async (body: string) => (await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body } }), 201)).conversation;
  const conv = await start('where is my order?');
  const resolved = await start('thanks');
  await ok(boss.call('POST', `/v1/conversations/${resolved.id}/resolve`), 200);
  // Ana gets a notification to mark read.
  await ok(boss.call('POST', `/v1/conversations/${resolved.id}/assign`, { assigneeId: ana.id }), 200);
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [boss.id] }), 201);
  const { webhook } = await ok(ws.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['conversation.reopened'] }), 201);
  await ok(ana.call('POST', '/v1/push-subscriptions', PUSH), 201);
  const { workflow } = await ok(boss.call('POST', '/v1/workflows', supportRule(team.id)), 201);
  const spareApiKeyId = (await ok(ws.api('POST', '/v1/workspace/api-keys'), 201)).apiKey.id;
  const spareKid = (await ok(ws.api('POST', '/v1/workspace/signing-keys'), 201)).signingKey.kid;
  const { savedReply } = await ok(ws.api('POST', '/v1/saved-replies', { name: 'Thanks', body: 'Thanks, {{contact.name}}!' }), 201);
  return { server, observer, dir, ws, boss, ana, contact, conv, resolved, team, webhook, workflow, spareApiKeyId, spareKid, savedReply };
}

/** Lets everything the fixture set off in the background finish, so only the request under test writes. */
async function quiet(server: TestServer): Promise<void> {
  const { deps } = server.server;
  await server.settle();
  await deps.search.idle();
  await deps.jobs.idle();
  await server.settle();
}

type Send = (f: Fixture, base: TestServer, headers: Record<string, string>) => Promise<HttpResult>;
const asCaller = (token: (f: Fixture) => string, method: string, path: (f: Fixture) => string, body?: (f: Fixture) => unknown): Send =>
  (f, base, headers) => base.request(method, path(f), { token: token(f), body: body?.(f), headers });
const api = (f: Fixture) => f.ws.apiKey;
const anaToken = (f: Fixture) => f.ana.token;
const bossToken = (f: Fixture) => f.boss.token;

interface WriteCase {
  send: Send;
  /**
   * `with the change`: the response is committed by the command's unit. `nothing to commit`: the
   * command writes nothing (its response is stored afterwards). `after the change`: the command
   * commits in several units (bulk: one per id), so its response is stored once they all have.
   */
  stored: 'with the change' | 'nothing to commit' | { after: string };
}

/** One instant for every send of the snooze case: a retry must repeat the request exactly. */
const SNOOZE_UNTIL = new Date(Date.now() + 86_400_000).toISOString();

const WRITES: Partial<Record<RouteName, WriteCase>> = {
  createWorkspace: { send: asCaller(() => ADMIN_TOKEN, 'POST', () => '/v1/workspaces', () => ({ name: 'Initech' })), stored: 'with the change' },
  createToken: { send: asCaller(api, 'POST', () => '/v1/tokens', (f) => ({ agentId: f.ana.id })), stored: 'nothing to commit' },
  createAgent: { send: asCaller(api, 'POST', () => '/v1/agents', () => ({ name: 'Cy', username: 'cy' })), stored: 'with the change' },
  updateAgent: { send: asCaller(api, 'PATCH', (f) => `/v1/agents/${f.ana.id}`, () => ({ availability: 'away' })), stored: 'with the change' },
  createTeam: { send: asCaller(api, 'POST', () => '/v1/teams', (f) => ({ name: 'Billing', memberIds: [f.ana.id] })), stored: 'with the change' },
  updateTeam: { send: asCaller(api, 'PATCH', (f) => `/v1/teams/${f.team.id}`, (f) => ({ name: 'Renamed', memberIds: [f.ana.id] })), stored: 'with the change' },
  createContact: { send: asCaller(api, 'POST', () => '/v1/contacts', () => ({ name: 'Dora', externalId: 'crm-2' })), stored: 'with the change' },
  updateContact: { send: asCaller(api, 'PATCH', (f) => `/v1/contacts/${f.contact.id}`, () => ({ tags: ['vip'] })), stored: 'with the change' },
  createConversation: {
    send: asCaller(api, 'POST', () => '/v1/conversations', (f) => ({ contactId: f.contact.id, channel: 'sms', message: { body: 'again' } })),
    stored: 'with the change',
  },
  postMessage: {
    send: asCaller(api, 'POST', (f) => `/v1/conversations/${f.conv.id}/messages`, () => ({ direction: 'inbound', body: 'anyone?' })),
    stored: 'with the change',
  },
  postNote: { send: asCaller(anaToken, 'POST', (f) => `/v1/conversations/${f.conv.id}/notes`, () => ({ body: '@boss look' })), stored: 'with the change' },
  updateConversation: { send: asCaller(anaToken, 'PATCH', (f) => `/v1/conversations/${f.conv.id}`, () => ({ tags: ['billing'], priority: 'high' })), stored: 'with the change' },
  createSavedReply: { send: asCaller(api, 'POST', () => '/v1/saved-replies', () => ({ name: 'Hello', shortcut: 'hi', body: 'Hi {{contact.name}}' })), stored: 'with the change' },
  updateSavedReply: { send: asCaller(api, 'PATCH', (f) => `/v1/saved-replies/${f.savedReply.id}`, () => ({ name: 'Renamed' })), stored: 'with the change' },
  deleteSavedReply: { send: asCaller(api, 'DELETE', (f) => `/v1/saved-replies/${f.savedReply.id}`), stored: 'with the change' },
  bulk: {
    send: asCaller(anaToken, 'POST', () => '/v1/conversations/bulk', (f) => ({ action: 'resolve', ids: [f.conv.id] })),
    stored: { after: 'each id is its own unit of work; the whole response is stored once all have committed (services/bulk.ts)' },
  },
  snooze: {
    send: asCaller(anaToken, 'POST', (f) => `/v1/conversations/${f.conv.id}/snooze`, () => ({ until: SNOOZE_UNTIL })),
    stored: 'with the change',
  },
  assign: { send: asCaller(anaToken, 'POST', (f) => `/v1/conversations/${f.conv.id}/assign`, (f) => ({ assigneeId: f.boss.id })), stored: 'with the change' },
  resolve: { send: asCaller(anaToken, 'POST', (f) => `/v1/conversations/${f.conv.id}/resolve`), stored: 'with the change' },
  reopen: { send: asCaller(anaToken, 'POST', (f) => `/v1/conversations/${f.resolved.id}/reopen`), stored: 'with the change' },
  markRead: { send: asCaller(anaToken, 'POST', (f) => `/v1/conversations/${f.conv.id}/read`), stored: 'with the change' },
  markNotificationsRead: { send: asCaller(anaToken, 'POST', () => '/v1/notifications/read', () => ({ all: true })), stored: 'with the change' },
  createWorkspaceApiKey: { send: asCaller(() => ADMIN_TOKEN, 'POST', (f) => `/v1/workspaces/${f.ws.id}/api-keys`), stored: 'with the change' },
  createApiKey: { send: asCaller(api, 'POST', () => '/v1/workspace/api-keys'), stored: 'with the change' },
  revokeApiKey: { send: asCaller(api, 'DELETE', (f) => `/v1/workspace/api-keys/${f.spareApiKeyId}`), stored: 'with the change' },
  createSigningKey: { send: asCaller(api, 'POST', () => '/v1/workspace/signing-keys'), stored: 'with the change' },
  retireSigningKey: { send: asCaller(api, 'DELETE', (f) => `/v1/workspace/signing-keys/${f.spareKid}`), stored: 'with the change' },
  updatePreferences: { send: asCaller(anaToken, 'PUT', () => '/v1/agents/me/preferences', () => ({ assigned: { email: false } })), stored: 'with the change' },
  updateWorkspace: { send: asCaller(api, 'PATCH', () => '/v1/workspace', () => ({ notificationSnippets: true })), stored: 'with the change' },
  createPushSubscription: {
    send: asCaller(anaToken, 'POST', () => '/v1/push-subscriptions', () => ({ ...PUSH, endpoint: 'https://push.example/send/other' })),
    stored: 'with the change',
  },
  deletePushSubscription: { send: asCaller(anaToken, 'DELETE', () => '/v1/push-subscriptions', () => ({ endpoint: PUSH.endpoint })), stored: 'with the change' },
  createWebhook: {
    send: asCaller(api, 'POST', () => '/v1/webhooks', () => ({ url: 'http://127.0.0.1:9/other', events: ['note.created'] })),
    stored: 'with the change',
  },
  deleteWebhook: { send: asCaller(api, 'DELETE', (f) => `/v1/webhooks/${f.webhook.id}`), stored: 'with the change' },
  createWorkflow: { send: asCaller(bossToken, 'POST', () => '/v1/workflows', (f) => supportRule(f.team.id, 'Another')), stored: 'with the change' },
  validateWorkflow: { send: asCaller(bossToken, 'POST', () => '/v1/workflows/validate', (f) => ({ workflow: supportRule(f.team.id) })), stored: 'nothing to commit' },
  testWorkflow: { send: asCaller(bossToken, 'POST', () => '/v1/workflows/test', (f) => ({ workflow: supportRule(f.team.id), last: 10 })), stored: 'nothing to commit' },
  updateWorkflow: { send: asCaller(bossToken, 'PUT', (f) => `/v1/workflows/${f.workflow.id}`, (f) => supportRule(f.team.id, 'Renamed')), stored: 'with the change' },
  deleteWorkflow: { send: asCaller(bossToken, 'DELETE', (f) => `/v1/workflows/${f.workflow.id}`), stored: 'with the change' },
  publishWorkflow: { send: asCaller(bossToken, 'POST', (f) => `/v1/workflows/${f.workflow.id}/publish`), stored: 'with the change' },
};

const WRITE_ROUTES = (Object.keys(routes) as RouteName[]).filter((name) => routes[name].method !== 'get');

/** Every value at the response's secret paths, e.g. the `bk_…` key of a new workspace. */
function secretValues(name: RouteName, body: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown, path: string[]): void => {
    if (path.length === 0) return void (typeof node === 'string' && found.push(node));
    const [step, ...rest] = path as [string, ...string[]];
    if (step === '*') return void (Array.isArray(node) && node.forEach((item) => visit(item, rest)));
    if (node && typeof node === 'object') visit((node as Record<string, unknown>)[step], rest);
  };
  for (const path of secretPaths(routes[name].response)) visit(body, path);
  return found;
}

describe('a keyed write and its stored response commit together', () => {
  it('every write route of the protocol table is covered here', () => {
    for (const name of WRITE_ROUTES) assert.ok(WRITES[name], `add a case for ${name}`);
  });

  for (const name of WRITE_ROUTES) {
    const c = WRITES[name]!;
    const expectation = typeof c.stored === 'string' ? c.stored : `after the change (${c.stored.after})`;
    it(`${routes[name].method.toUpperCase()} ${routes[name].path} (${name}): stored ${expectation}`, async (t) => {
      const f = await setup(t);
      await quiet(f.server);
      const key = randomUUID();
      const crashCopy = join(f.dir, 'crashed.db');
      const watch = watchCommits(f.server.server.deps.storage, f.observer, key, crashCopy);
      const first = await c.send(f, f.server, { 'Idempotency-Key': key });
      watch.stop();
      assert.equal(first.status, routes[name].status, JSON.stringify(first.body));
      assert.ok(f.observer.storedReply(key)?.status_code, 'the response is stored');

      // Never a secret in what is stored: neither in this response nor in any other.
      const secrets = secretValues(name, first.body);
      if (secretPaths(routes[name].response).length > 0) assert.ok(secrets.length > 0, 'the first response shows its secrets');
      for (const body of f.observer.storedBodies()) for (const value of secrets) assert.ok(!body.includes(value), `${name}: a secret was stored`);

      const changedWithoutReply = watch.points.filter((p) => p.changed && !p.replyStored);
      if (c.stored === 'nothing to commit') {
        assert.ok(!watch.points.some((p) => p.changed), 'the command wrote nothing');
      } else if (c.stored === 'with the change') {
        assert.ok(watch.copied, 'the command changed something');
        assert.deepEqual(changedWithoutReply, [], 'at no commit was the change there without its response');
      } else {
        // Known: the units commit first. Seeing it here shows this check finds the gap it guards.
        assert.ok(changedWithoutReply.length > 0, `${name} now stores its response with its change: list it so`);
        return;
      }

      // The process dies right after the command's commit (a command that commits nothing: after
      // it answered); another process starts on what was on disk, and the client retries there.
      if (c.stored === 'nothing to commit') f.observer.copyTo(crashCopy);
      const restarted = await TestServer.start({ db: crashCopy, privateDestinations: LOOPBACK_DESTINATIONS });
      const onDisk = new Observer(crashCopy);
      try {
        await quiet(restarted);
        const atRestart = onDisk.domain();
        const retry = await c.send(f, restarted, { 'Idempotency-Key': key });
        assert.equal(retry.status, first.status, JSON.stringify(retry.body));
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(retry.body, withoutSecrets(routes[name].response, first.body));
        await quiet(restarted);
        assert.equal(onDisk.domain(), atRestart, 'the retry changed nothing');
      } finally {
        onDisk.db.close();
        await restarted.close();
      }
    });
  }
});

describe('secrets are never stored: a replay has the ids without them', () => {
  const replayOf = async (send: () => Promise<HttpResult>) => {
    const first = await send();
    const retry = await send();
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(retry.status, first.status);
    return { first: first.body, retry: retry.body };
  };

  it('POST /v1/workspaces: the workspace and signing key ids, no API key, no signing secret', async (t) => {
    const server = await TestServer.startFor(t);
    const headers = { 'Idempotency-Key': randomUUID() };
    const { first, retry } = await replayOf(() => server.request('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { name: 'Initech' }, headers }));
    assert.match(first.apiKey, /^bk_/);
    assert.ok(first.signingKeys[0].secret);
    assert.deepEqual(retry, { workspace: first.workspace, signingKeys: [{ kid: first.signingKeys[0].kid }] });
    // The secret shown once still works: it is only the stored copy that lacks it.
    assert.equal((await server.request('GET', '/v1/workspace', { token: first.apiKey })).status, 200);
  });

  it('POST /v1/workspace/api-keys and /signing-keys: the key info, not the key', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace('Acme');
    const apiKey = await replayOf(() => ws.api('POST', '/v1/workspace/api-keys', undefined, { 'Idempotency-Key': 'rotate-1' }));
    assert.match(apiKey.first.key, /^bk_/);
    assert.deepEqual(apiKey.retry, { apiKey: apiKey.first.apiKey });
    const signing = await replayOf(() => ws.api('POST', '/v1/workspace/signing-keys', undefined, { 'Idempotency-Key': 'rotate-2' }));
    assert.ok(signing.first.secret);
    assert.deepEqual(signing.retry, { signingKey: signing.first.signingKey });
    // One key of each was made, whatever the retries.
    const { apiKeys, signingKeys } = await ok(ws.api('GET', '/v1/workspace/credentials'), 200);
    assert.equal(apiKeys.length, 2);
    assert.equal(signingKeys.length, 2);
  });

  it('POST /v1/webhooks: the endpoint, not its whsec_ secret; POST /v1/tokens: the expiry, not the token', async (t) => {
    const server = await TestServer.startFor(t, { privateDestinations: LOOPBACK_DESTINATIONS });
    const ws = await server.createWorkspace('Acme');
    const ana = await ws.addAgent('ana');
    const hook = await replayOf(() => ws.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['note.created'] }, { 'Idempotency-Key': 'hook-1' }));
    assert.match(hook.first.secret, /^whsec_/);
    assert.deepEqual(hook.retry, { webhook: hook.first.webhook });
    const token = await replayOf(() => ws.api('POST', '/v1/tokens', { agentId: ana.id }, { 'Idempotency-Key': 'mint-1' }));
    assert.ok(token.first.token);
    assert.deepEqual(token.retry, { expiresAt: token.first.expiresAt });

    const stored = (await server.server.deps.storage.db.selectFrom('idempotency_keys').select('response_body').execute()).map((r) => r.response_body ?? '');
    assert.equal(stored.length, 2);
    for (const body of stored) {
      assert.ok(!body.includes(hook.first.secret) && !body.includes(token.first.token) && !body.includes('whsec_'), body);
    }
  });
});

describe('the key is held by one request at a time', () => {
  it('a request whose claim a retry took over cannot commit: its unit rolls back with 409', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace('Acme');
    const { deps } = server.server;
    const scope = { workspaceId: ws.id, principal: 'apiKey', key: 'slow-1' };
    const claim = async () => {
      const now = deps.clock.now();
      return deps.storage.write((trx) => claimKey(trx, scope, 'same request', now, now - 60_000));
    };
    const slow = await claim();
    assert.ok(slow.kind === 'claimed');
    assert.equal((await claim()).kind, 'in_progress', 'a duplicate while it runs');
    server.clock!.advance(61_000);
    const retry = await claim();
    assert.equal(retry.kind, 'claimed', 'after a minute the claim looks abandoned and a retry takes it');

    // The first request was only slow. Its command now reaches its unit of work.
    const reply = new IdempotentReply(slow.claim);
    reply.expect(() => ({ body: {}, stored: { status: 201, body: '{"contact":"from the slow request"}' } }));
    await assert.rejects(createContact({ ...deps, reply }, { kind: 'apiKey', workspaceId: ws.id }, { name: 'Twice', externalId: 'crm-slow' }), (error: any) => {
      assert.equal(error.status, 409);
      assert.equal(error.code, 'idempotency_request_in_progress');
      return true;
    });
    assert.deepEqual((await ok(ws.api('GET', '/v1/contacts?externalId=crm-slow'), 200)).items, [], 'nothing of the slow request committed');
    const row = await deps.storage.db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'slow-1').executeTakeFirstOrThrow();
    assert.equal(row.status_code, null, 'the key is still the retry’s to answer');
  });

  it('a server error releases the key: the retry runs for real, once', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace('Acme');
    const { storage } = server.server.deps;
    await server.settle();
    // The command's unit is the second write of a keyed request (after the claim); the disk fails there once.
    const write = storage.write;
    let writes = 0;
    storage.write = (work) => (++writes === 2 ? Promise.reject(new Error('disk I/O error')) : write(work));
    const headers = { 'Idempotency-Key': 'io-1' };
    const body = { name: 'Eve', externalId: 'crm-io' };
    const failed = await ws.api('POST', '/v1/contacts', body, headers);
    storage.write = write;
    assert.equal(failed.status, 500, JSON.stringify(failed.body));
    assert.equal(failed.body.error.code, 'internal');
    const retry = await ws.api('POST', '/v1/contacts', body, headers);
    assert.equal(retry.status, 201, JSON.stringify(retry.body));
    assert.equal(retry.headers.get('idempotent-replayed'), null);
    assert.equal((await ok(ws.api('GET', '/v1/contacts?externalId=crm-io'), 200)).items.length, 1);
    assert.equal((await ws.api('POST', '/v1/contacts', body, headers)).headers.get('idempotent-replayed'), 'true');
  });
});

describe('migration 0013', () => {
  it('takes the secrets out of responses stored before it, and leaves everything else as it was', async (t) => {
    const storage = await openSqlite(':memory:');
    t.after(() => storage.close());
    const stored = {
      workspace: { workspace: { id: 'ws_1', name: 'Acme' }, apiKey: 'bk_legacy', signingKeys: [{ kid: 'kid_1', secret: 'sign-legacy' }] },
      apiKey: { apiKey: { id: 'key_1', createdAt: '2025-01-01T00:00:00.000Z', revokedAt: null }, key: 'bk_legacy2' },
      signingKey: { signingKey: { kid: 'kid_2', createdAt: '2025-01-01T00:00:00.000Z', retiredAt: null }, secret: 'sign-legacy2' },
      webhook: { webhook: { id: 'wh_1', url: 'https://x.example' }, secret: 'whsec_legacy' },
      token: { token: 'eyJ.legacy.token', expiresAt: '2025-01-01T01:00:00.000Z' },
      // Not one of those responses, though it has a field called secret: left alone.
      note: { note: { id: 'tl_1', body: 'the secret is out' }, secret: 'not a credential' },
      refusal: { error: { code: 'conflict', message: 'x', details: { apiKey: { id: 'key_1' } } } },
    };
    const rows = Object.entries(stored).map(([key, body]) => ({
      workspace_id: 'ws_1',
      principal: 'apiKey',
      key,
      request_hash: 'h',
      status_code: key === 'refusal' ? 409 : 201,
      response_body: JSON.stringify(body),
      created_at: 1,
    }));
    await storage.db.insertInto('idempotency_keys').values(rows).execute();
    await storage.db.deleteFrom('baton_migrations').where('version', '=', 13).execute();
    assert.deepEqual(await migrate(storage.db, 'sqlite'), [13]);

    const after = Object.fromEntries(
      (await storage.db.selectFrom('idempotency_keys').select(['key', 'response_body']).execute()).map((r) => [r.key, JSON.parse(r.response_body!)]),
    );
    assert.deepEqual(after, {
      workspace: { workspace: stored.workspace.workspace, signingKeys: [{ kid: 'kid_1' }] },
      apiKey: { apiKey: stored.apiKey.apiKey },
      signingKey: { signingKey: stored.signingKey.signingKey },
      webhook: { webhook: stored.webhook.webhook },
      token: { expiresAt: stored.token.expiresAt },
      note: stored.note,
      refusal: stored.refusal,
    });
  });
});
