import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { WebhookEvent } from '@baton/protocol';
import { claimJob, recordAttempt } from '../src/storage/jobs.js';
import { LOOPBACK_DESTINATIONS, TestServer, tempDbFile, type TestWorkspace } from '../src/testing.js';

/**
 * Webhooks end to end: endpoints made over HTTP, real receivers on 127.0.0.1 that check the
 * Standard Webhooks signature themselves, and background work stepped with the manual clock.
 * Also the transcript, the customer-facing export that must never carry a note.
 */

const ALL_EVENTS = [
  'conversation.created',
  'conversation.assigned',
  'conversation.unassigned',
  'conversation.resolved',
  'conversation.reopened',
  'conversation.updated',
  'conversation.snoozed',
  'conversation.woke',
  'message.created',
  'note.created',
];

// ---------------------------------------------------------------------------------------------
// A receiver, written from the spec rather than from the server's code.

/** Standard Webhooks verification: HMAC-SHA256 over `${id}.${timestamp}.${body}` with the decoded secret. */
function verifySignature(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!secret.startsWith('whsec_')) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

interface Received {
  id: string;
  timestamp: number;
  body: string;
  event: any;
  verified: boolean;
  status: number;
  /** The server's (manual) clock when the request arrived, in seconds. */
  clockSeconds: number;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Set once the webhook exists; until then (and on a bad signature) the receiver answers 401. */
  secret: string | null;
  /** Status to answer with, given how many requests came before this one. */
  respond: (index: number) => number;
  ofType(type: string): any[];
  /** How many 2xx answers each webhook-id got. */
  acceptedById(): Map<string, number>;
  close(): Promise<void>;
}

async function startReceiver(t: TestContext, clock: () => number, respond: (index: number) => number = () => 200): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    received: [],
    secret: null,
    respond,
    ofType: (type) => receiver.received.filter((r) => r.status < 300 && r.event.type === type).map((r) => r.event),
    acceptedById() {
      const counts = new Map<string, number>();
      for (const r of receiver.received) if (r.status < 300) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
      return counts;
    },
    close: () => close(server),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = receiver.secret !== null && verifySignature(receiver.secret, req.headers, body);
      const status = verified ? receiver.respond(receiver.received.length) : 401;
      receiver.received.push({
        id: String(req.headers['webhook-id']),
        timestamp: Number(req.headers['webhook-timestamp']),
        body,
        event: JSON.parse(body),
        verified,
        status,
        clockSeconds: Math.floor(clock() / 1000),
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/baton`;
  t.after(() => receiver.close());
  return receiver;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

// ---------------------------------------------------------------------------------------------
// Fixtures

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t, { privateDestinations: LOOPBACK_DESTINATIONS });
  const ws = await server.createWorkspace('Acme');
  return { server, ws, now: () => server.clock!.now() };
}

/** Runs what the background would: the outbox relay (enqueues deliveries), then every due job. */
async function step(server: TestServer) {
  await server.server.deps.relay.drain();
  await server.server.deps.jobs.runDue();
}

async function advance(server: TestServer, ms: number) {
  server.clock!.advance(ms);
  await step(server);
}

async function subscribe(ws: TestWorkspace, receiver: Receiver, events: string[] = ALL_EVENTS) {
  const res = await ws.api('POST', '/v1/webhooks', { url: receiver.url, events, description: 'test receiver' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  receiver.secret = res.body.secret;
  return { id: res.body.webhook.id as string, secret: res.body.secret as string };
}

async function deliveries(ws: TestWorkspace, webhookId: string, query = ''): Promise<any[]> {
  const res = await ws.api('GET', `/v1/webhooks/${webhookId}/deliveries${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

async function inboundConversation(ws: TestWorkspace, body = 'Where is my order?') {
  const res = await ws.api('POST', '/v1/conversations', { contact: { name: 'Dana', phone: '+15550100' }, channel: 'sms', message: { body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.conversation.id as string;
}

async function ok(res: Promise<{ status: number; body: any }>, status = 200) {
  const r = await res;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

/** Every request a receiver got is correctly signed, names itself consistently and matches the schema. */
function assertWellFormed(receiver: Receiver, workspaceId: string) {
  for (const r of receiver.received) {
    assert.ok(r.verified, `signature of ${r.id} does not verify`);
    assert.equal(r.event.id, r.id, 'webhook-id header and body id differ');
    assert.equal(r.timestamp, r.clockSeconds, 'webhook-timestamp is not the send time in seconds');
    assert.equal(r.event.workspaceId, workspaceId);
    const parsed = WebhookEvent.safeParse(r.event);
    assert.ok(parsed.success, `${r.event.type} does not match the event schema: ${JSON.stringify(parsed.error?.issues)}`);
  }
}

// ---------------------------------------------------------------------------------------------

test('subscribed events arrive signed, with their payloads; unsubscribed ones do not', async (t) => {
  const { server, ws, now } = await setup(t);
  const ana = await ws.addAgent('ana');
  const main = await startReceiver(t, now);
  const other = await startReceiver(t, now);
  const hookMain = await subscribe(ws, main, ['conversation.created', 'conversation.assigned', 'conversation.resolved', 'message.created']);
  const hookOther = await subscribe(ws, other, ['note.created', 'conversation.reopened', 'conversation.unassigned']);

  const id = await inboundConversation(ws, 'My parcel never came');
  await ok(ws.api('POST', `/v1/conversations/${id}/assign`, { assigneeId: ana.id }));
  await ok(ana.call('POST', `/v1/conversations/${id}/notes`, { body: 'Customer is angry, refund? (internal-note-1)' }), 201);
  const reply = await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'Sorry! A new parcel is on its way.' }), 201);
  await ok(ana.call('POST', `/v1/conversations/${id}/resolve`));
  const inbound = await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'Still nothing.' }), 201);
  await ok(ana.call('POST', `/v1/conversations/${id}/resolve`));
  const reply2 = await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'Checking with the courier.' }), 201);
  await ok(ana.call('POST', `/v1/conversations/${id}/resolve`));
  await ok(ws.api('POST', `/v1/conversations/${id}/reopen`));
  await ok(ws.api('POST', `/v1/conversations/${id}/assign`, { assigneeId: null }));
  await ok(ana.call('POST', `/v1/conversations/${id}/read`));
  await step(server);

  assert.deepEqual(
    main.received.map((r) => r.event.type),
    ['conversation.created', 'conversation.assigned', 'message.created', 'conversation.resolved', 'conversation.resolved', 'message.created', 'conversation.resolved'],
  );
  assert.deepEqual(
    other.received.map((r) => [r.event.type, r.event.data.reason ?? null]),
    [
      ['note.created', null],
      ['conversation.reopened', 'inbound_message'],
      ['conversation.reopened', 'reply'],
      ['conversation.reopened', 'manual'],
      ['conversation.unassigned', null],
    ],
  );
  assertWellFormed(main, ws.id);
  assertWellFormed(other, ws.id);
  assert.ok(main.received.every((r) => r.status === 200) && other.received.every((r) => r.status === 200));
  // The receiver's check is real: another endpoint's secret does not verify these requests.
  assert.equal(verifySignature(hookOther.secret, { 'webhook-id': main.received[0]!.id, 'webhook-timestamp': String(main.received[0]!.timestamp), 'webhook-signature': 'v1,' }, main.received[0]!.body), false);
  const first = main.received[0]!;
  const resigned = { 'webhook-id': first.id, 'webhook-timestamp': String(first.timestamp), 'webhook-signature': `v1,${createHmac('sha256', Buffer.from(hookOther.secret.slice(6), 'base64')).update(`${first.id}.${first.timestamp}.${first.body}`).digest('base64')}` };
  assert.equal(verifySignature(hookMain.secret, resigned, first.body), false);

  const [created, assigned, message, , , message2] = main.received.map((r) => r.event);
  assert.equal(created.data.conversation.id, id);
  assert.equal(created.data.message.body, 'My parcel never came');
  assert.equal(created.data.message.direction, 'inbound');
  assert.equal(assigned.data.to, ana.id);
  assert.equal(assigned.data.from, null);
  assert.deepEqual(message.data.message, reply.message);
  assert.equal(message.data.message.internal, false);
  assert.equal(message.data.conversation.id, id);
  assert.equal(message2.data.message.id, reply2.message.id);

  const [note, reopenedByInbound, reopenedByReply, reopenedByHand, unassigned] = other.received.map((r) => r.event);
  assert.equal(note.data.internal, true);
  assert.equal(note.data.note.internal, true);
  assert.equal(note.data.note.body, 'Customer is angry, refund? (internal-note-1)');
  assert.equal(reopenedByInbound.data.messageId, inbound.message.id);
  assert.equal(reopenedByReply.data.messageId, reply2.message.id);
  assert.equal(reopenedByReply.data.actor.id, ana.id);
  assert.equal(reopenedByHand.data.messageId, null);
  assert.equal(unassigned.data.from, ana.id);
  assert.equal(unassigned.data.conversation.assigneeId, null);

  // Event ids are unique, and each (event, endpoint) pair is one delivery in the log, done first time.
  const ids = [...main.received, ...other.received].map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  const log = await deliveries(ws, hookMain.id);
  assert.deepEqual(log.map((d) => d.id).reverse(), main.received.map((r) => r.id));
  for (const d of log) {
    assert.equal(d.status, 'done');
    assert.equal(d.attempts, 1);
    assert.equal(d.nextAttemptAt, null);
    assert.deepEqual(d.attemptLog.map((a: any) => [a.attempt, a.ok, a.statusCode, a.error]), [[1, true, 200, null]]);
  }
});

test('edits, snoozes and wakes (by time, by hand, by the customer writing back) arrive as their own events', async (t) => {
  const { server, ws, now } = await setup(t);
  const ana = await ws.addAgent('ana');
  const receiver = await startReceiver(t, now);
  await subscribe(ws, receiver, ['conversation.updated', 'conversation.snoozed', 'conversation.woke']);
  const id = await inboundConversation(ws);
  const until = (ms: number) => new Date(now() + ms).toISOString();

  await ok(ana.call('PATCH', `/v1/conversations/${id}`, { tags: ['vip'], priority: 'urgent' }));
  const first = until(60_000);
  await ok(ana.call('POST', `/v1/conversations/${id}/snooze`, { until: first }));
  await step(server);
  server.clock!.advance(60_000);
  await server.server.snoozes.idle();
  assert.equal(await server.server.snoozes.wakeDue(), 1);
  await ok(ws.api('POST', `/v1/conversations/${id}/snooze`, { until: until(3_600_000) }));
  await ok(ana.call('POST', `/v1/conversations/${id}/snooze`, { until: null }));
  await ok(ana.call('POST', `/v1/conversations/${id}/snooze`, { until: until(3_600_000) }));
  const wroteBack = await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'Any news?' }), 201);
  await step(server);

  assertWellFormed(receiver, ws.id);
  const events = receiver.received.map((r) => r.event);
  assert.deepEqual(
    events.map((e) => [e.type, e.data.reason ?? null, e.data.actor.type]),
    [
      ['conversation.updated', null, 'agent'],
      ['conversation.snoozed', null, 'agent'],
      ['conversation.woke', 'timer', 'system'],
      ['conversation.snoozed', null, 'api'],
      ['conversation.woke', 'manual', 'agent'],
      ['conversation.snoozed', null, 'agent'],
      ['conversation.woke', 'inbound_message', 'api'],
    ],
  );
  const [updated, snoozed] = events;
  assert.deepEqual(updated.data.changed.sort(), ['priority', 'tags']);
  assert.deepEqual([updated.data.conversation.tags, updated.data.conversation.priority], [['vip'], 'urgent']);
  assert.equal(updated.data.actor.id, ana.id);
  assert.equal(snoozed.data.until, first);
  assert.equal(snoozed.data.conversation.snoozedUntil, first);
  assert.equal(events[6].data.messageId, wroteBack.message.id);
  assert.equal(events[6].data.conversation.snoozedUntil, null);
});

test("a reply that takes an unassigned conversation (assignOnReply) arrives as conversation.assigned beside the reply's message.created", async (t) => {
  const { server, ws, now } = await setup(t);
  const ana = await ws.addAgent('ana');
  const receiver = await startReceiver(t, now);
  await subscribe(ws, receiver, ['conversation.assigned', 'message.created']);
  await ok(ws.api('PATCH', '/v1/workspace', { assignOnReply: true }));
  const id = await inboundConversation(ws);
  const reply = await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'On it' }), 201);
  // A second reply, the conversation now Ana's: no assignment again.
  await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'Done' }), 201);
  await step(server);

  assertWellFormed(receiver, ws.id);
  const events = receiver.received.map((r) => r.event);
  // Deliveries run side by side, so their order is not the order of the events.
  assert.deepEqual(events.map((e) => e.type).sort(), ['conversation.assigned', 'message.created', 'message.created']);
  const [assigned] = receiver.ofType('conversation.assigned');
  assert.deepEqual([assigned.data.from, assigned.data.to, assigned.data.actor], [null, ana.id, { type: 'agent', id: ana.id }]);
  assert.equal(assigned.data.conversation.assigneeId, ana.id);
  // The assignment rides in the first reply's change: one outbox row, two events with its id.
  const sent = receiver.ofType('message.created').find((e) => e.data.message.id === reply.message.id)!;
  assert.ok(sent, 'the first reply was delivered');
  assert.equal(assigned.id.replace(/_conversation_assigned$/, ''), sent.id.replace(/_message_created$/, ''));
});

test('a receiver that fails twice gets the event on the third attempt, after the backoff', async (t) => {
  const { server, ws, now } = await setup(t);
  const receiver = await startReceiver(t, now, (index) => (index < 2 ? 500 : 200));
  const hook = await subscribe(ws, receiver, ['conversation.created']);
  await inboundConversation(ws);

  await step(server);
  assert.equal(receiver.received.length, 1);
  let [delivery] = await deliveries(ws, hook.id);
  assert.equal(delivery.status, 'pending');
  assert.equal(delivery.attempts, 1);
  const firstRetry = Date.parse(delivery.nextAttemptAt) - now();
  assert.ok(firstRetry > 0, 'the retry is scheduled in the future');

  // Not before it is due.
  await step(server);
  await advance(server, firstRetry - 1);
  assert.equal(receiver.received.length, 1, 'retried before the backoff elapsed');

  await advance(server, 1);
  assert.equal(receiver.received.length, 2);
  [delivery] = await deliveries(ws, hook.id);
  assert.equal(delivery.status, 'pending');
  const secondRetry = Date.parse(delivery.nextAttemptAt) - now();
  assert.ok(secondRetry > firstRetry, `backoff grows (${firstRetry} ms, then ${secondRetry} ms)`);

  await advance(server, secondRetry);
  assert.equal(receiver.received.length, 3);
  [delivery] = await deliveries(ws, hook.id);
  assert.equal(delivery.status, 'done');
  assert.equal(delivery.attempts, 3);
  assert.equal(delivery.nextAttemptAt, null);
  assert.deepEqual(delivery.attemptLog.map((a: any) => [a.attempt, a.ok, a.statusCode]), [[1, false, 500], [2, false, 500], [3, true, 200]]);
  assert.match(delivery.attemptLog[0].error, /500/);
  assert.ok(delivery.attemptLog.every((a: any) => Number.isInteger(a.durationMs) && a.durationMs >= 0));
  assert.deepEqual(delivery.attemptLog.map((a: any) => Date.parse(a.at) - Date.parse(delivery.attemptLog[0].at)), [0, firstRetry, firstRetry + secondRetry]);

  // Same event, same id and body every time; each attempt signed afresh with its own timestamp.
  assert.deepEqual(new Set(receiver.received.map((r) => r.id)).size, 1);
  assert.deepEqual(new Set(receiver.received.map((r) => r.body)).size, 1);
  assert.equal(receiver.received[0]!.id, delivery.id);
  assertWellFormed(receiver, ws.id);
  assert.ok(receiver.received[2]!.timestamp > receiver.received[0]!.timestamp);

  await advance(server, 24 * 3600_000);
  assert.equal(receiver.received.length, 3, 'a delivered event is not sent again');
});

test('a receiver that always fails (or is down) ends failed once the retry schedule runs out', async (t) => {
  const { server, ws, now } = await setup(t);
  const failing = await startReceiver(t, now, () => 503);
  const hook = await subscribe(ws, failing, ['conversation.created']);
  // An endpoint nobody listens on: the port was bound, then released.
  const gone = await startReceiver(t, now);
  const goneHook = await subscribe(ws, gone, ['conversation.created']);
  await gone.close();
  await inboundConversation(ws);

  await step(server);
  for (let i = 0; i < 50; i++) {
    const [delivery] = await deliveries(ws, hook.id);
    if (delivery.status !== 'pending') break;
    await advance(server, Date.parse(delivery.nextAttemptAt) - now());
  }
  const [delivery] = await deliveries(ws, hook.id);
  assert.equal(delivery.status, 'failed');
  assert.equal(delivery.nextAttemptAt, null);
  // 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h: ten attempts in all.
  assert.equal(delivery.attempts, 10);
  assert.equal(delivery.attemptLog.length, 10);
  assert.ok(delivery.attemptLog.every((a: any) => a.ok === false && a.statusCode === 503));
  assert.match(delivery.lastError, /503/);
  assert.equal(failing.received.length, 10);
  assertWellFormed(failing, ws.id);
  const spanHours = (Date.parse(delivery.attemptLog[9].at) - Date.parse(delivery.attemptLog[0].at)) / 3600_000;
  assert.ok(spanHours > 15 && spanHours < 17, `retries span ${spanHours} h`);

  const [down] = await deliveries(ws, goneHook.id);
  assert.equal(down.status, 'failed');
  assert.equal(down.attempts, 10);
  assert.ok(down.attemptLog.every((a: any) => a.statusCode === null && /ECONNREFUSED|fetch failed/.test(a.error)), JSON.stringify(down.attemptLog[0]));

  await advance(server, 48 * 3600_000);
  assert.equal(failing.received.length, 10, 'a failed delivery is not retried any more');
});

test('a receiver that never answers times out on the server clock, is logged and retried', async (t) => {
  const { server, ws } = await setup(t);
  const requests: IncomingMessage[] = [];
  let arrived!: () => void;
  const firstRequest = new Promise<void>((resolve) => (arrived = resolve));
  const hanging = createServer((req) => {
    requests.push(req);
    arrived(); // and never answers
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  t.after(() => close(hanging));
  const hook = await ok(ws.api('POST', '/v1/webhooks', { url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`, events: ['conversation.created'] }), 201);
  await inboundConversation(ws);

  // The attempt is in flight until the server's clock passes the delivery timeout (10 s by default).
  const startedAt = server.clock!.now();
  const run = step(server);
  await firstRequest;
  server.clock!.advance(9_999);
  const [during] = await deliveries(ws, hook.webhook.id);
  // Ended before anything is asserted: a failure must not leave the server's close waiting on it.
  server.clock!.advance(1);
  await run;
  assert.equal(during.attempts, 0, 'still waiting for the answer');
  // The log said the request was out, not that the next attempt was due at the end of its claim.
  assert.deepEqual([during.status, during.attemptingSince, during.nextAttemptAt], ['pending', new Date(startedAt).toISOString(), null]);
  const [delivery] = await deliveries(ws, hook.webhook.id);
  assert.equal(delivery.status, 'pending');
  assert.equal(delivery.attempts, 1);
  assert.equal(delivery.attemptingSince, null);
  assert.deepEqual(delivery.attemptLog.map((a: any) => [a.ok, a.statusCode, a.error]), [[false, null, 'no response within 10000 ms']]);
  assert.equal(Date.parse(delivery.nextAttemptAt) - server.clock!.now(), 5_000, 'retried the first backoff step after the attempt gave up');
  assert.equal(requests.length, 1);
  // The request was abandoned: its connection is closed, so a hung receiver holds nothing.
  await new Promise<void>((resolve) => (requests[0]!.socket.destroyed ? resolve() : requests[0]!.socket.once('close', () => resolve())));
});

test('replies go out as message.created; inbound messages do not; notes only as internal note.created', async (t) => {
  const { server, ws, now } = await setup(t);
  const ana = await ws.addAgent('ana');
  await ws.addAgent('ben');
  const receiver = await startReceiver(t, now);
  const hook = await subscribe(ws, receiver);

  const id = await inboundConversation(ws, 'INBOUND-ONE');
  const note1 = await ok(ana.call('POST', `/v1/conversations/${id}/notes`, { body: 'NOTE-SECRET-ONE card ends 4242 @ben' }), 201);
  const reply1 = await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'REPLY-ONE' }), 201);
  await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'INBOUND-TWO' }), 201);
  await ok(ana.call('POST', `/v1/conversations/${id}/notes`, { body: 'NOTE-SECRET-TWO' }), 201);
  const reply2 = await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'REPLY-TWO' }), 201);
  // Outreach: an agent starts a conversation with a message the host must deliver.
  const outreach = await ok(ana.call('POST', '/v1/conversations', { contact: { name: 'Eve' }, channel: 'email', subject: 'Your quote', message: { body: 'OUTREACH-ONE' } }), 201);
  await step(server);
  assertWellFormed(receiver, ws.id);

  const messages = receiver.ofType('message.created');
  assert.deepEqual(messages.map((e) => e.data.message.body), ['REPLY-ONE', 'REPLY-TWO', 'OUTREACH-ONE']);
  assert.deepEqual(messages.map((e) => e.data.message.id).slice(0, 2), [reply1.message.id, reply2.message.id]);
  assert.equal(messages[2].data.conversation.id, outreach.conversation.id);
  for (const e of messages) {
    assert.equal(e.data.message.direction, 'outbound');
    assert.equal(e.data.message.kind, 'message');
    assert.equal(e.data.message.internal, false);
    assert.deepEqual(Object.keys(e.data).sort(), ['contact', 'conversation', 'message']);
    // Whom to deliver it to, without a second request: the conversation's own contact.
    assert.equal(e.data.contact.id, e.data.conversation.contactId);
  }
  assert.deepEqual(messages.map((e) => [e.data.contact.name, e.data.contact.phone]), [['Dana', '+15550100'], ['Dana', '+15550100'], ['Eve', null]]);
  const raw = receiver.received.filter((r) => r.event.type === 'message.created').map((r) => r.body).join('\n');
  assert.doesNotMatch(raw, /NOTE-SECRET|4242|"kind":"note"|"internal":true/);
  assert.doesNotMatch(raw, /INBOUND-(ONE|TWO)/, 'an outbound message event carries only its own message');

  const notes = receiver.ofType('note.created');
  assert.deepEqual(notes.map((e) => e.data.note.body), ['NOTE-SECRET-ONE card ends 4242 @ben', 'NOTE-SECRET-TWO']);
  for (const e of notes) {
    assert.equal(e.data.internal, true);
    assert.equal(e.data.note.internal, true);
    assert.equal(e.data.note.kind, 'note');
  }
  assert.deepEqual(notes[0].data.note.mentions, note1.note.mentions);
  assert.equal(note1.note.mentions.length, 1);
  // No other event carries note text either (the conversation preview is the latest message).
  const others = receiver.received.filter((r) => r.event.type !== 'note.created').map((r) => r.body).join('\n');
  assert.doesNotMatch(others, /NOTE-SECRET/);
  assert.deepEqual(receiver.ofType('conversation.created').map((e) => e.data.message?.body), ['INBOUND-ONE', 'OUTREACH-ONE']);
  assert.equal((await deliveries(ws, hook.id)).length, receiver.received.length);

  // The transcript is what a host may send the customer: messages only.
  const timeline = await ok(ws.api('GET', `/v1/conversations/${id}/timeline`));
  assert.equal(timeline.items.filter((i: any) => i.kind === 'note').length, 2, 'the timeline does keep the notes');
  const res = await ws.api('GET', `/v1/conversations/${id}/transcript`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.items.map((i: any) => [i.kind, i.direction, i.body]), [
    ['message', 'inbound', 'INBOUND-ONE'],
    ['message', 'outbound', 'REPLY-ONE'],
    ['message', 'inbound', 'INBOUND-TWO'],
    ['message', 'outbound', 'REPLY-TWO'],
  ]);
  assert.ok(res.body.items.every((i: any) => i.internal === false));
  assert.doesNotMatch(JSON.stringify(res.body), /NOTE-SECRET|4242|"internal":true/);
  assert.deepEqual(Object.keys(res.body.conversation).sort(), ['channel', 'contactId', 'createdAt', 'id', 'subject']);
  assert.equal(res.body.nextAfter, null);

  const page1 = await ok(ws.api('GET', `/v1/conversations/${id}/transcript?limit=3`));
  assert.equal(page1.items.length, 3);
  const page2 = await ok(ws.api('GET', `/v1/conversations/${id}/transcript?limit=3&after=${page1.nextAfter}`));
  assert.deepEqual(page2.items.map((i: any) => i.body), ['REPLY-TWO']);

  assert.equal((await ana.call('GET', `/v1/conversations/${id}/transcript`)).status, 403, 'the transcript is for the host backend');
  const other = await server.createWorkspace('Other');
  assert.equal((await other.api('GET', `/v1/conversations/${id}/transcript`)).status, 404);
  assert.equal((await ws.api('GET', `/v1/conversations/${id}/transcript?limit=0`)).status, 400);
});

test('after a restart, replayed outbox rows never duplicate a delivery and nothing is lost', async (t) => {
  const file = tempDbFile(t, 'webhooks');

  const first = await TestServer.start({ db: file, privateDestinations: LOOPBACK_DESTINATIONS });
  let current = first;
  t.after(() => current.close());
  // The job runner has not got to anything yet: deliveries happen only when the test steps them.
  first.server.deps.jobs.stop();
  const ws = await first.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  let phase: 'first' | 'second' = 'first';
  // Before the restart the receiver takes two events and then starts failing.
  const receiver = await startReceiver(t, () => current.clock!.now(), (index) => (phase === 'second' || index < 2 ? 200 : 500));
  const hook = await subscribe(ws, receiver);

  const id = await inboundConversation(ws);
  await ok(ws.api('POST', `/v1/conversations/${id}/assign`, { assigneeId: ana.id }));
  await ok(ana.call('POST', `/v1/conversations/${id}/notes`, { body: 'check the courier' }), 201);
  await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'On it' }), 201);
  await step(first); // a partial run: two delivered, two failed and waiting for a retry
  await ok(ana.call('POST', `/v1/conversations/${id}/resolve`));
  await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'Thanks, but…' }), 201);
  await first.settle(); // enqueued, never attempted

  const before = await deliveries(ws, hook.id);
  assert.deepEqual(before.map((d) => [d.type, d.status, d.attempts]).reverse(), [
    ['conversation.created', 'done', 1],
    ['conversation.assigned', 'done', 1],
    ['note.created', 'pending', 1],
    ['message.created', 'pending', 1],
    ['conversation.resolved', 'pending', 0],
    ['conversation.reopened', 'pending', 0],
  ]);
  // A crash after the deliveries were enqueued but before the relay saved its place: on restart the
  // webhooks consumer sees every row again.
  await first.server.deps.storage.db.updateTable('consumer_offsets').set({ last_id: 0 }).where('consumer', '=', 'webhooks').execute();
  await first.close();

  phase = 'second';
  const second = await TestServer.start({ db: file, privateDestinations: LOOPBACK_DESTINATIONS });
  current = second;
  // The same workspace (same API key), now reached through the new process.
  const ws2: TestWorkspace = { ...ws, api: (method, path, body, headers) => second.request(method, path, { token: ws.apiKey, body, headers }) };
  await step(second);
  for (let i = 0; i < 10 && (await deliveries(ws2, hook.id)).some((d) => d.status === 'pending'); i++) await advance(second, 3600_000);
  const offset = await second.server.deps.storage.db.selectFrom('consumer_offsets').select('last_id').where('consumer', '=', 'webhooks').executeTakeFirstOrThrow();
  assert.ok(Number(offset.last_id) > 0, 'the new process replayed the outbox');

  const after = await deliveries(ws2, hook.id);
  assert.deepEqual(after.map((d) => d.id), before.map((d) => d.id), 'the log holds the same events, no more, no fewer');
  assert.equal(new Set(after.map((d) => d.id)).size, 6);
  assert.ok(after.every((d) => d.status === 'done'), JSON.stringify(after.map((d) => d.status)));
  assert.deepEqual(after.map((d) => d.attempts).reverse(), [1, 1, 2, 2, 1, 1]);

  // The receiver accepted every event exactly once; every request it saw is in the log.
  const accepted = receiver.acceptedById();
  assert.deepEqual([...accepted.keys()].sort(), after.map((d) => d.id).sort());
  assert.ok([...accepted.values()].every((n) => n === 1), JSON.stringify([...accepted]));
  assert.equal(receiver.received.length, after.reduce((sum, d) => sum + d.attempts, 0));
  assertWellFormed(receiver, ws.id);

  await advance(second, 24 * 3600_000);
  assert.equal(receiver.received.length, 8, 'nothing is sent again later');
});

test('tenants: one workspace cannot see, delete or receive from another’s webhooks', async (t) => {
  const { server, ws: a, now } = await setup(t);
  const b = await server.createWorkspace('Beta');
  const receiverA = await startReceiver(t, now);
  const receiverB = await startReceiver(t, now);
  const hookA = await subscribe(a, receiverA);
  const hookB = await subscribe(b, receiverB);

  const listB = await ok(b.api('GET', '/v1/webhooks'));
  assert.deepEqual(listB.items.map((w: any) => w.id), [hookB.id]);
  assert.equal((await b.api('GET', `/v1/webhooks/${hookA.id}/deliveries`)).status, 404);
  assert.equal((await b.api('DELETE', `/v1/webhooks/${hookA.id}`)).status, 404);
  assert.deepEqual((await ok(a.api('GET', '/v1/webhooks'))).items.map((w: any) => w.id), [hookA.id], 'A’s webhook survived B’s attempt');

  const agentA = await a.addAgent('ana');
  assert.equal((await agentA.call('GET', '/v1/webhooks')).status, 403, 'webhooks are for the API key');
  assert.equal((await agentA.call('POST', '/v1/webhooks', { url: receiverA.url, events: ['note.created'] })).status, 403);
  assert.equal((await server.request('GET', '/v1/webhooks')).status, 401);

  // Hold the relay so both workspaces' changes reach the webhooks consumer in one batch.
  const late = await startReceiver(t, now);
  let release!: () => void;
  const held = server.server.deps.relay.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
  const convA = await inboundConversation(a, 'from A');
  const convB = await inboundConversation(b, 'from B');
  // An endpoint created after those changes does not get them, even though the relay is behind.
  server.clock!.advance(1);
  await subscribe(a, late);
  release();
  await held;
  await step(server);
  assert.deepEqual(receiverA.received.map((r) => [r.event.workspaceId, r.event.data.conversation.id]), [[a.id, convA]], 'A’s receiver got B’s event');
  assert.deepEqual(receiverB.received.map((r) => [r.event.workspaceId, r.event.data.conversation.id]), [[b.id, convB]], 'B’s receiver got A’s event');
  assert.equal(late.received.length, 0, 'a change from before the endpoint existed was sent to it');
  assertWellFormed(receiverA, a.id);
  assertWellFormed(receiverB, b.id);
  assert.equal((await deliveries(b, hookB.id)).length, 1);
  assert.equal((await deliveries(a, hookA.id)).length, 1);
});

test('deleting a webhook stops its pending deliveries and any new ones', async (t) => {
  const { server, ws, now } = await setup(t);
  const receiver = await startReceiver(t, now, () => 500);
  const hook = await subscribe(ws, receiver, ['conversation.created']);
  await inboundConversation(ws);
  await step(server);
  assert.equal(receiver.received.length, 1);
  assert.equal((await deliveries(ws, hook.id))[0].status, 'pending');

  assert.deepEqual(await ok(ws.api('DELETE', `/v1/webhooks/${hook.id}`)), { ok: true });
  assert.deepEqual((await ok(ws.api('GET', '/v1/webhooks'))).items, []);
  assert.equal((await ws.api('DELETE', `/v1/webhooks/${hook.id}`)).status, 404);

  await inboundConversation(ws);
  await advance(server, 24 * 3600_000);
  assert.equal(receiver.received.length, 1, 'sent to a deleted webhook');
  // The log stays readable: the pending delivery was skipped, and no new one was queued.
  const log = await deliveries(ws, hook.id);
  assert.equal(log.length, 1);
  assert.equal(log[0].status, 'skipped');
  assert.equal(log[0].attempts, 1);
  assert.equal(log[0].nextAttemptAt, null);
});

test('bad input is rejected with 400 and creates nothing; the secret is shown once', async (t) => {
  const { server, ws, now } = await setup(t);
  const receiver = await startReceiver(t, now);
  const bad: [string, unknown][] = [
    ['ftp URL', { url: 'ftp://example.com/hook', events: ['message.created'] }],
    ['javascript URL', { url: 'javascript:alert(1)', events: ['message.created'] }],
    ['not a URL', { url: 'hooks/baton', events: ['message.created'] }],
    ['missing URL', { events: ['message.created'] }],
    ['unknown event', { url: receiver.url, events: ['message.deleted'] }],
    ['internal-only event', { url: receiver.url, events: ['conversation.read'] }],
    ['empty events', { url: receiver.url, events: [] }],
    ['repeated event', { url: receiver.url, events: ['note.created', 'note.created'] }],
    ['events not a list', { url: receiver.url, events: 'message.created' }],
    ['unknown field', { url: receiver.url, events: ['message.created'], secret: 'whsec_mine' }],
    ['wrong type', { url: receiver.url, events: ['message.created'], description: 7 }],
  ];
  for (const [what, body] of bad) {
    const res = await ws.api('POST', '/v1/webhooks', body);
    assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
    assert.equal(typeof res.body.error?.code, 'string', `${what}: error shape`);
  }
  const malformed = await server.request('POST', '/v1/webhooks', { token: ws.apiKey, raw: '{"url":' });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'malformed_json');
  assert.equal((await ws.api('GET', '/v1/webhooks/nope/deliveries?limit=1000')).status, 400);
  assert.deepEqual((await ok(ws.api('GET', '/v1/webhooks'))).items, [], 'a rejected request created a webhook');

  const created = await ok(ws.api('POST', '/v1/webhooks', { url: receiver.url, events: ['message.created', 'note.created'], description: 'SMS gateway' }), 201);
  assert.match(created.secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
  assert.ok(Buffer.from(created.secret.slice(6), 'base64').length >= 24);
  assert.deepEqual(created.webhook.events, ['message.created', 'note.created']);
  const list = await ws.api('GET', '/v1/webhooks');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items, [created.webhook]);
  assert.ok(!JSON.stringify(list.body).includes(created.secret.slice(6)), 'the list leaks the secret');
  assert.equal('secret' in list.body.items[0], false);
  const again = await ok(ws.api('POST', '/v1/webhooks', { url: receiver.url, events: ['message.created'] }), 201);
  assert.notEqual(again.secret, created.secret, 'each endpoint gets its own secret');

  const doc = await ok(server.request('GET', '/v1/openapi.json'));
  for (const path of ['/v1/webhooks', '/v1/webhooks/{id}', '/v1/webhooks/{id}/deliveries', '/v1/conversations/{id}/transcript']) {
    assert.ok(doc.paths[path], `OpenAPI lacks ${path}`);
  }
});

test('two server processes on one database file: each delivery is attempted by one of them, and a runner that dies leaves it to the other once its claim runs out', { timeout: 30_000 }, async (t) => {
  const file = tempDbFile(t, 'webhooks-nodes');
  const a = await TestServer.startFor(t, { db: file, privateDestinations: LOOPBACK_DESTINATIONS });
  const b = await TestServer.startFor(t, { db: file, privateDestinations: LOOPBACK_DESTINATIONS });
  // The runners go when the test steps them, so both can be made to look at the same due job.
  a.server.deps.jobs.stop();
  b.server.deps.jobs.stop();

  // A receiver that holds every request until released: the first node's attempt is still out
  // while the second node looks for due jobs.
  const requests: string[] = [];
  const held: (() => void)[] = [];
  let arrived = () => {};
  const nextRequest = () => new Promise<void>((resolve) => (arrived = resolve));
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push(JSON.parse(body).id);
      held.push(() => res.writeHead(200).end());
      arrived();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const release of held.splice(0)) release();
    return new Promise<void>((resolve) => receiver.close(() => resolve()));
  });
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const ws = await a.createWorkspace('Acme');
  const hook = await ok(ws.api('POST', '/v1/webhooks', { url, events: ['conversation.created'] }), 201);
  await inboundConversation(ws);
  await a.settle();

  let sent = nextRequest();
  const onA = a.server.deps.jobs.runDue();
  await sent;
  assert.equal(requests.length, 1, 'node A sent it');
  // Node B looks while A's request is out: the job is claimed, so B finds nothing due. (Were it
  // to send it too, the receiver would hold B's request as well: the race ends the wait.)
  const onB = await Promise.race([b.server.deps.jobs.runDue(), nextRequest().then(() => 'node B sent it too')]);
  if (onB !== 0) for (const release of held.splice(0)) release(); // let the failure end cleanly
  assert.equal(onB, 0, 'node B attempted nothing');
  b.clock!.advance(10_000);
  assert.equal(await b.server.deps.jobs.runDue(), 0, 'nor later within the claim');
  for (const release of held.splice(0)) release();
  assert.equal(await onA, 1);
  assert.equal(requests.length, 1);
  const log = await deliveries(ws, hook.webhook.id);
  assert.deepEqual(log.map((d) => [d.status, d.attempts]), [['done', 1]]);

  // A runner that claimed a job and died (simulated: the claim is taken straight in storage, and
  // nobody ever logs the attempt). The other node leaves it until the claim runs out, then sends it.
  await inboundConversation(ws, 'second');
  await a.settle();
  const { db } = a.server.deps.storage;
  const job = await db.selectFrom('jobs').select(['id', 'next_run_at']).where('status', '=', 'pending').executeTakeFirstOrThrow();
  const claimedAt = b.clock!.now();
  const leaseUntil = claimedAt + 60_000;
  assert.ok(await claimJob(db, Number(job.id), Number(job.next_run_at), leaseUntil, claimedAt), 'the dead runner claimed it');
  assert.equal(await claimJob(db, Number(job.id), Number(job.next_run_at), leaseUntil, claimedAt), false, 'a claim is taken once');
  assert.equal(await b.server.deps.jobs.runDue(), 0, 'claimed by a runner that is gone: not yet');
  // Node A's log (its clock is behind B's): under way while the claim holds.
  const secondDelivery = async () => (await deliveries(ws, hook.webhook.id))[0];
  let shown = await secondDelivery();
  assert.deepEqual([shown.status, shown.attemptingSince, shown.nextAttemptAt], ['pending', new Date(claimedAt).toISOString(), null]);
  b.clock!.advance(60_000);
  // Once it has run out, the log shows the delivery as due from the claim's end, no longer under way.
  a.clock!.advance(b.clock!.now() - a.clock!.now());
  shown = await secondDelivery();
  assert.deepEqual([shown.status, shown.attemptingSince, shown.nextAttemptAt], ['pending', null, new Date(leaseUntil).toISOString()]);
  sent = nextRequest();
  const afterLease = b.server.deps.jobs.runDue();
  await sent;
  for (const release of held.splice(0)) release();
  assert.equal(await afterLease, 1, 'node B sent it once the claim ran out');
  assert.equal(requests.length, 2);
  assert.equal(new Set(requests).size, 2, 'two events, each sent once');

  // The runner whose claim ran out was only stalled: it comes back and logs its own attempt 1. The
  // job has moved on without it, so its record is dropped; it neither fails nor counts twice.
  const late = await a.server.deps.storage.write((trx) =>
    recordAttempt(
      trx,
      { jobId: Number(job.id), workspaceId: ws.id, destination: url, attempt: 1, startedAt: 0, ok: false, statusCode: 500, error: 'late', durationMs: 1, status: 'pending', nextRunAt: 0, finishedAt: null },
      b.clock!.now(),
    ),
  );
  assert.equal(late, undefined);
  const after = await db.selectFrom('jobs').select(['status', 'attempts', 'last_error']).where('id', '=', job.id).executeTakeFirstOrThrow();
  assert.deepEqual([after.status, Number(after.attempts), after.last_error], ['done', 1, null], 'still done after one attempt');
  const rows = await db.selectFrom('job_attempts').select(['attempt', 'ok']).where('job_id', '=', job.id).execute();
  assert.deepEqual(rows.map((r) => [Number(r.attempt), Number(r.ok)]), [[1, 1]]);
});
