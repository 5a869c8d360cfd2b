import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { principalKey } from '../auth/principal.js';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';

const MAX_KEY_LENGTH = 255;
/**
 * A claim with no response after this long belongs to a request whose process died mid-way
 * (requests finish in milliseconds); a retry may take it over instead of getting 409 forever.
 */
export const ABANDONED_CLAIM_MS = 60_000;

/**
 * `Idempotency-Key` on writes: the first request's response is stored and any retry with the same
 * key (same caller) gets it back without running again. The key is claimed before the handler runs,
 * so a concurrent duplicate gets 409 instead of doing the work twice; a reuse with a different
 * request is 422. Server errors release the key so the client can retry for real.
 */
export const idempotency: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header('idempotency-key');
  if (key === undefined || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new AppError(400, 'bad_request', `Idempotency-Key must be 1–${MAX_KEY_LENGTH} characters`);
  }
  const principal = c.get('principal');
  if (!principal) return next(); // unauthenticated: the route answers 401 itself
  const { db } = c.get('deps').storage;
  const scope = {
    workspace_id: principal.kind === 'serverAdmin' ? '' : principal.workspaceId,
    principal: principalKey(principal),
    key,
  };
  const body = await c.req.text();
  const requestHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${c.req.header('if-match') ?? ''}\n${body}`).digest('hex');

  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ ...scope, request_hash: requestHash, status_code: null, response_body: null, created_at: c.get('deps').clock.now() })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  const thisKey = <Q extends { where: (...args: any[]) => any }>(q: Q): Q =>
    q.where('workspace_id', '=', scope.workspace_id).where('principal', '=', scope.principal).where('key', '=', key);

  /** Runs the handler and stores its response under the key; a server error releases the key. */
  const runAndStore = async () => {
    await next();
    if (c.res.status >= 500) {
      await thisKey(db.deleteFrom('idempotency_keys')).execute();
      return;
    }
    const responseBody = await c.res.clone().text();
    await thisKey(db.updateTable('idempotency_keys').set({ status_code: c.res.status, response_body: responseBody })).execute();
  };

  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
    const stored = await thisKey(db.selectFrom('idempotency_keys').selectAll()).executeTakeFirstOrThrow();
    if (stored.request_hash !== requestHash) {
      throw new AppError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
    }
    if (stored.status_code === null) {
      const now = c.get('deps').clock.now();
      const abandoned = now - Number(stored.created_at) > ABANDONED_CLAIM_MS;
      // Compare-and-set on created_at: of several retries racing for an abandoned claim, one wins.
      const takenOver = abandoned
        ? await thisKey(db.updateTable('idempotency_keys').set({ created_at: now }))
            .where('created_at', '=', stored.created_at)
            .where('status_code', 'is', null)
            .executeTakeFirst()
        : null;
      if (!takenOver || Number(takenOver.numUpdatedRows) === 0) {
        throw new AppError(409, 'idempotency_request_in_progress', 'a request with this Idempotency-Key is still running');
      }
      return runAndStore();
    }
    c.header('Idempotent-Replayed', 'true');
    return c.body(stored.response_body ?? '', stored.status_code as 200, { 'content-type': 'application/json' });
  }
  return runAndStore();
};
