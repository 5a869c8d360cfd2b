import { timingSafeEqual } from 'node:crypto';
import type { Caller } from '@baton/protocol';
import type { Clock } from '../clock.js';
import { forbidden, unauthorized } from '../errors.js';
import { findAgent } from '../storage/agents.js';
import { findApiKey } from '../storage/credentials.js';
import type { Db } from '../storage/db.js';
import { findWorkspaceByApiKey } from '../storage/workspaces.js';
import { verifyAgentToken } from './tokens.js';

/** Who is calling, established from the credential alone; the workspace never comes from the body. */
export type Principal =
  | { kind: 'serverAdmin' }
  /** `keyId` is the API key used; absent for the server's own calls (demo seeding). */
  | { kind: 'apiKey'; workspaceId: string; keyId?: string }
  | {
      kind: 'agent';
      workspaceId: string;
      agentId: string;
      role: 'agent' | 'admin';
      tokenExp: number;
      /**
       * The signing key of the token, and the API key that minted it (null: none did); ending either
       * ends the token. Both absent for principals the server builds itself (demo seeding, tests).
       */
      kid?: string;
      apiKeyId?: string | null;
    };

export type WorkspacePrincipal = Exclude<Principal, { kind: 'serverAdmin' }>;

/** The token of an `Authorization: Bearer <token>` header, or null for any other form. */
export function bearerToken(header: string): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null;
}

/** Compares a presented secret with the configured one in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  // Equal strings have equal lengths; the check below already tells lengths apart, so this early
  // exit reveals nothing new and spares every API-key call two buffers.
  if (a.length !== b.length) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * API keys are checked on every host-backend call; remembering a verified key for a short while
 * saves a hash and a query per request (6.6% of a create's CPU). Revoking a key forgets it at once
 * on the server that revoked it (`forgetApiKey`); on other servers it works for at most this long.
 */
export const API_KEY_CACHE_MS = 30_000;
const apiKeyCache = new WeakMap<Db, Map<string, { workspaceId: string; keyId: string; until: number }>>();

async function apiKeyOf(db: Db, clock: Clock, key: string): Promise<{ workspaceId: string; keyId: string } | null> {
  let cache = apiKeyCache.get(db);
  if (!cache) apiKeyCache.set(db, (cache = new Map()));
  const now = clock.now();
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit;
  const row = await findWorkspaceByApiKey(db, key);
  if (!row) {
    cache.delete(key);
    return null;
  }
  if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
  const entry = { workspaceId: row.workspace_id, keyId: row.id, until: now + API_KEY_CACHE_MS };
  cache.set(key, entry);
  return entry;
}

/**
 * Drops a revoked key from this server's cache, so the next call with it is refused. The revoking
 * server calls it at once; every server calls it again when its socket fan-out sees the revocation
 * in the outbox (realtime/sessions.ts), so other nodes stop accepting the key within a relay pass
 * rather than after the cache's 30 s.
 */
export function forgetApiKey(db: Db, keyId: string): void {
  const cache = apiKeyCache.get(db);
  if (!cache) return;
  for (const [key, entry] of cache) if (entry.keyId === keyId) cache.delete(key);
}

export async function authenticate(
  db: Db,
  clock: Clock,
  adminToken: string | undefined,
  token: string,
): Promise<Principal | null> {
  if (adminToken && sameSecret(token, adminToken)) return { kind: 'serverAdmin' };
  if (token.startsWith('bk_')) {
    const key = await apiKeyOf(db, clock, token);
    return key ? { kind: 'apiKey', workspaceId: key.workspaceId, keyId: key.keyId } : null;
  }
  const claims = await verifyAgentToken(db, token, clock.now());
  if (!claims) return null;
  // The role comes from the agent's current record, so a demotion takes effect at once; so does a
  // deactivation.
  const agent = await findAgent(db, claims.workspaceId, claims.agentId);
  if (!agent || Number(agent.active) !== 1) return null;
  // Issued before (or in the second of) the agent's last deactivation: ended then, even if reactivated since.
  if (agent.tokens_revoked_at !== null && claims.iat * 1000 <= Number(agent.tokens_revoked_at)) return null;
  // A token minted through an API key ends with that key (docs/decisions.md, "revoking an API key").
  if (claims.apiKeyId !== null) {
    const minter = await findApiKey(db, claims.workspaceId, claims.apiKeyId);
    if (!minter || minter.revoked_at !== null) return null;
  }
  return {
    kind: 'agent',
    workspaceId: claims.workspaceId,
    agentId: agent.id,
    role: agent.role,
    tokenExp: claims.exp,
    kid: claims.kid,
    apiKeyId: claims.apiKeyId,
  };
}

function matches(p: Principal, caller: Caller): boolean {
  switch (caller) {
    case 'anyone':
      return true;
    case 'serverAdmin':
      return p.kind === 'serverAdmin';
    case 'apiKey':
      return p.kind === 'apiKey';
    case 'agent':
      return p.kind === 'agent';
    case 'admin':
      return p.kind === 'agent' && p.role === 'admin';
  }
}

/** 401 without a credential; 403 with one that may not call this route. */
export function requireCaller<C extends readonly Caller[]>(p: Principal | null, callers: C): asserts p is Principal {
  if (!p) throw unauthorized();
  if (!callers.some((c) => matches(p, c))) throw forbidden('this credential may not call this endpoint');
}

export function requireWorkspace(p: Principal | null, callers: readonly Caller[]): WorkspacePrincipal {
  requireCaller(p, callers);
  if (p.kind === 'serverAdmin') throw forbidden('the server admin token cannot act inside a workspace');
  return p;
}

export function requireAgent(p: Principal | null, callers: readonly Caller[] = ['agent']) {
  const w = requireWorkspace(p, callers);
  if (w.kind !== 'agent') throw forbidden('only an agent token may call this endpoint');
  return w;
}

/** A stable identity for idempotency keys and the timeline's actor. */
export const principalKey = (p: Principal) => (p.kind === 'agent' ? `agent:${p.agentId}` : p.kind);

export const actorOf = (p: WorkspacePrincipal) =>
  p.kind === 'agent' ? ({ type: 'agent', id: p.agentId } as const) : ({ type: 'api', id: null } as const);
