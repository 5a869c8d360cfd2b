import { SocketAuth, type HandshakeRefusal, type HandshakeRefusalData } from '@baton/protocol';
import { authenticate } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { findWorkspace } from '../storage/workspaces.js';
import type { HandshakeBudget } from './handshake-budget.js';
import type { BatonSocket } from './io.js';

function refusal(reason: HandshakeRefusal, data?: HandshakeRefusalData): Error {
  return Object.assign(new Error(reason), data ? { data } : {});
}

/**
 * The Socket.IO middleware that admits a socket (DESIGN §4): an agent token verified exactly as REST
 * verifies it (signing key, minting API key, active agent), and, for browsers, an `Origin` the
 * workspace allows. Runs on every connection, reconnects included. Refusals carry only
 * `unauthorized` or `origin not allowed`, never why a token failed, or `rate_limited` with when to
 * come back: past the agent's or the workspace's handshake budget (realtime/handshake-budget.ts),
 * counted once the token holds, so nobody can spend another agent's budget with a forged one.
 */
export function handshake(deps: Deps, budget: HandshakeBudget) {
  const { db } = deps.storage;
  return async (socket: BatonSocket, next: (error?: Error) => void): Promise<void> => {
    const parsed = SocketAuth.safeParse(socket.handshake.auth);
    if (!parsed.success) return next(refusal('unauthorized'));
    const principal = await authenticate(db, deps.clock, undefined, parsed.data.token).catch(() => null);
    if (!principal || principal.kind !== 'agent') return next(refusal('unauthorized'));
    const retryAfterMs = budget.admit(principal.workspaceId, principal.agentId);
    if (retryAfterMs > 0) return next(refusal('rate_limited', { code: 'rate_limited', retryAfterMs }));
    // Browsers always send Origin; it must be one the workspace lists. Server-side clients send none.
    const origin = socket.handshake.headers.origin;
    if (origin) {
      const workspace = await findWorkspace(db, principal.workspaceId);
      const allowed = workspace ? (JSON.parse(workspace.allowed_origins) as string[]) : [];
      if (!allowed.includes('*') && !allowed.includes(origin)) return next(refusal('origin not allowed'));
    }
    socket.data = {
      workspaceId: principal.workspaceId,
      agentId: principal.agentId,
      role: principal.role,
      tokenExp: principal.tokenExp,
      kid: principal.kid ?? '',
      apiKeyId: principal.apiKeyId ?? null,
      viewing: null,
    };
    next();
  };
}
