import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { principalKey } from '../auth/principal.js';
import { AppError } from '../errors.js';
import { IdempotentReply } from '../services/idempotent-reply.js';
import { claimKey, releaseKey, saveReply, type KeyClaim, type StoredReply } from '../storage/idempotency.js';
import type { AppEnv } from './env.js';

const MAX_KEY_LENGTH = 255;
/**
 * A claim with no response after this long belongs to a request whose process died mid-way
 * (requests finish in milliseconds); a retry may take it over instead of getting 409 forever.
 */
export const ABANDONED_CLAIM_MS = 60_000;

/** What identifies the request behind a key: a reuse of the key for anything else is a 422. */
async function requestHash(c: Context<AppEnv>): Promise<string> {
  const body = await c.req.text();
  return createHash('sha256').update(`${c.req.method} ${c.req.path}\n${c.req.header('if-match') ?? ''}\n${body}`).digest('hex');
}

/**
 * `Idempotency-Key` on writes: the first request's response is stored and any retry with the same
 * key (same caller) gets it back without running again. The key is claimed before the handler runs,
 * so a concurrent duplicate gets 409 instead of doing the work twice; a reuse with a different
 * request is 422.
 *
 * The response of a command that commits is stored by the command's own unit of work
 * (services/idempotent-reply.ts, through `deps.reply`), so there is no moment at which the change
 * is committed and its response is not. What is left for this middleware, after the handler:
 * storing refusals (4xx) and the responses of commands that wrote nothing through a unit, and
 * releasing the key on a server error so the client can retry for real.
 */
export const idempotency: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header('idempotency-key');
  if (key === undefined || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new AppError(400, 'bad_request', `Idempotency-Key must be 1–${MAX_KEY_LENGTH} characters`);
  }
  const principal = c.get('principal');
  if (!principal) return next(); // unauthenticated: the route answers 401 itself
  const deps = c.get('deps');
  const scope = { workspaceId: principal.kind === 'serverAdmin' ? '' : principal.workspaceId, principal: principalKey(principal), key };
  const hash = await requestHash(c);
  const now = deps.clock.now();
  const outcome = await deps.storage.write((trx) => claimKey(trx, scope, hash, now, now - ABANDONED_CLAIM_MS));
  switch (outcome.kind) {
    case 'reused':
      throw new AppError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
    case 'in_progress':
      throw new AppError(409, 'idempotency_request_in_progress', 'a request with this Idempotency-Key is still running');
    case 'replay':
      c.header('Idempotent-Replayed', 'true');
      return c.body(outcome.reply.body, outcome.reply.status as 200, { 'content-type': 'application/json' });
    case 'claimed':
      break;
  }

  const reply = new IdempotentReply(outcome.claim);
  c.set('deps', { ...deps, reply });
  await next();
  await settle(c, outcome.claim, reply);
};

/** After the handler: whatever its unit of work did not store is stored now, or the key released. */
async function settle(c: Context<AppEnv>, claim: KeyClaim, reply: IdempotentReply): Promise<void> {
  // Committed with the change. Even if the handler failed afterwards, that is what happened, and
  // what a retry must get.
  if (reply.committed) return;
  const { storage } = c.get('deps');
  const status = c.res.status;
  let stored: StoredReply | null = null;
  if (status < 300) {
    stored = reply.replyToStoreAfterwards;
    if (!stored) {
      // Only http/reply.ts knows a response's secret fields, so no other success is stored.
      console.error('[baton] a keyed write answered without reply(); its key is released', c.req.method, c.req.path);
    }
  } else if (status < 500) {
    // A refusal: the error shape, which carries no secrets. Nothing was committed (a failing unit rolls back).
    stored = { status, body: await c.res.clone().text() };
  }
  // Neither writes if a retry has taken the key over meanwhile: the key is that request's now.
  await storage.write(async (trx) => void (stored ? await saveReply(trx, claim, stored) : await releaseKey(trx, claim)));
}
