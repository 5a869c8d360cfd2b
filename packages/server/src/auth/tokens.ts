import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import type { Db } from '../storage/db.js';
import { findSigningKey } from '../storage/workspaces.js';

export const TOKEN_AUDIENCE = 'baton';
/** DESIGN §4: agent tokens live at most one hour. */
export const MAX_TOKEN_TTL_SECONDS = 3600;
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Tokens minted by `POST /v1/tokens` name the API key that minted them in this claim, so revoking
 * that key ends them too (docs/decisions.md). Tokens a host signs itself carry none.
 */
export const MINTED_BY_CLAIM = 'akid';

export interface AgentClaims {
  agentId: string;
  workspaceId: string;
  role: 'agent' | 'admin';
  exp: number;
  /** Issued at, epoch seconds. */
  iat: number;
  /** The signing key that verified the token. */
  kid: string;
  /** The API key that minted it, if `POST /v1/tokens` did. */
  apiKeyId: string | null;
}

const encoder = new TextEncoder();

export async function signAgentToken(
  key: { kid: string; secret: string },
  claims: { agentId: string; workspaceId: string; role: 'agent' | 'admin'; apiKeyId?: string },
  nowMs: number,
  ttlSeconds: number,
): Promise<{ token: string; exp: number }> {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + Math.min(ttlSeconds, MAX_TOKEN_TTL_SECONDS);
  const token = await new SignJWT({ ws: claims.workspaceId, role: claims.role, ...(claims.apiKeyId ? { [MINTED_BY_CLAIM]: claims.apiKeyId } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid })
    .setSubject(claims.agentId)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(encoder.encode(key.secret));
  return { token, exp };
}

/**
 * Verifies an agent JWT. The algorithm is pinned to HS256 (so `alg: none` and key-confusion
 * tricks fail), the key is looked up by `kid` and must belong to the workspace the token claims.
 * Returns null for anything that is not a valid token; callers answer 401 without saying why.
 */
export async function verifyAgentToken(db: Db, token: string, nowMs: number): Promise<AgentClaims | null> {
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== 'HS256' || typeof header.kid !== 'string') return null;
    kid = header.kid;
  } catch {
    return null;
  }
  const key = await findSigningKey(db, kid);
  if (!key) return null;
  try {
    const { payload } = await jwtVerify(token, encoder.encode(key.secret), {
      algorithms: ['HS256'],
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      currentDate: new Date(nowMs),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    if (payload.ws !== key.workspace_id || typeof payload.sub !== 'string') return null;
    // `requiredClaims` checks only that it is there.
    if (typeof payload.jti !== 'string' || payload.jti === '') return null;
    if (payload.exp! - payload.iat! > MAX_TOKEN_TTL_SECONDS) return null;
    // Without this, a future `iat` would let `exp − iat ≤ 1 h` hide a token that lives for years.
    if (payload.iat! > Math.floor(nowMs / 1000) + CLOCK_TOLERANCE_SECONDS) return null;
    if (payload.role !== 'agent' && payload.role !== 'admin') return null;
    const mintedBy = payload[MINTED_BY_CLAIM];
    if (mintedBy !== undefined && typeof mintedBy !== 'string') return null;
    return { agentId: payload.sub, workspaceId: key.workspace_id, role: payload.role, exp: payload.exp!, iat: payload.iat!, kid, apiKeyId: mintedBy ?? null };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}
