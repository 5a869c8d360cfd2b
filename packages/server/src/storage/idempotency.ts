import { sql, type Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { Database, IdempotencyRow } from './schema.js';

/**
 * `Idempotency-Key` rows: a claim made before a request runs, then the response that answers its
 * retries. The response is written by the command's own unit of work (services/idempotent-reply.ts),
 * so a committed change always has its stored response; a request that commits nothing stores its
 * response (or releases the key) afterwards. Every statement here names the key and the claim time
 * it expects, so a request whose abandoned claim was taken over by a retry can no longer write.
 */

type Q = Kysely<Database>;

/** Whose key it is: keys are per workspace ('' for the server admin) and per caller. */
export interface KeyScope {
  workspaceId: string;
  principal: string;
  key: string;
}

/** A key this request holds; `claimedAt` tells its claim apart from a later takeover. */
export interface KeyClaim extends KeyScope {
  claimedAt: number;
}

/** A response as stored: its status and JSON text (never with secret fields, see http/reply.ts). */
export interface StoredReply {
  status: number;
  body: string;
}

export type ClaimOutcome =
  | { kind: 'claimed'; claim: KeyClaim }
  | { kind: 'replay'; reply: StoredReply }
  /** The same key names a different request (method, path, If-Match or body). */
  | { kind: 'reused' }
  /** A request with this key is still running (or died less than `abandonedBefore` ago). */
  | { kind: 'in_progress' };

/**
 * How long a stored response answers retries of its `Idempotency-Key`. After this the key may be
 * forgotten and a request with it runs as a new one, as with Stripe's keys: retries come within
 * minutes, and without an end the table would grow with every write forever.
 */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;

// Every keyed write runs these (the client SDK sends a key with each one), so they are compiled once.
const insertClaim = prepared<Omit<IdempotencyRow, 'status_code' | 'response_body'>>(
  ['workspace_id', 'principal', 'key', 'request_hash', 'created_at'],
  (db, row) =>
    db
      .insertInto('idempotency_keys')
      .values({ ...row, status_code: null, response_body: null })
      .onConflict((oc) => oc.columns(['workspace_id', 'principal', 'key']).doNothing()),
);

const selectKey = prepared<{ ws: string; principal: string; key: string }, IdempotencyRow>(['ws', 'principal', 'key'], (db, a) =>
  db.selectFrom('idempotency_keys').selectAll().where('workspace_id', '=', a.ws).where('principal', '=', a.principal).where('key', '=', a.key),
);

/** Compare-and-set on the claim: only the request that holds it (same claim time, no response yet). */
const updateReply = prepared<{ ws: string; principal: string; key: string; claimedAt: number; status: number; body: string }>(
  ['ws', 'principal', 'key', 'claimedAt', 'status', 'body'],
  (db, a) =>
    db
      .updateTable('idempotency_keys')
      .set({ status_code: a.status, response_body: a.body })
      .where('workspace_id', '=', a.ws)
      .where('principal', '=', a.principal)
      .where('key', '=', a.key)
      .where('created_at', '=', a.claimedAt)
      .where('status_code', 'is', null),
);

const claimArgs = (claim: KeyClaim) => ({ ws: claim.workspaceId, principal: claim.principal, key: claim.key, claimedAt: claim.claimedAt });

/**
 * Claims `scope`'s key for a request, or says why not. A claim still without a response from before
 * `abandonedBefore` belongs to a request whose process died; one retry takes it over (a
 * compare-and-set on its claim time, so of several racing retries one wins).
 */
export async function claimKey(db: Q, scope: KeyScope, requestHash: string, now: number, abandonedBefore: number): Promise<ClaimOutcome> {
  const inserted = await insertClaim(db, {
    workspace_id: scope.workspaceId,
    principal: scope.principal,
    key: scope.key,
    request_hash: requestHash,
    created_at: now,
  });
  if (Number(inserted.numAffectedRows ?? 0) > 0) return { kind: 'claimed', claim: { ...scope, claimedAt: now } };

  const { rows } = await selectKey(db, { ws: scope.workspaceId, principal: scope.principal, key: scope.key });
  const stored = rows[0];
  // Swept away between the two statements (only possible on PostgreSQL): the client retries.
  if (!stored) return { kind: 'in_progress' };
  if (stored.request_hash !== requestHash) return { kind: 'reused' };
  if (stored.status_code !== null) return { kind: 'replay', reply: { status: stored.status_code, body: stored.response_body ?? '' } };
  const claimedAt = Number(stored.created_at);
  if (claimedAt >= abandonedBefore) return { kind: 'in_progress' };
  const takenOver = await db
    .updateTable('idempotency_keys')
    .set({ created_at: now })
    .where('workspace_id', '=', scope.workspaceId)
    .where('principal', '=', scope.principal)
    .where('key', '=', scope.key)
    .where('created_at', '=', claimedAt)
    .where('status_code', 'is', null)
    .executeTakeFirst();
  return Number(takenOver.numUpdatedRows) > 0 ? { kind: 'claimed', claim: { ...scope, claimedAt: now } } : { kind: 'in_progress' };
}

/** Stores the response under the claim; false when the claim is no longer this request's. */
export async function saveReply(db: Q, claim: KeyClaim, reply: StoredReply): Promise<boolean> {
  const result = await updateReply(db, { ...claimArgs(claim), status: reply.status, body: reply.body });
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Gives the key back (the request failed on the server's side), so a retry runs for real. */
export async function releaseKey(db: Q, claim: KeyClaim): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('workspace_id', '=', claim.workspaceId)
    .where('principal', '=', claim.principal)
    .where('key', '=', claim.key)
    .where('created_at', '=', claim.claimedAt)
    .where('status_code', 'is', null)
    .execute();
}

/**
 * Deletes up to `limit` keys stored before `cutoff`, oldest first; returns how many. Batches keep
 * each delete (one unit of work) short, so writes are not held up behind a large sweep.
 */
export async function deleteIdempotencyKeysBefore(db: Q, cutoff: number, limit: number): Promise<number> {
  const result = await sql`DELETE FROM idempotency_keys WHERE (workspace_id, principal, key) IN (
      SELECT workspace_id, principal, key FROM idempotency_keys WHERE created_at < ${cutoff} ORDER BY created_at LIMIT ${limit})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
