import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import type { SocketAuth } from '@baton/protocol';
import { MAX_REPLAY, MAX_SOCKETS_PER_AGENT } from '@baton/server';
import { Server } from 'socket.io';
import { BatonApiError, BatonRealtime, BatonRestClient, TokenSource, type RealtimeEvent } from '../src/index.js';
import { dropTransport, heldAfterFirst, nextEvent, padOutbox, setup, withTimeout } from './support.js';

/** The socket wrapper against a real server: events and seq, replay after reconnect, tokens, presence. */

test('server events arrive typed, lastSeq follows them, and unsubscribing stops delivery', async (t) => {
  const { ana, ben, rest, realtime, inbound } = await setup(t);
  const rt = realtime({ token: ana.token });
  const ready = await withTimeout(rt.connect(), 'ready');
  assert.equal(ready.agentId, ana.id);
  assert.equal(ready.resync, false);
  assert.equal(rt.lastSeq, ready.seq);

  const created: string[] = [];
  const dropped: string[] = [];
  rt.on('conversation:created', (e) => created.push(e.conversation.id));
  const off = rt.on('conversation:created', (e) => dropped.push(e.conversation.id));
  off();

  const seen = nextEvent(rt, 'conversation:created');
  const conversation = await inbound();
  const event = await seen;
  assert.equal(event.conversation.id, conversation.id);
  assert.ok(event.seq > ready.seq, `event seq ${event.seq} after ready seq ${ready.seq}`);
  assert.equal(rt.lastSeq, event.seq);
  assert.deepEqual(created, [conversation.id]);
  assert.deepEqual(dropped, []);

  const notified = nextEvent(rt, 'notification:created');
  const updated = nextEvent(rt, 'conversation:updated', (e) => e.conversation.assigneeId === ana.id);
  await rest(ben).assign(conversation.id, { assigneeId: ana.id });
  const [notification, update] = await Promise.all([notified, updated]);
  assert.equal(notification.notification.type, 'assigned');
  assert.equal(notification.notification.conversationId, conversation.id);
  assert.ok(update.seq > event.seq, `update seq ${update.seq} after ${event.seq}`);
  assert.ok(rt.lastSeq! >= update.seq, `lastSeq ${rt.lastSeq} reached ${update.seq}`);
});

test("the session's token is renewed over the socket a minute before it expires: the session goes on, with no reconnect", async (t) => {
  const { server, ana, host, realtime } = await setup(t);
  const minted: string[] = [];
  const provider = async () => {
    const { token } = await host.createToken({ agentId: ana.id, ttlSeconds: 300 });
    minted.push(token);
    return token;
  };
  const timers: { run: () => void; ms: number }[] = [];
  const sessionTimer = (run: () => void, ms: number) => {
    const timer = { run, ms };
    timers.push(timer);
    return () => void timers.splice(timers.indexOf(timer), 1);
  };
  const rt = realtime({ tokenProvider: provider, now: () => server.clock!.now(), sessionTimer });
  let readies = 0;
  rt.on('ready', () => readies++);
  await withTimeout(rt.connect(), 'ready');
  assert.equal(timers.length, 1);
  const [first] = timers;
  assert.ok(Math.abs(first!.ms - 240_000) < 2000, `renewal in ${first!.ms} ms`);

  server.clock!.advance(240_000);
  first!.run();
  await withTimeout(
    new Promise<void>((resolve) => {
      const check = () => (timers.length === 1 && timers[0] !== first ? resolve() : setTimeout(check, 5));
      check();
    }),
    'the next renewal scheduled',
  );
  assert.equal(minted.length, 2);
  // Past the first token's expiry the same session answers, and nothing reconnected.
  server.clock!.advance(120_000);
  assert.equal(await withTimeout(rt.viewing(null), 'an answer'), null);
  assert.equal(readies, 1);
  assert.equal(rt.connected, true);
  rt.close();
  assert.deepEqual(timers, [], 'closing cancels the renewal');
});

test('the same token handed back is not sent; a token the server refuses schedules nothing more: the expiry ends the session as before', async (t) => {
  const { server, ana, ben, host, realtime } = await setup(t);
  const anaToken = (await host.createToken({ agentId: ana.id, ttlSeconds: 120 })).token;
  const benToken = (await host.createToken({ agentId: ben.id })).token;
  const asked: unknown[] = [];
  server.server.realtime.io.on('connection', (socket) => socket.on('session:refresh' as never, ((body: unknown) => asked.push(body)) as never));
  const client = async (handBack: () => string) => {
    const timers: (() => void)[] = [];
    const rt = realtime({ tokenProvider: async () => handBack(), now: () => server.clock!.now(), sessionTimer: (run) => (timers.push(run), () => {}) });
    await withTimeout(rt.connect(), 'ready');
    assert.equal(timers.length, 1);
    return { rt, renew: () => timers.shift()!(), timers };
  };

  const same = await client(() => anaToken);
  same.renew();
  await withTimeout(same.rt.viewing(null), 'a round trip');
  assert.deepEqual(asked, [], 'the same token is not sent');
  assert.equal(same.timers.length, 0);

  let calls = 0;
  const refused = await client(() => (calls++ === 0 ? anaToken : benToken));
  refused.renew();
  await withTimeout(
    new Promise<void>((resolve) => {
      const check = () => (asked.length === 1 ? resolve() : setTimeout(check, 5));
      check();
    }),
    'the renewal sent',
  );
  await withTimeout(refused.rt.viewing(null), 'a round trip');
  assert.deepEqual(asked, [{ token: benToken }]);
  assert.equal(refused.timers.length, 0, 'nothing scheduled after a refusal');
  assert.equal(refused.rt.readyEvent?.agentId, ana.id);
});

test('after the server drops the socket it reconnects with a fresh token and `since`, and gets what it missed', async (t) => {
  const { server, ana, ben, rest, realtime, mint, inbound } = await setup(t);
  const handshakes: SocketAuth[] = [];
  server.server.realtime.io.on('connection', (socket) => handshakes.push(socket.handshake.auth as SocketAuth));
  const tokens = heldAfterFirst(() => mint(ana));
  const rt = realtime({ tokenProvider: tokens.provider });
  const log: { event: RealtimeEvent; seq?: number }[] = [];
  for (const event of ['conversation:updated', 'timeline:added', 'notification:created', 'ready'] as const) {
    rt.on(event, (payload) => log.push({ event, seq: payload.seq }));
  }
  await withTimeout(rt.connect(), 'first ready');
  const created = nextEvent(rt, 'conversation:created');
  const conversation = await inbound();
  const seen = (await created).seq;

  const dropped = nextEvent(rt, 'disconnected');
  server.server.realtime.io.in(`agent:${ana.id}`).disconnectSockets(true);
  assert.equal((await dropped).reason, 'io server disconnect');
  assert.equal(rt.lastSeq, seen);
  log.length = 0;

  // While ana is away: ben assigns the conversation to her and leaves a note.
  await rest(ben).assign(conversation.id, { assigneeId: ana.id });
  await rest(ben).postNote(conversation.id, { body: '@ana over to you' });
  const again = nextEvent(rt, 'ready');
  tokens.open();
  const ready = await again;

  assert.equal(tokens.state.calls, 2, 'the provider was asked again for the reconnect');
  assert.equal(handshakes.length, 2);
  assert.equal(handshakes[1]!.token, tokens.state.tokens[1]);
  assert.notEqual(handshakes[1]!.token, handshakes[0]!.token);
  assert.equal(handshakes[0]!.since, undefined);
  assert.equal(handshakes[1]!.since, seen);
  assert.equal(ready.resync, false);
  assert.equal(ready.replayed, 2);

  const order = log.map((e) => e.event);
  const replayed = log.slice(0, order.indexOf('ready'));
  assert.deepEqual(
    [...new Set(replayed.map((e) => e.event))].sort(),
    ['conversation:updated', 'notification:created', 'timeline:added'],
    `replayed before ready: ${order.join(', ')}`,
  );
  assert.equal(replayed.filter((e) => e.event === 'timeline:added').length, 2, 'the assigned event and the note');
  assert.ok(replayed.every((e) => e.seq! > seen), 'only changes after `since` are replayed');
  assert.equal(rt.lastSeq, ready.seq);
});

test('a transport drop reconnects by itself and replays from the last seq', async (t) => {
  const { server, ana, ben, rest, realtime, mint, inbound } = await setup(t);
  const tokens = heldAfterFirst(() => mint(ana));
  const rt = realtime({
    tokenProvider: tokens.provider,
    socketOptions: { transports: ['websocket'], reconnectionDelay: 1, reconnectionDelayMax: 1 },
  });
  await withTimeout(rt.connect(), 'first ready');
  const created = nextEvent(rt, 'conversation:created');
  const conversation = await inbound();
  const seen = (await created).seq;

  const dropped = nextEvent(rt, 'disconnected');
  dropTransport(server, ana.id); // what a network failure looks like to Socket.IO
  assert.equal((await dropped).reason, 'transport close');

  const updates: number[] = [];
  rt.on('conversation:updated', (e) => updates.push(e.conversation.version));
  const { conversation: resolved } = await rest(ben).resolve(conversation.id);
  const again = nextEvent(rt, 'ready');
  tokens.open();
  const ready = await again;
  assert.equal(ready.replayed, 1);
  assert.deepEqual(updates, [resolved.version]);
  assert.ok(rt.lastSeq! > seen, `lastSeq ${rt.lastSeq} moved past ${seen}`);
});

test('a refused handshake (expired token) is retried with a token from the provider', async (t) => {
  const { server, ana, realtime, mint } = await setup(t);
  const stale = await mint(ana);
  server.clock!.advance(2 * 3600_000); // the server now considers `stale` expired
  let asked = 0;
  const rt = realtime({ token: stale, tokenProvider: async () => (asked++, mint(ana)) });
  const refused = nextEvent(rt, 'error');
  const ready = rt.connect();
  const refusal = await refused;
  assert.match(refusal.message, /unauthorized/);
  // Reported as the REST client reports a refused token, so callers read one shape.
  assert.ok(refusal instanceof BatonApiError);
  assert.equal(refusal.status, 401);
  assert.equal(refusal.code, 'unauthorized');
  assert.equal((await withTimeout(ready, 'ready after refresh')).agentId, ana.id);
  assert.equal(asked, 1);
});

test('a page origin the workspace does not list is 403 forbidden saying so, and connect() fails with it: no retry, no new tokens', async (t) => {
  const { server, ana, realtime } = await setup(t);
  // The upgrade a browser on a host page sends (the test workspace lists no origins). Set on the
  // server's side of the request: Node's WebSocket, which the tiny client uses, sends no Origin.
  server.server.http.prependListener('upgrade', (req: IncomingMessage) => {
    req.headers.origin = 'https://crm.example.com';
  });
  let asked = 0;
  const waits: number[] = [];
  const rt = realtime({ tokenProvider: async () => (asked++, ana.token), delay: (ms) => (waits.push(ms), Promise.resolve()) });
  const failed = nextEvent(rt, 'error');
  const connecting = rt.connect();
  const error = await withTimeout(failed, 'the refusal');
  assert.ok(error instanceof BatonApiError);
  assert.equal(error.status, 403);
  assert.equal(error.code, 'forbidden');
  // Outside a browser there is no page origin to name.
  assert.deepEqual(error.details, { reason: 'origin_not_allowed', origin: null });
  await assert.rejects(withTimeout(connecting, 'connect() settles'), (e) => e === error);
  assert.deepEqual(waits, [], 'no reconnect scheduled');
  assert.equal(asked, 1, 'one token asked for');
  rt.close();
});

test("a handshake the server refuses as a bad request (an `auth.since` that is no seq) is a 400 naming it, and connect() fails with it: no retry", async (t) => {
  const { ana, realtime } = await setup(t);
  const waits: number[] = [];
  // A corrupt position from the host (the SDK itself only ever sends a seq it saw).
  const rt = realtime({ tokenProvider: async () => ana.token, since: -1, delay: (ms) => (waits.push(ms), Promise.resolve()) });
  const failed = nextEvent(rt, 'error');
  const connecting = rt.connect();
  const error = await withTimeout(failed, 'the refusal');
  assert.ok(error instanceof BatonApiError);
  assert.equal(error.status, 400);
  assert.equal(error.code, 'bad_request');
  assert.match(error.message, /^auth\.since: /);
  await assert.rejects(withTimeout(connecting, 'connect() settles'), (e) => e === error);
  assert.deepEqual(waits, [], 'no reconnect scheduled');
  rt.close();
});

test('a socket and a REST client sharing a TokenSource get one token from the provider, and a reconnect a fresh one for both', async (t) => {
  const { server, ana, realtime, mint } = await setup(t);
  let asked = 0;
  const tokens = new TokenSource({ tokenProvider: async () => (asked++, mint(ana)) });
  const rt = realtime({ tokens });
  const rest = new BatonRestClient({ baseUrl: server.url, tokens, delay: async () => {} });
  await withTimeout(rt.connect(), 'ready');
  await rest.listConversations({ view: 'all' });
  assert.equal(asked, 1);
  // The server drops the socket: it reconnects with a fresh token, which REST then uses too.
  const back = nextEvent(rt, 'ready');
  dropTransport(server, ana.id);
  await withTimeout(back, 'ready again');
  assert.equal(asked, 2);
  await rest.listConversations({ view: 'all' });
  assert.equal(asked, 2);
});

test('a connect that reaches no server is reported as network_error', async (t) => {
  const { ana, realtime } = await setup(t);
  // A port nothing listens on (the kernel's lowest, never bound here).
  const rt = realtime({ token: ana.token, url: 'http://127.0.0.1:1' });
  const failed = nextEvent(rt, 'error');
  void rt.connect().catch(() => {});
  const error = await withTimeout(failed, 'the failed connect');
  assert.ok(error instanceof BatonApiError);
  assert.equal(error.status, 0);
  assert.equal(error.code, 'network_error');
  rt.close();
});

test('a handshake refused as rate_limited is tried again after the wait the server names, with the same fixed token', async (t) => {
  const { server, ana, realtime } = await setup(t, { handshakes: { perAgent: { burst: 1, perSecond: 0.25 } } });
  await withTimeout(realtime({ token: ana.token }).connect(), 'the one handshake the budget allows');
  const waits: number[] = [];
  let wake = () => {};
  const rt = realtime({ token: ana.token, delay: (ms) => (waits.push(ms), new Promise<void>((resolve) => (wake = resolve))) });
  const error = nextEvent(rt, 'error');
  const ready = rt.connect();
  const refusal = await error;
  assert.ok(refusal instanceof BatonApiError);
  assert.equal(refusal.code, 'rate_limited');
  assert.deepEqual(refusal.details, { retryAfterMs: 4000 });
  assert.equal(refusal.message, 'too many connections: trying again in 4 s');
  // A fixed token is not replaced, but this refusal passes with time: one retry is scheduled, at
  // least the server's wait and at most half again, so refused clients do not return together.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(waits.length, 1);
  assert.ok(waits[0]! >= 4000 && waits[0]! <= 6000, `waited ${waits[0]} ms`);
  server.clock!.advance(4000);
  wake();
  assert.equal((await withTimeout(ready, 'ready after the wait')).agentId, ana.id);
});

test('ready with resync: true (too much missed to replay) is signalled as `resync`', async (t) => {
  const { server, ws, ana, realtime, inbound } = await setup(t);
  const tokens = heldAfterFirst(async () => ana.token);
  const rt = realtime({ tokenProvider: tokens.provider });
  await withTimeout(rt.connect(), 'first ready');
  const created = nextEvent(rt, 'conversation:created');
  const conversation = await inbound();
  await created;

  const dropped = nextEvent(rt, 'disconnected');
  server.server.realtime.io.in(`agent:${ana.id}`).disconnectSockets(true);
  await dropped;
  await padOutbox(server, ws.id, MAX_REPLAY + 1, conversation);
  await server.settle(); // replay only covers rows the server has fanned out
  const resync = nextEvent(rt, 'resync');
  tokens.open();
  const ready = await resync;
  assert.equal(ready.resync, true);
  assert.equal(ready.replayed, 0);
  assert.equal(rt.lastSeq, ready.seq);
});

test('a server whose seq is behind the client’s `since` (reset data) is treated as a resync', async (t) => {
  const { ana, realtime } = await setup(t);
  const rt = realtime({ token: ana.token, since: 1_000_000 });
  const resync = nextEvent(rt, 'resync');
  const ready = await withTimeout(rt.connect(), 'ready');
  assert.equal(ready.resync, true);
  assert.equal((await resync).seq, ready.seq);
  assert.equal(rt.lastSeq, ready.seq, 'lastSeq starts over from the server’s seq');
});

test('viewing and typing resolve with presence from the ack, refusals reject, and viewing is re-sent after a reconnect', async (t) => {
  const { server, ana, ben, realtime, inbound } = await setup(t);
  const first = await inbound();
  const second = await inbound();
  const tokens = heldAfterFirst(async () => ana.token);
  const anaRt = realtime({ tokenProvider: tokens.provider });
  const benRt = realtime({ token: ben.token });
  await withTimeout(Promise.all([anaRt.connect(), benRt.connect()]), 'both ready');

  assert.deepEqual(await benRt.viewing(first.id), { conversationId: first.id, viewing: [ben.id], typing: [] });
  const benSees = nextEvent(benRt, 'presence:updated', (e) => e.presence.viewing.includes(ana.id));
  const viewing = await anaRt.viewing(first.id);
  assert.deepEqual(viewing?.viewing, [ana.id, ben.id].sort());
  await benSees;

  const typing = await anaRt.typing(first.id);
  assert.deepEqual(typing.typing, [ana.id]);
  await assert.rejects(anaRt.typing(second.id), (e: unknown) => e instanceof BatonApiError && e.code === 'bad_request');
  await assert.rejects(anaRt.viewing('conv_nope'), (e: unknown) => e instanceof BatonApiError && e.code === 'not_found');

  // The server forgets presence with the socket; after the reconnect ana is shown viewing again.
  const left = nextEvent(benRt, 'presence:updated', (e) => !e.presence.viewing.includes(ana.id));
  server.server.realtime.io.in(`agent:${ana.id}`).disconnectSockets(true);
  await left;
  const back = nextEvent(benRt, 'presence:updated', (e) => e.presence.viewing.includes(ana.id));
  tokens.open();
  assert.equal((await back).presence.conversationId, first.id);

  assert.equal(await anaRt.viewing(null), null);
});

test('close() ends the session for good', async (t) => {
  const { ana, realtime } = await setup(t);
  const rt = realtime({ token: ana.token });
  await withTimeout(rt.connect(), 'ready');
  const dropped = nextEvent(rt, 'disconnected');
  rt.close();
  assert.equal((await dropped).reason, 'io client disconnect');
  assert.equal(rt.connected, false);
  await assert.rejects(rt.connect(), /closed/);
});

test('closed as the oldest of too many sockets, it stays closed and says why until connect() takes the session back', async (t) => {
  const { ana, realtime } = await setup(t);
  const delays: number[] = [];
  const rt = realtime({ tokenProvider: async () => ana.token, delay: async (ms) => void delays.push(ms) });
  await withTimeout(rt.connect(), 'ready');
  const gone = nextEvent(rt, 'disconnected');
  const told = nextEvent(rt, 'session:closed');
  const others = [];
  for (let i = 0; i < MAX_SOCKETS_PER_AGENT; i++) {
    const other = realtime({ token: ana.token });
    await withTimeout(other.connect(), `tab ${i + 2}`);
    others.push(other);
  }
  const { reason, closed, reconnecting } = await gone;
  assert.equal(reason, 'io server disconnect');
  assert.equal(closed?.reason, 'too_many_sockets');
  assert.equal(reconnecting, false);
  assert.equal((await told).reason, 'too_many_sockets');
  // It did not schedule a reconnect, which would close another tab in turn.
  assert.deepEqual(delays, []);
  assert.equal(rt.connected, false);
  assert.ok(others.every((o) => o.connected));

  // connect() takes the session back: now the oldest of the others goes.
  const otherGone = nextEvent(others[0]!, 'disconnected');
  assert.equal((await withTimeout(rt.connect(), 'ready again')).agentId, ana.id);
  assert.equal((await otherGone).closed?.reason, 'too_many_sockets');
});

test('when the API key that minted its token is revoked, it reconnects with a fresh token from the provider', async (t) => {
  const { server, ws, ana, realtime } = await setup(t);
  const credentials = await server.request('GET', '/v1/workspace/credentials', { token: ws.apiKey });
  const oldKeyId = credentials.body.apiKeys[0].id as string;
  const newKey = (await server.request('POST', '/v1/workspace/api-keys', { token: ws.apiKey })).body.key as string;
  let calls = 0;
  // The first token was minted with the old key; later ones with the new key.
  const provider = async () =>
    calls++ === 0 ? ana.token : ((await server.request('POST', '/v1/tokens', { token: newKey, body: { agentId: ana.id } })).body.token as string);
  const rt = realtime({ tokenProvider: provider });
  await withTimeout(rt.connect(), 'ready');
  const gone = nextEvent(rt, 'disconnected');
  const back = nextEvent(rt, 'ready');

  assert.equal((await server.request('DELETE', `/v1/workspace/api-keys/${oldKeyId}`, { token: newKey })).status, 200);
  const { closed, reconnecting } = await gone;
  assert.equal(closed?.reason, 'credential_revoked');
  assert.equal(reconnecting, true);
  assert.equal((await back).agentId, ana.id);
  assert.equal(calls, 2);
  assert.equal(rt.connected, true);
});

test('a handshake refused as unavailable (the server could not reach its database) is tried again after the wait it names', async (t) => {
  // A Socket.IO server that answers as Baton's does while its database is away, then admits: the
  // refusal's wire form is the protocol's (HandshakeRefusal, HandshakeRefusalData).
  const io = new Server(0);
  t.after(() => io.close());
  let away = true;
  io.use((_socket, next) => next(away ? Object.assign(new Error('unavailable'), { data: { code: 'unavailable', retryAfterMs: 3000 } }) : undefined));
  const connected = new Promise<void>((resolve) => io.on('connection', () => resolve()));
  const port = (io as unknown as { httpServer: { address(): { port: number } } }).httpServer.address().port;
  const waits: number[] = [];
  let wake = () => {};
  const rt = new BatonRealtime({
    url: `http://127.0.0.1:${port}`,
    token: 'fixed',
    delay: (ms) => (waits.push(ms), new Promise<void>((resolve) => (wake = resolve))),
    socketOptions: { transports: ['websocket'] },
  });
  t.after(() => rt.close());
  const error = nextEvent(rt, 'error');
  void rt.connect().catch(() => {});
  const refusal = await error;
  assert.ok(refusal instanceof BatonApiError);
  assert.equal(refusal.code, 'unavailable');
  assert.deepEqual(refusal.details, { retryAfterMs: 3000 });
  assert.equal(refusal.message, 'the server cannot reach its database: trying again in 3 s');
  // A fixed token, and still one retry, at least the server's wait.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(waits.length, 1);
  assert.ok(waits[0]! >= 3000 && waits[0]! <= 4500, `waited ${waits[0]} ms`);
  away = false;
  wake();
  await withTimeout(connected, 'the socket back once the database is');
});
