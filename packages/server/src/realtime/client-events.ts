import type { Ack, ClientToServerEvents } from '@baton/protocol';
import type { Clock } from '../clock.js';
import { TokenBucket, type Allowance } from '../token-bucket.js';
import type { BatonSocket } from './io.js';

/** The answer a handler gives, as the event's ack in the protocol carries it. */
type AnswerOf<E extends keyof ClientToServerEvents> = Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0];

/**
 * A handler for an event the client sends. It gets the body as sent (anything: parse it), and an
 * `answer` that is always safe to call.
 */
export type ClientEventHandler<E extends keyof ClientToServerEvents> = (body: unknown, answer: (a: AnswerOf<E>) => void) => void | Promise<void>;

const INTERNAL: Ack<never> = { ok: false, error: { code: 'internal', message: 'the server could not handle this event' } };
const RATE_LIMITED: Ack<never> = { ok: false, error: { code: 'rate_limited', message: 'too many events on this socket: slow down' } };

/**
 * Client events a socket may send: 200 at once after a quiet spell, then 50 a second. Each event
 * costs the server a little (presence:viewing reads the conversation); a socket sending thousands a
 * second would spend the CPU every tenant shares. The inbox sends one per conversation opened and
 * typing at most every few seconds; a held key repeats ~30 times a second, so people stay well
 * inside it, and a script flooding the socket is held to it.
 */
export const CLIENT_EVENT_ALLOWANCE: Allowance = { burst: 200, perSecond: 50 };

/** Each socket's budget, shared by all its events; it goes with the socket. */
const budgets = new WeakMap<BatonSocket, TokenBucket>();

function budgetOf(socket: BatonSocket, clock: Clock): TokenBucket {
  let budget = budgets.get(socket);
  if (!budget) budgets.set(socket, (budget = new TokenBucket(clock, CLIENT_EVENT_ALLOWANCE)));
  return budget;
}

/**
 * Listens for a client event, guarded against the client: a socket's arguments are whatever the
 * other end sends, not what the protocol's types say. Socket.IO passes an ack function only when the
 * client asked for one; otherwise the handler's second argument is the client's own second value
 * (a number, a string), and calling it threw out of the listener and took the whole process, every
 * tenant's connections with it, down. Here the answer goes to the client's ack if it sent one, and
 * nowhere if not; a handler that throws or rejects is logged and answers `internal`. Past the
 * socket's budget (one per socket, on `clock`, shared by its events), an event answers
 * `rate_limited` without reaching the handler.
 */
export function onClientEvent<E extends keyof ClientToServerEvents>(socket: BatonSocket, event: E, clock: Clock, handler: ClientEventHandler<E>): void {
  const budget = budgetOf(socket, clock);
  const listener = (...args: unknown[]) => {
    const last = args.at(-1);
    // Only Socket.IO's ack callback can be a function: a payload arrives as JSON. It answers once:
    // a second call (a handler that answered, then failed) is dropped by Socket.IO itself.
    const ack = typeof last === 'function' ? (last as (a: unknown) => void) : null;
    const body = ack && args.length === 1 ? undefined : args[0];
    const answer = (a: unknown) => ack?.(a);
    if (!budget.take()) return answer(RATE_LIMITED);
    const fail = (error: unknown) => {
      console.error(`[baton] socket event ${event} failed`, error);
      answer(INTERNAL);
    };
    try {
      const result = handler(body, answer as (a: AnswerOf<E>) => void);
      if (result) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
  (socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(event, listener);
}
