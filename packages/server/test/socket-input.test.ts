import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../src/clock.js';
import { CLIENT_EVENT_ALLOWANCE, onClientEvent } from '../src/realtime/client-events.js';
import type { BatonSocket } from '../src/realtime/io.js';
import { expectStatus as ok, twoWorkspaces, type LiveSocket } from '../src/testing.js';

/**
 * What a client sends on its socket is as untrusted as a request body: the protocol's types say
 * `(body, ack?)`, but the other end may send anything in any number of arguments. Whatever it sends,
 * the server answers through the ack (if there is one) or ignores it, and stays up for everyone.
 * Before session 14, `emit('presence:viewing', body, 5)` called 5 as the ack and the uncaught
 * TypeError ended the process.
 */

const EVENTS = ['presence:viewing', 'presence:typing'] as const;
const { burst: CLIENT_EVENT_BURST, perSecond: CLIENT_EVENTS_PER_SECOND } = CLIENT_EVENT_ALLOWANCE;

/** Emits raw arguments; resolves with the ack's answer, or after a round trip when no ack was sent. */
async function send(s: LiveSocket, event: string, args: unknown[], withAck: boolean): Promise<unknown> {
  const emit = s.socket.emit.bind(s.socket) as (event: string, ...rest: unknown[]) => void;
  if (withAck) return new Promise((resolve) => emit(event, ...args, resolve));
  emit(event, ...args);
  return undefined;
}

/** The socket still answers, and so does the server over HTTP. */
async function stillUp(s: LiveSocket, label: string) {
  const answer = (await send(s, 'presence:viewing', [{ conversationId: null }], true)) as any;
  assert.deepEqual(answer, { ok: true, data: null }, `${label}: the socket answers`);
}

const isAck = (a: any) =>
  (a?.ok === true && 'data' in a) || (a?.ok === false && typeof a.error?.code === 'string' && typeof a.error?.message === 'string');

describe('socket input', () => {
  it('a second argument that is not an ack (a number, a string, an object, null) is ignored; the server stays up for everyone', async (t) => {
    const { server, ws, ana, zoe } = await twoWorkspaces(t);
    const [anaLive, zoeLive] = await Promise.all([server.live(ana.token), server.live(zoe.token)]);
    for (const event of EVENTS) {
      for (const notAnAck of [5, 'ack', { then: 1 }, null, [1, 2], true]) {
        await send(anaLive, event, [{ conversationId: null }, notAnAck], false);
        await send(anaLive, event, [{ conversationId: null }, notAnAck, 'third'], false);
      }
    }
    await stillUp(anaLive, 'ana');
    await stillUp(zoeLive, 'another workspace');
    await ok(ws.api('GET', '/v1/agents'), 200);
  });

  it('bodies of the wrong shape, or none, with an ack: a validation_failed answer', async (t) => {
    const { server, ana } = await twoWorkspaces(t);
    const live = await server.live(ana.token);
    for (const event of EVENTS) {
      for (const args of [[], [5], ['conv'], [null], [[]], [{ conversationId: 5 }], [{ conversationId: 'x'.repeat(10_000) }], [{ conversationId: null, extra: 1 }]]) {
        const answer = (await send(live, event, args, true)) as any;
        assert.equal(answer?.ok, false, `${event} ${JSON.stringify(args).slice(0, 60)}`);
        assert.ok(['validation_failed', 'not_found', 'bad_request'].includes(answer.error.code), `${event} ${JSON.stringify(args).slice(0, 60)}: ${answer.error.code}`);
      }
    }
    await stillUp(live, 'ana');
  });

  it('random arguments, with and without an ack (fast-check): every ack gets one well-formed answer, and the server stays up', async (t) => {
    const { server, ws, ana, zoe } = await twoWorkspaces(t);
    const [anaLive, zoeLive] = await Promise.all([server.live(ana.token), server.live(zoe.token)]);
    const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'hi' } }), 201);
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ conversationId: fc.oneof(fc.constant(conversation.id), fc.constant(null), fc.string()) }, { requiredKeys: [] }),
      fc.record({ conversationId: fc.constant(conversation.id), kind: fc.oneof(fc.constantFrom('reply', 'note'), fc.jsonValue()) }),
    );
    const calls = fc.sample(fc.tuple(fc.constantFrom(...EVENTS), fc.array(body, { maxLength: 3 }), fc.boolean()), { seed: 14, numRuns: 200 });
    let answered = 0;
    for (const [i, [event, args, withAck]] of calls.entries()) {
      if (i % 50 === 49) server.clock!.advance(5_000); // within the socket's event budget
      const answer = await send(anaLive, event, args, withAck);
      if (withAck) {
        assert.ok(isAck(answer), `${event} ${JSON.stringify(args).slice(0, 100)}: ${JSON.stringify(answer)}`);
        answered++;
      }
    }
    assert.ok(answered > 50, `${answered} of the random calls asked for an answer`);
    await stillUp(anaLive, 'ana');
    await stillUp(zoeLive, 'another workspace');
  });

  it('a handler that throws or rejects answers internal (logged), and the next event is handled', async () => {
    const socket = new EventEmitter() as unknown as BatonSocket;
    const clock = new ManualClock(0);
    const errors: unknown[] = [];
    const logged = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      let calls = 0;
      onClientEvent(socket, 'presence:typing', clock, (_body, answer) => {
        calls++;
        if (calls === 1) throw new Error('sync failure');
        answer({ ok: true, data: { conversationId: 'c', viewing: [], typing: [] } });
      });
      onClientEvent(socket, 'presence:viewing', clock, async () => {
        throw new Error('async failure');
      });
      const answers: unknown[] = [];
      const emit = (event: string, ...args: unknown[]) => (socket as unknown as EventEmitter).emit(event, ...args);
      emit('presence:typing', {}, (a: unknown) => answers.push(a));
      emit('presence:viewing', {}, (a: unknown) => answers.push(a));
      // No ack, and one that is not a function: nothing to answer, nothing thrown.
      emit('presence:viewing', {});
      emit('presence:viewing', {}, 42);
      await new Promise((resolve) => setImmediate(resolve));
      emit('presence:typing', {}, (a: unknown) => answers.push(a));
      const internal = { ok: false, error: { code: 'internal', message: 'the server could not handle this event' } };
      assert.deepEqual(answers, [internal, internal, { ok: true, data: { conversationId: 'c', viewing: [], typing: [] } }]);
      assert.equal(errors.length, 4, 'each failure is logged');
    } finally {
      console.error = logged;
    }
  });

  it(`a socket's events past its budget (${CLIENT_EVENT_BURST} at once, ${CLIENT_EVENTS_PER_SECOND} a second after) answer rate_limited and reach no handler; other sockets keep theirs`, async (t) => {
    const { server, ws, ana, ben, zoe } = await twoWorkspaces(t);
    const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'hi' } }), 201);
    const [flood, benLive, zoeLive] = await Promise.all([server.live(ana.token), server.live(ben.token), server.live(zoe.token)]);
    const viewing = (s: LiveSocket, conversationId: string | null) => send(s, 'presence:viewing', [{ conversationId }], true) as Promise<any>;

    // The clock stands still: the whole burst, then nothing.
    // The burst leaves no conversation open; the 50 past it each ask to open one.
    const answers = await Promise.all(Array.from({ length: CLIENT_EVENT_BURST + 50 }, (_, i) => viewing(flood, i < CLIENT_EVENT_BURST ? null : conversation.id)));
    assert.equal(answers.filter((a) => a.ok).length, CLIENT_EVENT_BURST);
    const refused = answers.filter((a) => !a.ok);
    assert.equal(refused.length, 50);
    for (const a of refused) assert.deepEqual(a.error, { code: 'rate_limited', message: 'too many events on this socket: slow down' });
    // The refused ones reached no handler: ana is not viewing the conversation.
    const benSees = (await viewing(benLive, conversation.id)).data;
    assert.deepEqual(benSees.viewing, [ben.id], 'ana is not among the viewers');

    // Everyone else's sockets have their own budget.
    await stillUp(benLive, 'ben, same workspace');
    await stillUp(zoeLive, 'another workspace');
    assert.equal((await viewing(flood, conversation.id)).error?.code, 'rate_limited');

    // A second later on the server's clock, the flooding socket has that second's share again.
    server.clock!.advance(1_000);
    const after = await Promise.all(Array.from({ length: CLIENT_EVENTS_PER_SECOND + 5 }, () => viewing(flood, conversation.id)));
    assert.equal(after.filter((a) => a.ok).length, CLIENT_EVENTS_PER_SECOND);
    assert.deepEqual(after.at(-1).error.code, 'rate_limited');
  });
});
