import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

/**
 * At most `limit` holders per key at once; the rest wait in arrival order. A key's state exists
 * only while someone holds or waits for it, so idle workspaces cost nothing.
 */
export class KeyedSlots {
  private readonly byKey = new Map<string, { held: number; waiting: (() => void)[] }>();

  constructor(private readonly limit: number) {}

  /** Resolves once the caller holds one of `key`'s slots; hand it back with `release(key)`. */
  async acquire(key: string): Promise<void> {
    let slots = this.byKey.get(key);
    if (!slots) this.byKey.set(key, (slots = { held: 0, waiting: [] }));
    if (slots.held < this.limit) {
      slots.held++;
      return;
    }
    // The releasing holder passes its slot straight on, so `held` stays at the limit meanwhile.
    await new Promise<void>((resolve) => slots.waiting.push(resolve));
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
 * Each workspace's requests share a bounded number of places in the handlers (`slots`); the rest wait, in order,
 * before doing any work (DESIGN §7a: tenants never slow each other down). Without it, every
 * request in flight got an equal share of the event loop, so a tenant's share was the number of
 * connections it opened: with 200 connections flooding creates, another tenant's create took p50
 * 78–136 ms instead of a few (docs/benchmarks.md, session 12). Nothing is refused and the v1 contract
 * does not change; a tenant alone still gets the whole server, since the limit is on requests at
 * once, not on their rate.
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
    await slots.acquire(workspaceId);
    try {
      await next();
    } finally {
      slots.release(workspaceId);
    }
  };
}
