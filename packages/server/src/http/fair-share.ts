import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';

/**
 * At most `limit` holders per key at once; the rest wait in arrival order. A key's state exists
 * only while someone holds or waits for it, so idle workspaces cost nothing.
 */
export class KeyedSlots {
  private readonly byKey = new Map<string, { held: number; waiting: (() => void)[] }>();

  constructor(private readonly limit: number) {}

  /** Takes one of `key`'s slots if one is free; hand it back with `release(key)`. */
  tryAcquire(key: string): boolean {
    let slots = this.byKey.get(key);
    if (!slots) this.byKey.set(key, (slots = { held: 0, waiting: [] }));
    if (slots.held >= this.limit) return false;
    slots.held++;
    return true;
  }

  /**
   * Waits for one of `key`'s slots (after `tryAcquire` found none): true once the caller holds it,
   * false if `gone` aborted first, and then it holds nothing and waits no more.
   */
  waitFor(key: string, gone: AbortSignal): Promise<boolean> {
    const slots = this.byKey.get(key);
    if (!slots || slots.held < this.limit) return Promise.resolve(this.tryAcquire(key));
    if (gone.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      // The releasing holder passes its slot straight on, so `held` stays at the limit meanwhile.
      const take = () => {
        gone.removeEventListener('abort', leave);
        resolve(true);
      };
      const leave = () => {
        slots.waiting.splice(slots.waiting.indexOf(take), 1);
        resolve(false);
      };
      slots.waiting.push(take);
      gone.addEventListener('abort', leave, { once: true });
    });
  }

  release(key: string): void {
    const slots = this.byKey.get(key);
    if (!slots) return;
    const next = slots.waiting.shift();
    if (next) next();
    else if (--slots.held === 0) this.byKey.delete(key);
  }

  /** Slots held and requests waiting for `key` (tests, metrics). */
  state(key: string): { held: number; waiting: number } {
    const slots = this.byKey.get(key);
    return { held: slots?.held ?? 0, waiting: slots?.waiting.length ?? 0 };
  }
}

/**
 * Each workspace's requests share a bounded number of places in the handlers (`slots`); the rest
 * wait, in order, before doing any work (DESIGN §7a: tenants never slow each other down). Without
 * it, every request in flight got an equal share of the event loop, so a tenant's share was the
 * number of connections it opened: with 200 connections flooding creates, another tenant's create
 * took p50 78–136 ms instead of a few (docs/benchmarks.md, session 12). Nothing is refused and the
 * v1 contract does not change; a tenant alone still gets the whole server, since the limit is on
 * requests at once, not on their rate.
 *
 * The body is read before the wait, so a slow upload holds no place while it arrives. Bodies of
 * waiting requests are in memory, as they would be in the handlers without the gate; the body
 * limit (`bodyLimit`) has run before. Requests without a workspace (the operator's admin token,
 * unauthenticated ones, which fail in their handler) pass straight through.
 */
export function fairShare(slots: KeyedSlots): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    const workspaceId = principal && principal.kind !== 'serverAdmin' ? principal.workspaceId : null;
    if (!workspaceId) return next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') await c.req.text();
    if (!slots.tryAcquire(workspaceId) && !(await waitWhileConnected(c, slots, workspaceId))) {
      // Nobody is there to read this; what matters is that the command did not run.
      throw new AppError(400, 'bad_request', 'the client closed the connection while the request waited for its turn');
    }
    try {
      await next();
    } finally {
      slots.release(workspaceId);
    }
  };
}

/**
 * Waits for a slot unless the client closes the connection first: under an overload where clients
 * time out and retry, the requests they gave up on would otherwise still run, each a command
 * nobody hears the answer to, ahead of the retries. Not acknowledged, so not running it loses
 * nothing. (`app.request()` in process has no connection: it just waits.)
 */
async function waitWhileConnected(c: Context<AppEnv>, slots: KeyedSlots, workspaceId: string): Promise<boolean> {
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket;
  const gone = new AbortController();
  const leave = () => gone.abort();
  if (socket?.destroyed) leave();
  socket?.once('close', leave);
  try {
    return await slots.waitFor(workspaceId, gone.signal);
  } finally {
    socket?.off('close', leave);
  }
}
