import type { SessionCloseReason } from '@baton/protocol';
import { forgetApiKey } from '../auth/principal.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { OutboxRecord } from '../outbox/changes.js';
import type { OutboxConsumer } from '../outbox/relay.js';
import type { Db } from '../storage/db.js';
import type { BatonSocket } from './io.js';

/** DESIGN §7a: an agent may hold at most this many sockets; the next one closes their oldest. */
export const MAX_SOCKETS_PER_AGENT = 10;
export const SESSIONS_CONSUMER = 'socket-sessions';

const MESSAGES: Record<SessionCloseReason, string> = {
  token_expired: 'the token expired: reconnect with a fresh one',
  credential_revoked: 'the key behind this token was revoked or retired: reconnect with a token from a current key',
  agent_deactivated: 'this agent was deactivated',
  too_many_sockets: `this agent opened more than ${MAX_SOCKETS_PER_AGENT} sockets; this one was the oldest`,
};

/**
 * Which sockets may stay open, on this node. A socket lives until its token expires, the
 * credential behind it ends (its signing key is retired, the API key that minted it is revoked,
 * its agent is deactivated) or its agent opens one socket too many. Each end sends
 * `session:closed { reason }` and then disconnects, so clients know whether reconnecting helps.
 *
 * Credential changes come from the outbox (a transient consumer, like the fan-out), so every node
 * hears of them and acts within a relay pass of the commit. A handshake that read the credential
 * just before it ended and finishes just after the consumer ran is caught by `open`, which checks
 * what this node has seen end.
 */
export class Sessions {
  private readonly byAgent = new Map<string, BatonSocket[]>();
  private readonly byWorkspace = new Map<string, Set<BatonSocket>>();
  private readonly expiry = new Map<BatonSocket, TimerHandle>();
  /** Ended credentials this node has seen: kids, API key ids, and `workspace:agent` of deactivated agents. */
  private readonly retiredKids = new Set<string>();
  private readonly revokedApiKeys = new Set<string>();
  private readonly deactivated = new Set<string>();

  readonly consumer: OutboxConsumer = { name: SESSIONS_CONSUMER, durable: false, handle: async (records) => this.handle(records) };

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly maxPerAgent = MAX_SOCKETS_PER_AGENT,
  ) {}

  /** Admits a socket that passed the handshake; false if it was closed at once. */
  open(socket: BatonSocket): boolean {
    const { workspaceId, agentId, kid, apiKeyId } = socket.data;
    const ended = this.ended(kid, apiKeyId);
    if (ended || this.deactivated.has(`${workspaceId}:${agentId}`)) {
      this.close(socket, ended ? 'credential_revoked' : 'agent_deactivated');
      return false;
    }
    const key = `${workspaceId}:${agentId}`;
    const list = this.byAgent.get(key) ?? [];
    this.byAgent.set(key, list);
    list.push(socket);
    let workspace = this.byWorkspace.get(workspaceId);
    if (!workspace) this.byWorkspace.set(workspaceId, (workspace = new Set()));
    workspace.add(socket);
    // Expired tokens do not keep a live feed: the client refreshes it in time, or reconnects with a fresh one.
    this.renewed(socket);
    // Oldest first: the newest socket is the one the agent is looking at. (Closing one calls
    // `closed`, which replaces the list, so the excess is taken before.)
    for (const oldest of list.slice(0, Math.max(0, list.length - this.maxPerAgent))) this.close(oldest, 'too_many_sockets');
    return true;
  }

  /** Whether a credential this node has seen end (a retired signing key, a revoked API key) is behind a token. */
  ended(kid: string, apiKeyId: string | null): boolean {
    return this.retiredKids.has(kid) || (apiKeyId !== null && this.revokedApiKeys.has(apiKeyId));
  }

  /** The socket's token was replaced (`session:refresh`): it now ends at the new token's expiry. */
  renewed(socket: BatonSocket): void {
    const timer = this.expiry.get(socket);
    if (timer) this.clock.clearTimeout(timer);
    if (socket.disconnected) return void this.expiry.delete(socket);
    const msLeft = socket.data.tokenExp * 1000 - this.clock.now();
    this.expiry.set(socket, this.clock.setTimeout(() => this.close(socket, 'token_expired'), Math.max(0, msLeft)));
  }

  /** Forgets a socket that disconnected (for any reason). Returns whether its agent has none left here. */
  closed(socket: BatonSocket): boolean {
    const { workspaceId, agentId } = socket.data;
    const timer = this.expiry.get(socket);
    if (timer) this.clock.clearTimeout(timer);
    this.expiry.delete(socket);
    const key = `${workspaceId}:${agentId}`;
    const list = this.byAgent.get(key)?.filter((s) => s !== socket) ?? [];
    if (list.length) this.byAgent.set(key, list);
    else this.byAgent.delete(key);
    const workspace = this.byWorkspace.get(workspaceId);
    workspace?.delete(socket);
    if (workspace?.size === 0) this.byWorkspace.delete(workspaceId);
    return list.length === 0;
  }

  private handle(records: readonly OutboxRecord[]): void {
    for (const record of records) {
      const { workspaceId } = record;
      switch (record.type) {
        case 'agent.updated': {
          const { agent } = record.payload.data;
          const key = `${workspaceId}:${agent.id}`;
          if (agent.active) {
            this.deactivated.delete(key);
            break;
          }
          this.deactivated.add(key);
          for (const socket of [...(this.byAgent.get(key) ?? [])]) this.close(socket, 'agent_deactivated');
          break;
        }
        case 'api_key.revoked': {
          const { apiKeyId } = record.payload.data;
          this.revokedApiKeys.add(apiKeyId);
          // The revoking server forgot it already; this is for the others.
          forgetApiKey(this.db, apiKeyId);
          this.closeWhere(workspaceId, (s) => s.data.apiKeyId === apiKeyId, 'credential_revoked');
          break;
        }
        case 'signing_key.retired': {
          const { kid } = record.payload.data;
          this.retiredKids.add(kid);
          this.closeWhere(workspaceId, (s) => s.data.kid === kid, 'credential_revoked');
          break;
        }
        default:
          break;
      }
    }
  }

  /** Closes the workspace's sockets that match; another workspace's are never looked at. */
  private closeWhere(workspaceId: string, matches: (socket: BatonSocket) => boolean, reason: SessionCloseReason): void {
    for (const socket of [...(this.byWorkspace.get(workspaceId) ?? [])]) if (matches(socket)) this.close(socket, reason);
  }

  private close(socket: BatonSocket, reason: SessionCloseReason): void {
    if (socket.disconnected) return;
    socket.emit('session:closed', { reason, message: MESSAGES[reason] });
    socket.disconnect(true);
  }
}
