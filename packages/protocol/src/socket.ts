import { z } from 'zod';
import { SERVER_EVENTS } from './constants.js';
import { Agent, Conversation, Counts, Id, Notification, Team, TimelineItem, Timestamp } from './domain.js';
import type { ErrorCode } from './errors.js';

/** What a client sends in the Socket.IO handshake: a token and the last workspace `seq` it saw. */
export const SocketAuth = z.object({
  token: z.string().min(1).max(4096),
  since: z.number().int().min(0).optional(),
});
export type SocketAuth = z.infer<typeof SocketAuth>;

/**
 * Why the server refused a handshake: the `connect_error`'s message, with `data` when there is
 * more to say. `unauthorized` and `origin not allowed` hold until the credential or the page
 * changes; `bad request` (an `auth` with a token but not of `SocketAuth`'s shape, `data.message`
 * says what) until the client sends it right; `rate_limited` (too many handshakes from this agent
 * or workspace) and `unavailable` (the server could not reach its database) pass: connect again
 * after `data.retryAfterMs`.
 */
export type HandshakeRefusal = 'unauthorized' | 'origin not allowed' | 'bad request' | 'rate_limited' | 'unavailable';
export type HandshakeRefusalData = { code: 'rate_limited' | 'unavailable'; retryAfterMs: number } | { code: 'bad_request'; message: string };

/** `presence:viewing`: the conversation the agent has open, or null when they close it. */
export const ViewingBody = z.strictObject({ conversationId: Id.nullable() });
export type ViewingBody = z.infer<typeof ViewingBody>;
/** What an agent is typing: a reply to the customer or an internal note ("Ana is typing a note"). */
export const TypingKind = z.enum(['reply', 'note']);
export type TypingKind = z.infer<typeof TypingKind>;
/**
 * `presence:typing`: sent while the agent types; it lapses a few seconds after the last one.
 * `kind` defaults to `reply` (clients from before it was added).
 */
export const TypingBody = z.strictObject({ conversationId: Id, kind: TypingKind.optional() });
export type TypingBody = z.infer<typeof TypingBody>;

export const PresenceState = z.object({
  conversationId: Id,
  viewing: z.array(Id),
  typing: z.array(Id),
  /** Of `typing`, the agents typing an internal note; the others type a reply. Absent when nobody types a note. */
  typingNotes: z.array(Id).optional(),
});
export type PresenceState = z.infer<typeof PresenceState>;

// Every server event carries the workspace `seq` of the change that caused it, so a client
// can resume from the last one it saw.
export const ConversationEvent = z.object({ seq: z.number().int(), conversation: Conversation });
export const TimelineEvent = z.object({ seq: z.number().int(), item: TimelineItem });
export const NotificationEvent = z.object({ seq: z.number().int(), notification: Notification });
export const CountsEvent = z.object({ seq: z.number().int(), counts: Counts });
export const PresenceEvent = z.object({ seq: z.number().int(), presence: PresenceState });
/**
 * Sent once after the handshake, when replay (if any) is complete. `resync: true` means the gap
 * was too long to replay event by event (more than 500 changes by default), or the client claims a
 * seq the server never reached: reload views and open timelines from REST instead.
 */
export const ReadyEvent = z.object({ seq: z.number().int(), replayed: z.number().int(), resync: z.boolean(), agentId: Id });
export const AgentEvent = z.object({ seq: z.number().int(), agent: Agent });
/** A team as it is now, after it was created, renamed or given other members. */
export const TeamEvent = z.object({ seq: z.number().int(), team: Team });
/** To the reading agent only: their read mark moved (in this tab or another). */
export const ReadEvent = z.object({ seq: z.number().int(), conversationId: Id, lastReadSeq: z.number().int() });
/**
 * Why the server is about to close this socket (the disconnect follows at once):
 * - `token_expired`: the token's `exp` passed; reconnect with a fresh token.
 * - `credential_revoked`: the signing key that signed the token was retired, or the API key that
 *   minted it was revoked; a fresh token (from a current key) works.
 * - `agent_deactivated`: the agent was deactivated; reconnecting is refused until reactivated.
 * - `too_many_sockets`: the agent opened an 11th socket (at most 10 per agent) and this one was the
 *   oldest; reconnecting would close another of their sockets, so clients stay closed.
 */
export const SESSION_CLOSE_REASONS = ['token_expired', 'credential_revoked', 'agent_deactivated', 'too_many_sockets'] as const;
export const SessionClosedEvent = z.object({ reason: z.enum(SESSION_CLOSE_REASONS), message: z.string() });

export type ConversationEvent = z.infer<typeof ConversationEvent>;
export type TimelineEvent = z.infer<typeof TimelineEvent>;
export type NotificationEvent = z.infer<typeof NotificationEvent>;
export type CountsEvent = z.infer<typeof CountsEvent>;
export type PresenceEvent = z.infer<typeof PresenceEvent>;
export type ReadyEvent = z.infer<typeof ReadyEvent>;
export type AgentEvent = z.infer<typeof AgentEvent>;
export type TeamEvent = z.infer<typeof TeamEvent>;
export type ReadEvent = z.infer<typeof ReadEvent>;
export type SessionClosedEvent = z.infer<typeof SessionClosedEvent>;
export type SessionCloseReason = SessionClosedEvent['reason'];

export type Ack<T = unknown> =
  | { ok: true; data: T }
  | { ok: false; error: { code: ErrorCode; message: string; details?: unknown } };

export interface ServerToClientEvents {
  'conversation:created': (e: ConversationEvent) => void;
  'conversation:updated': (e: ConversationEvent) => void;
  'timeline:added': (e: TimelineEvent) => void;
  'notification:created': (e: NotificationEvent) => void;
  'counts:updated': (e: CountsEvent) => void;
  'presence:updated': (e: PresenceEvent) => void;
  /** An agent was added or changed (availability, skills, capacity): keeps pickers current. */
  'agent:updated': (e: AgentEvent) => void;
  /** A team was created, renamed or given other members: keeps team names and filters current. */
  'team:updated': (e: TeamEvent) => void;
  'conversation:read': (e: ReadEvent) => void;
  /** The server closes this socket right after; see {@link SessionClosedEvent}. Carries no seq. */
  'session:closed': (e: SessionClosedEvent) => void;
  ready: (e: ReadyEvent) => void;
}

// SERVER_EVENTS (constants.ts, for code without zod) lists exactly the events above.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<(typeof SERVER_EVENTS)[number], keyof ServerToClientEvents>;

/**
 * `session:refresh`: a fresh token for this socket's own agent, sent before the current one
 * expires, so the session goes on without a reconnect (and without replaying what it missed). The
 * token is checked as at the handshake, the page's origin against the workspace's list as it is
 * now; refused, the session keeps its old token and ends at that token's expiry as before.
 */
export const RefreshBody = z.strictObject({ token: z.string().min(1).max(8192) });
export type RefreshBody = z.infer<typeof RefreshBody>;
/** When the session now ends unless refreshed again: the new token's `exp`. */
export const RefreshResult = z.object({ expiresAt: Timestamp });
export type RefreshResult = z.infer<typeof RefreshResult>;

export interface ClientToServerEvents {
  'presence:viewing': (body: ViewingBody, ack?: (a: Ack<PresenceState | null>) => void) => void;
  'presence:typing': (body: TypingBody, ack?: (a: Ack<PresenceState>) => void) => void;
  'session:refresh': (body: RefreshBody, ack?: (a: Ack<RefreshResult>) => void) => void;
}

export interface SocketData {
  workspaceId: string;
  agentId: string;
  role: 'agent' | 'admin';
  tokenExp: number;
  /** The signing key that signed the token: retiring it closes the socket. */
  kid: string;
  /** The API key that minted the token (`POST /v1/tokens`), if it was minted there: revoking it closes the socket. */
  apiKeyId: string | null;
  viewing: string | null;
}
