import type { Ack, ClientToServerEvents } from '@baton/protocol';
import type { BatonSocket } from './io.js';

/** The answer a handler gives, as the event's ack in the protocol carries it. */
type AnswerOf<E extends keyof ClientToServerEvents> = Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0];

/**
 * A handler for an event the client sends. It gets the body as sent (anything: parse it), and an
 * `answer` that is always safe to call.
 */
export type ClientEventHandler<E extends keyof ClientToServerEvents> = (body: unknown, answer: (a: AnswerOf<E>) => void) => void | Promise<void>;

const INTERNAL: Ack<never> = { ok: false, error: { code: 'internal', message: 'the server could not handle this event' } };

/**
 * Listens for a client event, guarded against the client: a socket's arguments are whatever the
 * other end sends, not what the protocol's types say. Socket.IO passes an ack function only when the
 * client asked for one; otherwise the handler's second argument is the client's own second value
 * (a number, a string), and calling it threw out of the listener and took the whole process, every
 * tenant's connections with it, down. Here the answer goes to the client's ack if it sent one, and
 * nowhere if not; a handler that throws or rejects is logged and answers `internal`.
 */
export function onClientEvent<E extends keyof ClientToServerEvents>(socket: BatonSocket, event: E, handler: ClientEventHandler<E>): void {
  const listener = (...args: unknown[]) => {
    const last = args.at(-1);
    // Only Socket.IO's ack callback can be a function: a payload arrives as JSON.
    const ack = typeof last === 'function' ? (last as (a: unknown) => void) : null;
    const body = ack && args.length === 1 ? undefined : args[0];
    let answered = false;
    const answer = (a: unknown) => {
      if (answered || !ack) return;
      answered = true;
      ack(a);
    };
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
