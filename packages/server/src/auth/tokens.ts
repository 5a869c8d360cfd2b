import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import type { Db } from '../storage/db.js';
import { findSigningKey } from '../storage/workspaces.js';

export const TOKEN_AUDIENCE = 'baton';
/** DESIGN §4: agent tokens live at most one hour. */
export const MAX_TOKEN_TTL_SECONDS = 3600;
const CLOCK_TOLERANCE_SECONDS = 30;

export interface AgentClaims {
  agentId: string;
  workspaceId: string;
  role: 'agent' | 'admin';
  exp: number;
}

const encoder = new TextEncoder();

export async function signAgentToken(
  key: { kid: string; secret: string },
  claims: { agentId: string; workspaceId: string; role: 'agent' | 'admin' },
  nowMs: number,
  ttlSeconds: number,
): Promise<{ token: string; exp: number }> {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + Math.min(ttlSeconds, MAX_TOKEN_TTL_SECONDS);
  const token = await new SignJWT({ ws: claims.workspaceId, role: claims.role })
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
    if (payload.exp! - payload.iat! > MAX_TOKEN_TTL_SECONDS) return null;
    // Without this, a future `iat` would let `exp − iat ≤ 1 h` hide a token that lives for years.
    if (payload.iat! > Math.floor(nowMs / 1000) + CLOCK_TOLERANCE_SECONDS) return null;
    if (payload.role !== 'agent' && payload.role !== 'admin') return null;
    return { agentId: payload.sub, workspaceId: key.workspace_id, role: payload.role, exp: payload.exp! };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}
