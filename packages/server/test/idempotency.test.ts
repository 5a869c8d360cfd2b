import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { TestServer, type HttpResult, type TestAgent, type TestWorkspace, expectStatus as ok } from '../src/testing.js';

// DESIGN §5: every write accepts `Idempotency-Key`; a retry with the same key returns the first
// response and changes nothing.

interface Fixture {
  server: TestServer;
  ws: TestWorkspace;
  boss: TestAgent;
  ana: TestAgent;
  ben: TestAgent;
  contact: any;
  conv: any;
}

async function setup(t: TestContext): Promise<Fixture> {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Carla', externalId: 'crm-1' }), 201);
  const { conversation: conv } = await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hello?' } }), 201);
  return { server, ws, boss, ana, ben, contact, conv };
}

const withKey = (key: string, extra: Record<string, string> = {}) => ({ 'Idempotency-Key': key, ...extra });
const replayed = (res: HttpResult) => res.headers.get('idempotent-replayed');

async function timelineLength(f: Fixture, convId = f.conv.id): Promise<number> {
  return (await ok(f.ws.api('GET', `/v1/conversations/${convId}/timeline?limit=500`), 200)).items.length;
}
async function conversation(f: Fixture, convId = f.conv.id) {
  return (await ok(f.ws.api('GET', `/v1/conversations/${convId}`), 200)).conversation;
}
async function contactConversationCount(f: Fixture): Promise<number> {
  return (await ok(f.ws.api('GET', `/v1/contacts/${f.contact.id}/conversations`), 200)).items.length;
}
async function agentCount(f: Fixture): Promise<number> {
  return (await ok(f.ws.api('GET', '/v1/agents'), 200)).items.length;
}
async function contactsWithExternalId(f: Fixture, externalId: string): Promise<number> {
  return (await ok(f.ws.api('GET', `/v1/contacts?externalId=${externalId}`), 200)).items.length;
}

interface RetryCase {
  status: number;
  send: (f: Fixture, headers: Record<string, string>) => Promise<HttpResult>;
  /** State the request changes: equal after the first call and after the retry. */
  measure: (f: Fixture) => Promise<unknown>;
  /** A change made between the first call and the retry, so re-running it would show. */
  between?: (f: Fixture, first: HttpResult) => Promise<void>;
  /** What must still hold after the retry (the retry did not undo `between`). */
  after?: (f: Fixture, first: HttpResult) => Promise<void>;
}

const RETRIES: Record<string, RetryCase> = {
  'POST /v1/conversations': {
    status: 201,
    send: (f, h) => f.ws.api('POST', '/v1/conversations', { contactId: f.contact.id, channel: 'sms', message: { body: 'second question' } }, h),
    measure: async (f) => ({ ofContact: await contactConversationCount(f), all: (await ok(f.ana.call('GET', '/v1/conversations/counts'), 200)).all }),
  },
  'POST /v1/conversations (agent, inline contact)': {
    status: 201,
    send: (f, h) => f.ana.call('POST', '/v1/conversations', { contact: { name: 'Dora', externalId: 'crm-9' }, channel: 'email', subject: 'Hi' }, h),
    measure: async (f) => ({ contacts: await contactsWithExternalId(f, 'crm-9'), all: (await ok(f.ana.call('GET', '/v1/conversations/counts'), 200)).all }),
  },
  'POST /v1/conversations/:id/messages (inbound, API key)': {
    status: 201,
    send: (f, h) => f.ws.api('POST', `/v1/conversations/${f.conv.id}/messages`, { direction: 'inbound', body: 'anyone there?' }, h),
    measure: (f) => timelineLength(f),
  },
  'POST /v1/conversations/:id/messages (outbound, agent)': {
    status: 201,
    send: (f, h) => f.ana.call('POST', `/v1/conversations/${f.conv.id}/messages`, { direction: 'outbound', body: 'on it' }, h),
    measure: (f) => timelineLength(f),
  },
  'POST /v1/conversations/:id/notes': {
    status: 201,
    send: (f, h) => f.ana.call('POST', `/v1/conversations/${f.conv.id}/notes`, { body: '@ben have a look' }, h),
    measure: async (f) => ({ timeline: await timelineLength(f), benNotifications: (await ok(f.ben.call('GET', '/v1/notifications'), 200)).items.length }),
  },
  'POST /v1/conversations/:id/assign': {
    status: 200,
    send: (f, h) => f.boss.call('POST', `/v1/conversations/${f.conv.id}/assign`, { assigneeId: f.ana.id }, h),
    measure: (f) => timelineLength(f),
    // Someone else reassigns; a re-run of the retry would take it back.
    between: async (f) => void (await ok(f.ben.call('POST', `/v1/conversations/${f.conv.id}/assign`, { assigneeId: f.ben.id }), 200)),
    after: async (f, first) => {
      assert.equal(first.body.conversation.assigneeId, f.ana.id);
      assert.equal((await conversation(f)).assigneeId, f.ben.id, 'the retry did not reassign');
      assert.equal((await ok(f.ana.call('GET', '/v1/notifications'), 200)).items.length, 1, 'ana was notified once');
    },
  },
  'POST /v1/conversations/:id/resolve': {
    status: 200,
    send: (f, h) => f.ana.call('POST', `/v1/conversations/${f.conv.id}/resolve`, undefined, h),
    measure: (f) => timelineLength(f),
    between: async (f) => void (await ok(f.ben.call('POST', `/v1/conversations/${f.conv.id}/reopen`), 200)),
    after: async (f, first) => {
      assert.equal(first.body.conversation.status, 'resolved');
      assert.equal((await conversation(f)).status, 'open', 'the retry did not resolve again');
    },
  },
  'POST /v1/agents': {
    status: 201,
    send: (f, h) => f.ws.api('POST', '/v1/agents', { name: 'Cy', username: 'cy' }, h),
    measure: (f) => agentCount(f),
  },
  'POST /v1/agents (admin agent)': {
    status: 201,
    send: (f, h) => f.boss.call('POST', '/v1/agents', { name: 'Dee', username: 'dee', skills: ['es'] }, h),
    measure: (f) => agentCount(f),
  },
  'POST /v1/contacts': {
    status: 201,
    send: (f, h) => f.ws.api('POST', '/v1/contacts', { name: 'Eve', externalId: 'crm-2' }, h),
    measure: (f) => contactsWithExternalId(f, 'crm-2'),
  },
  'POST /v1/contacts (no externalId)': {
    status: 201,
    send: (f, h) => f.ana.call('POST', '/v1/contacts', { name: 'Fay', phone: '+15550001' }, h),
    // Without an external id nothing stops a duplicate but the key; the lookup by phone counts them.
    measure: async (f) => (await ok(f.ws.api('GET', `/v1/contacts?phone=${encodeURIComponent('+15550001')}`), 200)).items.length,
  },
};

describe('a retry with the same Idempotency-Key returns the first response and writes nothing', () => {
  for (const [label, c] of Object.entries(RETRIES)) {
    it(label, async (t) => {
      const f = await setup(t);
      const key = randomUUID();
      const initial = await c.measure(f);
      const first = await c.send(f, withKey(key));
      assert.equal(first.status, c.status, JSON.stringify(first.body));
      assert.equal(replayed(first), null, 'the first response is not a replay');
      const afterFirst = await c.measure(f);
      assert.notDeepEqual(afterFirst, initial, 'the first request wrote something');
      await c.between?.(f, first);
      const expected = await c.measure(f);

      for (let i = 0; i < 2; i++) {
        const retry = await c.send(f, withKey(key));
        assert.equal(retry.status, first.status);
        assert.deepEqual(retry.body, first.body);
        assert.equal(replayed(retry), 'true');
        assert.match(retry.headers.get('content-type') ?? '', /^application\/json/);
      }
      assert.deepEqual(await c.measure(f), expected, 'nothing written by the retries');
      await c.after?.(f, first);

      // A new key is a new request.
      const fresh = await c.send(f, withKey(randomUUID()));
      assert.equal(replayed(fresh), null);
      assert.notDeepEqual(fresh.body, first.body);
    });
  }
});

describe('the same key with a different request', () => {
  it('a different body → 422 idempotency_key_reused, nothing written', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const path = `/v1/conversations/${f.conv.id}/notes`;
    assert.equal((await f.ana.call('POST', path, { body: 'first' }, withKey(key))).status, 201);
    const before = await timelineLength(f);
    const res = await f.ana.call('POST', path, { body: 'second' }, withKey(key));
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'idempotency_key_reused');
    assert.equal(typeof res.body.error.message, 'string');
    assert.equal(await timelineLength(f), before);
    // The original is still what the key answers with.
    const again = await f.ana.call('POST', path, { body: 'first' }, withKey(key));
    assert.equal(again.status, 201);
    assert.equal(replayed(again), 'true');
  });

  it('a different endpoint or conversation → 422, nothing written', async (t) => {
    const f = await setup(t);
    const other = (await ok(f.ws.api('POST', '/v1/conversations', { contactId: f.contact.id, channel: 'sms' }), 201)).conversation;
    const key = randomUUID();
    assert.equal((await f.ana.call('POST', `/v1/conversations/${f.conv.id}/notes`, { body: 'same text' }, withKey(key))).status, 201);
    const before = [await timelineLength(f), await timelineLength(f, other.id)];
    for (const [path, body] of [
      [`/v1/conversations/${other.id}/notes`, { body: 'same text' }],
      [`/v1/conversations/${f.conv.id}/messages`, { direction: 'outbound', body: 'same text' }],
      [`/v1/conversations/${f.conv.id}/resolve`, undefined],
    ] as const) {
      const res = await f.ana.call('POST', path, body, withKey(key));
      assert.equal(res.status, 422, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'idempotency_key_reused');
    }
    assert.deepEqual([await timelineLength(f), await timelineLength(f, other.id)], before);
    assert.equal((await conversation(f)).status, 'open');
  });

  it('a different If-Match → 422, nothing written', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const path = `/v1/conversations/${f.conv.id}/assign`;
    const { version } = await conversation(f);
    assert.equal((await f.ana.call('POST', path, { assigneeId: f.ana.id }, withKey(key, { 'If-Match': String(version) }))).status, 200);
    const before = await conversation(f);
    const res = await f.ana.call('POST', path, { assigneeId: f.ana.id }, withKey(key, { 'If-Match': String(version + 1) }));
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'idempotency_key_reused');
    assert.deepEqual(await conversation(f), before);
  });
});

describe('keys belong to their caller', () => {
  it('the same key from another agent is a separate request', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const path = `/v1/conversations/${f.conv.id}/notes`;
    const before = await timelineLength(f);
    const a = await f.ana.call('POST', path, { body: 'same words' }, withKey(key));
    const b = await f.ben.call('POST', path, { body: 'same words' }, withKey(key));
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.equal(replayed(b), null);
    assert.notEqual(a.body.note.id, b.body.note.id);
    assert.equal(b.body.note.author.id, f.ben.id);
    assert.equal(await timelineLength(f), before + 2);
  });

  it('the same agent retrying with a refreshed token is still a retry', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const path = `/v1/conversations/${f.conv.id}/notes`;
    const first = await f.ana.call('POST', path, { body: 'before the refresh' }, withKey(key));
    assert.equal(first.status, 201);
    const before = await timelineLength(f);
    f.server.clock!.advance(1000); // a new iat, so a different token
    const { token } = await ok(f.ws.api('POST', '/v1/tokens', { agentId: f.ana.id }), 201);
    assert.notEqual(token, f.ana.token);
    const retry = await f.server.request('POST', path, { token, body: { body: 'before the refresh' }, headers: withKey(key) });
    assert.equal(retry.status, 201);
    assert.equal(replayed(retry), 'true');
    assert.deepEqual(retry.body, first.body);
    assert.equal(await timelineLength(f), before);
  });

  it('the same key from the API key and from an agent are separate requests', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const body = { name: 'Gus' };
    const a = await f.ws.api('POST', '/v1/contacts', body, withKey(key));
    const b = await f.ana.call('POST', '/v1/contacts', body, withKey(key));
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.equal(replayed(b), null);
    assert.notEqual(a.body.contact.id, b.body.contact.id);
  });

  it('the same key in another workspace is a separate request', async (t) => {
    const f = await setup(t);
    const other = await f.server.createWorkspace('Globex');
    const key = randomUUID();
    const body = { name: 'Cy', username: 'cy' };
    const a = await f.ws.api('POST', '/v1/agents', body, withKey(key));
    const b = await other.api('POST', '/v1/agents', body, withKey(key));
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.equal(replayed(b), null);
    assert.notEqual(a.body.agent.id, b.body.agent.id);
    assert.deepEqual((await ok(other.api('GET', '/v1/agents'), 200)).items.map((x: any) => x.id), [b.body.agent.id]);
    // And a retry in each workspace replays its own response.
    assert.deepEqual((await other.api('POST', '/v1/agents', body, withKey(key))).body, b.body);
    assert.deepEqual((await f.ws.api('POST', '/v1/agents', body, withKey(key))).body, a.body);
  });
});

describe('failed requests replay their failure', () => {
  it('a 403 is replayed even after the caller gained the right', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const body = { name: 'Hal', username: 'hal' };
    const first = await f.ana.call('POST', '/v1/agents', body, withKey(key));
    assert.equal(first.status, 403);
    await ok(f.ws.api('PATCH', `/v1/agents/${f.ana.id}`, { role: 'admin' }), 200);
    const before = await agentCount(f);
    const retry = await f.ana.call('POST', '/v1/agents', body, withKey(key));
    assert.equal(retry.status, 403);
    assert.deepEqual(retry.body, first.body);
    assert.equal(replayed(retry), 'true');
    assert.equal(await agentCount(f), before);
    // A new key runs it for real.
    assert.equal((await f.ana.call('POST', '/v1/agents', body, withKey(randomUUID()))).status, 201);
  });

  it('a 409 version conflict is replayed even once the version matches', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const path = `/v1/conversations/${f.conv.id}/assign`;
    const { version } = await conversation(f);
    const headers = withKey(key, { 'If-Match': String(version + 1) });
    const first = await f.ana.call('POST', path, { assigneeId: f.ana.id }, headers);
    assert.equal(first.status, 409);
    assert.equal(first.body.error.code, 'version_conflict');
    // Bring the conversation to the version the request named.
    await ok(f.ben.call('POST', path, { assigneeId: f.ben.id }), 200);
    assert.equal((await conversation(f)).version, version + 1);
    const before = await timelineLength(f);
    const retry = await f.ana.call('POST', path, { assigneeId: f.ana.id }, headers);
    assert.equal(retry.status, 409);
    assert.deepEqual(retry.body, first.body);
    assert.equal(replayed(retry), 'true');
    assert.equal((await conversation(f)).assigneeId, f.ben.id);
    assert.equal(await timelineLength(f), before);
  });

  for (const [label, send, status, code] of [
    ['a 400 validation error', (f: Fixture, h: Record<string, string>) => f.ana.call('POST', `/v1/conversations/${f.conv.id}/notes`, { body: '' }, h), 400, 'validation_failed'],
    ['a 400 unknown assignee', (f: Fixture, h: Record<string, string>) => f.ana.call('POST', `/v1/conversations/${f.conv.id}/assign`, { assigneeId: 'agt_nobody' }, h), 400, 'validation_failed'],
    ['a 404', (f: Fixture, h: Record<string, string>) => f.ana.call('POST', '/v1/conversations/conv_nope/notes', { body: 'hi' }, h), 404, 'not_found'],
    ['a 409 conflict', (f: Fixture, h: Record<string, string>) => f.ws.api('POST', '/v1/agents', { name: 'Ana', username: 'ana' }, h), 409, 'conflict'],
  ] as const) {
    it(`${label} is replayed with the same status and body`, async (t) => {
      const f = await setup(t);
      const key = randomUUID();
      const first = await send(f, withKey(key));
      assert.equal(first.status, status, JSON.stringify(first.body));
      assert.equal(first.body.error.code, code);
      assert.equal(replayed(first), null);
      const retry = await send(f, withKey(key));
      assert.equal(retry.status, status);
      assert.deepEqual(retry.body, first.body);
      assert.equal(replayed(retry), 'true');
    });
  }
});

describe('concurrent duplicates', () => {
  const CONCURRENT: Record<string, { send: (f: Fixture, h: Record<string, string>) => Promise<HttpResult>; status: number; measure: (f: Fixture) => Promise<unknown> }> = {
    'POST /v1/conversations/:id/notes': {
      send: (f, h) => f.ana.call('POST', `/v1/conversations/${f.conv.id}/notes`, { body: 'once' }, h),
      status: 201,
      measure: (f) => timelineLength(f),
    },
    'POST /v1/conversations/:id/messages': {
      send: (f, h) => f.ws.api('POST', `/v1/conversations/${f.conv.id}/messages`, { direction: 'inbound', body: 'once' }, h),
      status: 201,
      measure: (f) => timelineLength(f),
    },
    'POST /v1/conversations': {
      send: (f, h) => f.ws.api('POST', '/v1/conversations', { contactId: f.contact.id, channel: 'sms', message: { body: 'once' } }, h),
      status: 201,
      measure: (f) => contactConversationCount(f),
    },
    'POST /v1/contacts': {
      send: (f, h) => f.ws.api('POST', '/v1/contacts', { name: 'Ivy', phone: '+15550002' }, h),
      status: 201,
      measure: async (f) => (await ok(f.ws.api('GET', `/v1/contacts?phone=${encodeURIComponent('+15550002')}`), 200)).items.length,
    },
    'POST /v1/agents': {
      send: (f, h) => f.ws.api('POST', '/v1/agents', { name: 'Jo', username: 'jo' }, h),
      status: 201,
      measure: (f) => agentCount(f),
    },
    'POST /v1/conversations/:id/assign': {
      send: (f, h) => f.boss.call('POST', `/v1/conversations/${f.conv.id}/assign`, { assigneeId: f.ana.id }, h),
      status: 200,
      measure: async (f) => ({ timeline: await timelineLength(f), notifications: (await ok(f.ana.call('GET', '/v1/notifications'), 200)).items.length }),
    },
  };

  for (const [label, c] of Object.entries(CONCURRENT)) {
    it(`${label}: one key sent eight times at once writes once`, async (t) => {
      const f = await setup(t);
      const before = await c.measure(f);
      const key = randomUUID();
      const results = await Promise.all(Array.from({ length: 8 }, () => c.send(f, withKey(key))));
      const winners = results.filter((r) => r.status === c.status);
      assert.ok(winners.length >= 1, `statuses: ${results.map((r) => r.status)}`);
      assert.equal(winners.filter((r) => replayed(r) === null).length, 1, 'exactly one ran');
      for (const r of winners) assert.deepEqual(r.body, winners[0]!.body);
      for (const r of results.filter((x) => x.status !== c.status)) {
        assert.equal(r.status, 409, JSON.stringify(r.body));
        assert.equal(r.body.error.code, 'idempotency_request_in_progress');
      }
      const after = await c.measure(f);
      assert.notDeepEqual(after, before);
      // Exactly one write: a single sequential request from the same start would give the same state.
      const retry = await c.send(f, withKey(key));
      assert.equal(retry.status, c.status);
      assert.equal(replayed(retry), 'true');
      assert.deepEqual(retry.body, winners[0]!.body);
      assert.deepEqual(await c.measure(f), after);
      if (typeof before === 'number') assert.equal(after, before + 1);
    });
  }
});

describe('the key itself', () => {
  it('must be 1–255 characters', async (t) => {
    const f = await setup(t);
    const path = `/v1/conversations/${f.conv.id}/notes`;
    const before = await timelineLength(f);
    for (const key of ['', 'k'.repeat(256)]) {
      const res = await f.ana.call('POST', path, { body: 'hi' }, withKey(key));
      assert.equal(res.status, 400, `key of ${key.length}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'bad_request');
    }
    assert.equal(await timelineLength(f), before);
    const longest = await f.ana.call('POST', path, { body: 'hi' }, withKey('k'.repeat(255)));
    assert.equal(longest.status, 201);
    assert.equal(replayed(await f.ana.call('POST', path, { body: 'hi' }, withKey('k'.repeat(255)))), 'true');
  });

  it('is ignored on reads', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const first = await f.ana.call('GET', `/v1/conversations/${f.conv.id}/timeline`, undefined, withKey(key));
    await ok(f.ana.call('POST', `/v1/conversations/${f.conv.id}/notes`, { body: 'new' }), 201);
    const second = await f.ana.call('GET', `/v1/conversations/${f.conv.id}/timeline`, undefined, withKey(key));
    assert.equal(replayed(second), null);
    assert.equal(second.body.items.length, first.body.items.length + 1);
  });

  it('without a key, a repeated request runs again', async (t) => {
    // The control for everything above: the deduplication comes from the key, not from the body.
    const f = await setup(t);
    const path = `/v1/conversations/${f.conv.id}/notes`;
    const before = await timelineLength(f);
    const a = await f.ana.call('POST', path, { body: 'twice' });
    const b = await f.ana.call('POST', path, { body: 'twice' });
    assert.notEqual(a.body.note.id, b.body.note.id);
    assert.equal(await timelineLength(f), before + 2);
  });
});

describe('a claim left behind by a crashed request', () => {
  it('blocks retries while fresh, then lets one retry take it over and run once', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const body = { direction: 'inbound', body: 'are you there?' };
    const path = `/v1/conversations/${f.conv.id}/messages`;
    // What a process that died between claiming the key and storing the response leaves behind:
    // the claim, with the request hash of this exact retry. Only a crash can produce it.
    const first = await f.ws.api('POST', path, body, withKey(key));
    assert.equal(first.status, 201);
    const { db } = f.server.server.deps.storage;
    await db.updateTable('idempotency_keys').set({ status_code: null, response_body: null }).where('key', '=', key).execute();
    const before = await timelineLength(f);

    const blocked = await f.ws.api('POST', path, body, withKey(key));
    assert.equal(blocked.status, 409);
    assert.equal(blocked.body.error.code, 'idempotency_request_in_progress');

    f.server.clock!.advance(61_000);
    const retry = await f.ws.api('POST', path, body, withKey(key));
    assert.equal(retry.status, 201);
    assert.equal(replayed(retry), null);
    assert.equal(await timelineLength(f), before + 1);
    const replay = await f.ws.api('POST', path, body, withKey(key));
    assert.equal(replay.status, 201);
    assert.equal(replayed(replay), 'true');
  });
});

describe('keys are kept for 24 hours', () => {
  it('a retry within the retention replays; after it, the hourly sweep forgets the key and the same key runs anew', async (t) => {
    const f = await setup(t);
    const key = randomUUID();
    const body = { contactId: f.contact.id, channel: 'sms', message: { body: 'first try' } };
    const first = await f.ws.api('POST', '/v1/conversations', body, withKey(key));
    assert.equal(first.status, 201);
    const before = await contactConversationCount(f);

    const { housekeeping } = f.server.server.deps;
    // The clock moves an hour at a time, letting each scheduled sweep finish and schedule the next.
    const hours = async (n: number) => {
      for (let i = 0; i < n; i++) {
        f.server.clock!.advance(3600_000);
        await housekeeping.idle();
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await hours(23);
    const retry = await f.ws.api('POST', '/v1/conversations', body, withKey(key));
    assert.equal(replayed(retry), 'true', 'still remembered after 23 hours');
    assert.deepEqual(retry.body, first.body);

    // By the sweep at 25 hours the key is past its 24.
    await hours(2);
    assert.equal(await housekeeping.sweep(), 0, 'the scheduled sweep already removed it');
    const later = await f.ws.api('POST', '/v1/conversations', { ...body, message: { body: 'a new request' } }, withKey(key));
    assert.equal(later.status, 201, JSON.stringify(later.body));
    assert.equal(replayed(later), null);
    assert.notEqual(later.body.conversation.id, first.body.conversation.id);
    assert.equal(await contactConversationCount(f), before + 1);
  });
});
