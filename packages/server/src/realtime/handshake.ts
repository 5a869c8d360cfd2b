import { SocketAuth, type HandshakeRefusal, type HandshakeRefusalData } from '@baton/protocol';
import { authenticate } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { whyUnavailable } from '../storage/unavailable.js';
import { admitsOrigin } from '../storage/workspaces.js';
import type { HandshakeBudget } from './handshake-budget.js';
import type { BatonSocket } from './io.js';

function refusal(reason: HandshakeRefusal, data?: HandshakeRefusalData): Error {
  return Object.assign(new Error(reason), data ? { data } : {});
}

/**
 * The Socket.IO middleware that admits a socket (DESIGN §4): an agent token verified exactly as REST
 * verifies it (signing key, minting API key, active agent), and, for browsers, an `Origin` the
 * workspace allows. Runs on every connection, reconnects included. Refusals carry only
 * `unauthorized` or `origin not allowed`, never why a token failed; `bad request` for an `auth`
 * whose other fields are wrong (`since`), saying which; `unavailable` when the database
 * did not answer (come back in a second); or `rate_limited` with when to
 * come back: past the agent's or the workspace's handshake budget (realtime/handshake-budget.ts),
 * counted once the token holds, so nobody can spend another agent's budget with a forged one.
 */
export function handshake(deps: Deps, budget: HandshakeBudget) {
  const { db } = deps.storage;
  /** The refusal, or null with `socket.data` set. */
  const admit = async (socket: BatonSocket): Promise<Error | null> => {
    const auth: unknown = socket.handshake.auth;
    const parsed = SocketAuth.safeParse(auth);
    const token = parsed.success ? parsed.data.token : SocketAuth.shape.token.safeParse((auth as { token?: unknown } | null)?.token).data;
    if (token === undefined) return refusal('unauthorized');
    const principal = await authenticate(db, deps.clock, undefined, token);
    if (!principal || principal.kind !== 'agent') return refusal('unauthorized');
    // A good token with something else wrong (a `since` that is no seq): say what, not that the token failed.
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      return refusal('bad request', { code: 'bad_request', message: `auth.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'not { token, since? }'}` });
    }
    const retryAfterMs = budget.admit(principal.workspaceId, principal.agentId);
    if (retryAfterMs > 0) return refusal('rate_limited', { code: 'rate_limited', retryAfterMs });
    // Browsers always send Origin; it must be one the workspace lists. Server-side clients send none.
    const origin = socket.handshake.headers.origin;
    if (origin && !(await admitsOrigin(db, principal.workspaceId, origin))) return refusal('origin not allowed');
    socket.data = {
      workspaceId: principal.workspaceId,
      agentId: principal.agentId,
      role: principal.role,
      tokenExp: principal.tokenExp,
      kid: principal.kid ?? '',
      apiKeyId: principal.apiKeyId ?? null,
      viewing: null,
    };
    return null;
  };
  // Socket.IO does not catch a middleware's rejection: let out, it would end the process.
  return (socket: BatonSocket, next: (error?: Error) => void): void => {
    admit(socket).then(
      (refused) => next(refused ?? undefined),
      (error: unknown) => {
        // The database did not answer: the token may well be good, so the client is told to come
        // back, not that its credentials failed (which a client with a fixed token gives up on).
        if (whyUnavailable(error) !== null) return next(refusal('unavailable', { code: 'unavailable', retryAfterMs: 1000 }));
        console.error('[baton] socket handshake failed', error);
        next(refusal('unauthorized'));
      },
    );
  };
}
