import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routes, type Conversation } from '@baton/protocol';
import { ADMIN_TOKEN } from '@baton/server/testing';
import { BatonApiError, BatonRestClient, REFRESH_MARGIN_MS, tokenExpiry } from '../src/index.js';
import { noDelay, setup } from './support.js';

/** The REST client against a real server: typed calls, error mapping, token refresh and safe retries. */

const isApiError = (status: number, code: string) => (error: unknown) => {
  assert.ok(error instanceof BatonApiError, `expected BatonApiError, got ${String(error)}`);
  assert.equal(error.status, status);
  assert.equal(error.code, code);
  return true;
};

/** A fetch that records each call's method, path and headers before passing it on. */
function spyFetch(inner: typeof fetch = fetch) {
  const calls: { method: string; path: string; headers: Headers; status?: number; replayed?: string | null }[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const call: (typeof calls)[number] = { method: init?.method ?? 'GET', path: new URL(String(input)).pathname, headers: new Headers(init?.headers) };
    calls.push(call);
    const res = await inner(input, init);
    call.status = res.status;
    call.replayed = res.headers.get('idempotent-replayed');
    return res;
  };
  return { calls, fetch: wrapped };
}

test('every route in the protocol table has a client method of the same name', () => {
  const client = new BatonRestClient({ baseUrl: 'http://127.0.0.1:1' });
  const missing = Object.keys(routes).filter((name) => typeof (client as unknown as Record<string, unknown>)[name] !== 'function');
  assert.deepEqual(missing, []);
});

test('typed calls drive a conversation from inbound message to resolved and back', async (t) => {
  const { server, host, ana, ben, rest, ws } = await setup(t);
  const anaApi = rest(ana);
  const benApi = rest(ben);

  assert.deepEqual(await new BatonRestClient({ baseUrl: server.url }).health(), { ok: true });
  const doc = await anaApi.openapi();
  assert.ok(typeof doc.paths === 'object' && doc.paths !== null && '/v1/conversations/{id}/assign' in doc.paths, 'the OpenAPI document lists assign');

  const { contact } = await host.createContact({ name: 'Lucía', email: 'lucia@example.com', tags: ['VIP'], externalId: 'crm-42' });
  assert.deepEqual(contact.tags, ['vip']);
  assert.equal((await anaApi.getContact(contact.id)).contact.externalId, 'crm-42');
  assert.deepEqual((await anaApi.updateContact(contact.id, { language: 'ES' })).contact.language, 'es');

  const created = await host.createConversation({ contactId: contact.id, channel: 'email', subject: 'Refund', message: { body: 'Where is my refund?' } });
  const id = created.conversation.id;
  assert.equal(created.conversation.status, 'open');
  assert.equal(created.conversation.preview, 'Where is my refund?');

  const unassigned = await anaApi.listConversations({ view: 'unassigned', limit: 10 });
  assert.deepEqual(unassigned.items.map((c) => c.id), [id]);
  assert.equal(unassigned.nextCursor, null);
  assert.deepEqual(await anaApi.counts(), { mine: 0, unassigned: 1, mentioned: 0, unread: 1, all: 1, resolved: 0, snoozed: 0 });

  const note = await benApi.postNote(id, { body: '@ana can you take this one?' });
  assert.deepEqual(note.note.mentions, [ana.id]);
  assert.equal(note.note.internal, true);

  const assigned = await benApi.assign(id, { assigneeId: ana.id }, { ifMatch: created.conversation.version });
  assert.equal(assigned.conversation.assigneeId, ana.id);
  assert.equal(assigned.conversation.version, created.conversation.version + 1);
  assert.deepEqual((await anaApi.listConversations({ view: 'mine' })).items.map((c) => c.id), [id]);

  const reply = await anaApi.postMessage(id, { direction: 'outbound', body: 'On its way.' });
  assert.equal(reply.message.direction, 'outbound');
  const resolved = await anaApi.resolve(id, { ifMatch: reply.conversation.version });
  assert.equal(resolved.conversation.status, 'resolved');
  const reopened = await anaApi.reopen(id);
  assert.equal(reopened.conversation.status, 'open');
  assert.ok((await anaApi.markRead(id)).lastReadSeq > 0, 'markRead returns the read mark');

  const timeline = await anaApi.timeline(id, { after: 0 });
  const kinds = timeline.items.map((i) => (i.kind === 'event' ? i.type : i.kind));
  assert.deepEqual(kinds, ['created', 'message', 'note', 'assigned', 'message', 'resolved', 'reopened']);
  const after = await anaApi.timeline(id, { after: timeline.items[4]!.seq });
  assert.deepEqual(after.items.map((i) => i.id), timeline.items.slice(5).map((i) => i.id));
  assert.equal((await anaApi.getConversation(id)).conversation.version, reopened.conversation.version);
  assert.deepEqual((await anaApi.contactConversations(contact.id)).items.map((c) => c.id), [id]);

  const inbox = await anaApi.listNotifications({ limit: 10, unreadOnly: true });
  assert.deepEqual(inbox.items.map((n) => n.type).sort(), ['assigned', 'mentioned']);
  assert.equal(inbox.unread, 2);
  assert.deepEqual(await anaApi.markNotificationsRead({ ids: [inbox.items[0]!.id] }), { unread: 1 });
  assert.deepEqual(await anaApi.markNotificationsRead({ all: true }), { unread: 0 });

  assert.equal((await anaApi.me()).agent.username, 'ana');
  const agents = await anaApi.listAgents();
  assert.equal(agents.items.find((a) => a.id === ana.id)?.openAssigned, 1);
  assert.equal((await anaApi.updateAgent(ana.id, { availability: 'away' })).agent.availability, 'away');
  assert.equal((await anaApi.getWorkspace()).workspace.id, ws.id);

  const { agent: maria } = await host.createAgent({ name: 'María', username: 'maria', skills: ['ES'] });
  assert.deepEqual(maria.skills, ['es']);
  const { team } = await host.createTeam({ name: 'Bilingual', memberIds: [maria.id] });
  assert.deepEqual((await host.updateTeam(team.id, { memberIds: [maria.id, ana.id] })).team.memberIds.sort(), [ana.id, maria.id].sort());
  assert.deepEqual((await anaApi.listTeams()).items.map((x) => x.name), ['Bilingual']);

  const minted = await host.createToken({ agentId: maria.id, ttlSeconds: 600 });
  assert.equal(tokenExpiry(minted.token)! * 1000, Date.parse(minted.expiresAt));
  assert.equal((await new BatonRestClient({ baseUrl: server.url, token: minted.token }).me()).agent.id, maria.id);

  const admin = new BatonRestClient({ baseUrl: server.url, token: ADMIN_TOKEN });
  const other = await admin.createWorkspace({ name: 'Globex' });
  assert.match(other.apiKey, /^bk_/);
  assert.notEqual(other.workspace.id, ws.id);
});

test("server errors become BatonApiError with the server's code, status and details", async (t) => {
  const { server, host, ana, ben, rest, inbound } = await setup(t);
  const anaApi = rest(ana);
  const conversation = await inbound();

  await assert.rejects(anaApi.getConversation('conv_doesnotexist'), isApiError(404, 'not_found'));
  await assert.rejects(
    anaApi.postNote(conversation.id, { body: '   ' }),
    (error: unknown) => isApiError(400, 'validation_failed')(error) && Array.isArray((error as BatonApiError).details),
  );
  await assert.rejects(anaApi.createAgent({ name: 'Eve', username: 'eve' }), isApiError(403, 'forbidden'));
  await assert.rejects(anaApi.postMessage(conversation.id, { direction: 'inbound', body: 'spoofed' }), isApiError(403, 'forbidden'));
  await assert.rejects(new BatonRestClient({ baseUrl: server.url }).me(), isApiError(401, 'unauthorized'));
  await assert.rejects(new BatonRestClient({ baseUrl: server.url, token: 'not-a-token' }).me(), isApiError(401, 'unauthorized'));

  await rest(ben).assign(conversation.id, { assigneeId: ben.id });
  await assert.rejects(anaApi.assign(conversation.id, { assigneeId: ana.id }, { ifMatch: conversation.version }), (error: unknown) => {
    isApiError(409, 'version_conflict')(error);
    const current = ((error as BatonApiError).details as { conversation: Conversation }).conversation;
    assert.equal(current.assigneeId, ben.id);
    assert.equal(current.version, conversation.version + 1);
    return true;
  });

  await host.postMessage(conversation.id, { direction: 'inbound', body: 'first' }, { idempotencyKey: 'same-key' });
  await assert.rejects(
    host.postMessage(conversation.id, { direction: 'inbound', body: 'different' }, { idempotencyKey: 'same-key' }),
    isApiError(422, 'idempotency_key_reused'),
  );
});

test('tokenProvider supplies the first token and is not asked again while the token is fresh', async (t) => {
  const { server, ana, mint } = await setup(t);
  let calls = 0;
  const client = new BatonRestClient({ baseUrl: server.url, tokenProvider: async () => (calls++, mint(ana)) });
  assert.equal((await client.me()).agent.id, ana.id);
  await client.counts();
  await client.listConversations();
  assert.equal(calls, 1);
});

test(`tokenProvider is asked for a new token within ${REFRESH_MARGIN_MS / 1000} s of expiry, before the request`, async (t) => {
  const { server, ana, mint, host } = await setup(t);
  const first = await host.createToken({ agentId: ana.id, ttlSeconds: 3600 });
  const exp = tokenExpiry(first.token)! * 1000;
  let now = exp - 10 * 60_000;
  const issued: string[] = [];
  const { calls, fetch } = spyFetch();
  const client = new BatonRestClient({
    baseUrl: server.url,
    token: first.token,
    now: () => now,
    fetch,
    tokenProvider: async () => {
      const token = await mint(ana);
      issued.push(token);
      return token;
    },
  });

  await client.counts();
  assert.equal(issued.length, 0, 'ten minutes left: the given token is used');
  assert.equal(calls[0]!.headers.get('authorization'), `Bearer ${first.token}`);

  now = exp - 30_000;
  await client.counts();
  assert.equal(issued.length, 1, 'thirty seconds left: a new token first');
  assert.equal(calls[1]!.headers.get('authorization'), `Bearer ${issued[0]}`);
  assert.equal(calls.length, 2, 'no request went out with the old token');
});

test('a 401 asks the provider once more and retries; a second 401 is reported, not looped', async (t) => {
  const { server, ana, mint } = await setup(t);
  const stale = await mint(ana);
  // The server's clock moves past the token's life; the client still believes it is fresh.
  server.clock!.advance(2 * 3600_000);
  let calls = 0;
  const { calls: requests, fetch } = spyFetch();
  const client = new BatonRestClient({ baseUrl: server.url, token: stale, fetch, tokenProvider: async () => (calls++, mint(ana)) });
  assert.equal((await client.me()).agent.id, ana.id);
  assert.equal(calls, 1);
  assert.deepEqual(requests.map((r) => r.status), [401, 200]);

  let bad = 0;
  const hopeless = new BatonRestClient({ baseUrl: server.url, token: stale, tokenProvider: async () => (bad++, stale) });
  await assert.rejects(hopeless.me(), isApiError(401, 'unauthorized'));
  assert.equal(bad, 1);
});

test('a write whose response is lost is retried with the same Idempotency-Key and applied once', async (t) => {
  const { server, ana, inbound, rest } = await setup(t);
  const conversation = await inbound();
  let attempts = 0;
  const { calls, fetch } = spyFetch(async (input, init) => {
    const res = await globalThis.fetch(input, init);
    if (++attempts === 1) {
      await res.text(); // the server did the work; the answer never reaches the caller
      throw new TypeError('fetch failed');
    }
    return res;
  });
  const delays: number[] = [];
  const client = new BatonRestClient({ baseUrl: server.url, token: ana.token, fetch, delay: async (ms) => void delays.push(ms) });

  const { note } = await client.postNote(conversation.id, { body: 'Called the customer back' });

  assert.equal(calls.length, 2);
  const keys = calls.map((c) => c.headers.get('idempotency-key'));
  assert.ok(keys[0], 'the write carried an Idempotency-Key');
  assert.equal(keys[1], keys[0]);
  assert.equal(calls[1]!.replayed, 'true', 'the server answered the retry from the first attempt');
  assert.equal(delays.length, 1);
  const notes = (await rest(ana).timeline(conversation.id)).items.filter((i) => i.kind === 'note');
  assert.deepEqual(notes.map((n) => n.id), [note.id]);
});

test('reads retry on 502/503 and network errors, a bounded number of times; client errors are not retried', async (t) => {
  const { server, ana } = await setup(t);
  let attempts = 0;
  const flaky: typeof fetch = async (input, init) => {
    attempts += 1;
    if (attempts === 1) return new Response(JSON.stringify({ error: { code: 'internal', message: 'bad gateway' } }), { status: 502 });
    if (attempts === 2) return new Response('Service Unavailable', { status: 503 });
    return fetch(input, init);
  };
  const delays: number[] = [];
  const client = new BatonRestClient({ baseUrl: server.url, token: ana.token, fetch: flaky, delay: async (ms) => void delays.push(ms) });
  assert.equal((await client.me()).agent.id, ana.id);
  assert.equal(attempts, 3);
  assert.equal(delays.length, 2);
  assert.ok(delays[1]! >= delays[0]! / 2 && delays.every((d) => d > 0), `backoff delays ${delays}`);

  let down = 0;
  const offline = new BatonRestClient({
    baseUrl: server.url,
    token: ana.token,
    maxAttempts: 4,
    delay: noDelay,
    fetch: async () => {
      down += 1;
      throw new TypeError('fetch failed');
    },
  });
  await assert.rejects(offline.counts(), (error: unknown) => isApiError(0, 'network_error')(error) && (error as Error).cause instanceof TypeError);
  assert.equal(down, 4);

  let notFound = 0;
  const strict = new BatonRestClient({ baseUrl: server.url, token: ana.token, delay: noDelay, fetch: async (i, n) => (notFound++, fetch(i, n)) });
  await assert.rejects(strict.getConversation('conv_missing'), isApiError(404, 'not_found'));
  assert.equal(notFound, 1);
});

test('a duplicate still in progress (409 idempotency_request_in_progress) is retried until the first answer is stored', async (t) => {
  const { server, ana, inbound } = await setup(t);
  const conversation = await inbound();
  let attempts = 0;
  const busyFirst: typeof fetch = async (input, init) => {
    attempts += 1;
    if (attempts === 1) {
      return new Response(JSON.stringify({ error: { code: 'idempotency_request_in_progress', message: 'still running' } }), { status: 409 });
    }
    return fetch(input, init);
  };
  const client = new BatonRestClient({ baseUrl: server.url, token: ana.token, fetch: busyFirst, delay: noDelay });
  const { conversation: assigned } = await client.assign(conversation.id, { assigneeId: ana.id });
  assert.equal(assigned.assigneeId, ana.id);
  assert.equal(attempts, 2);
});
