import { RefreshBody } from '@baton/protocol';
import { authenticate } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { admitsOrigin } from '../storage/workspaces.js';
import { onClientEvent } from './client-events.js';
import type { BatonSocket } from './io.js';
import type { Sessions } from './sessions.js';

/**
 * `session:refresh`: the socket's agent hands in a fresh token before the current one expires, and
 * the session goes on. Without it every socket reconnected at its token's expiry (an hour at most),
 * replaying what it missed and flashing "Reconnecting…" in the inbox.
 *
 * The token is checked as the handshake checks it (realtime/handshake.ts): verified like REST, the
 * same workspace and agent as the socket's (a token of someone else never takes over a session),
 * no credential this node has seen end, and a browser's page origin still on the workspace's list
 * (an origin taken off it ends its sockets at their next refresh). Refused, nothing changes: the
 * session ends at the old token's expiry and the client reconnects, as before this event existed.
 */
export function handleSessionRefresh(socket: BatonSocket, deps: Deps, sessions: Sessions): void {
  const { db } = deps.storage;
  onClientEvent(socket, 'session:refresh', deps.clock, async (body, answer) => {
    const parsed = RefreshBody.safeParse(body);
    if (!parsed.success) return answer({ ok: false, error: { code: 'validation_failed', message: 'expected { token }' } });
    const principal = await authenticate(db, deps.clock, undefined, parsed.data.token);
    const { workspaceId, agentId } = socket.data;
    if (principal?.kind !== 'agent' || principal.workspaceId !== workspaceId || principal.agentId !== agentId || sessions.ended(principal.kid ?? '', principal.apiKeyId ?? null)) {
      return answer({ ok: false, error: { code: 'unauthorized', message: "not a valid token for this socket's agent" } });
    }
    const origin = socket.handshake.headers.origin;
    if (origin && !(await admitsOrigin(db, workspaceId, origin))) return answer({ ok: false, error: { code: 'forbidden', message: 'origin not allowed' } });
    // Only a later expiry: an older token handed in (a retry that arrived late) never shortens the session.
    if (principal.tokenExp > socket.data.tokenExp) {
      Object.assign(socket.data, { tokenExp: principal.tokenExp, role: principal.role, kid: principal.kid ?? '', apiKeyId: principal.apiKeyId ?? null });
      sessions.renewed(socket);
    }
    answer({ ok: true, data: { expiresAt: new Date(socket.data.tokenExp * 1000).toISOString() } });
  });
}
