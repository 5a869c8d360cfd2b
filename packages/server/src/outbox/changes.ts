import type { Agent, Conversation, MessageItem, Notification, Team, TimelineItem } from '@baton/protocol';
import type { AgentCounters, WorkspaceCounters } from '../storage/view-counters.js';

/**
 * Every kind of committed change the outbox carries: one name each, and what only that kind
 * carries. Consumers (socket fan-out, webhooks, notifier, search indexing, the rules runner)
 * switch on `type` and the compiler checks what they read; a new kind shows up as an unhandled
 * case instead of a string nobody matches.
 *
 * The names are the domain's (`conversation.read`, as webhook event types are spelled). Socket
 * events keep DESIGN §7's `noun:verb` names (`conversation:read`); realtime/events.ts is the one
 * place that maps the first to the second.
 */
export interface ChangeFacts {
  'conversation.created': { conversation: Conversation; data?: undefined };
  'message.created': { conversation: Conversation; data: { direction: MessageItem['direction']; messageId: string } };
  'note.created': { conversation: Conversation; data: { noteId: string } };
  'conversation.assigned': { conversation: Conversation; data: { from: string | null; to: string } };
  'conversation.unassigned': { conversation: Conversation; data: { from: string | null; to: null } };
  'conversation.resolved': { conversation: Conversation; data?: undefined };
  'conversation.reopened': { conversation: Conversation; data?: undefined };
  /** Tags, priority, team or subject edited (PATCH); `changed` names the fields, as the timeline events do. */
  'conversation.updated': { conversation: Conversation; data: { changed: ConversationField[] } };
  /** Snoozed (or snoozed again for another time) until `until`. */
  'conversation.snoozed': { conversation: Conversation; data: { until: string } };
  /** A snooze ended without a message: its time came, or someone woke it. (An inbound message wakes it inside `message.created`.) */
  'conversation.woke': { conversation: Conversation; data: { reason: 'timer' | 'manual' } };
  /** Workflows changed the conversation (tags, priority, team) or added notes, and assigned nobody. */
  'conversation.routed': { conversation: Conversation; data: { workflowIds: string[] } };
  /**
   * A `*_for` timer came due (services/routing-timers.ts): the rules of `trigger` with these
   * `minutes` run for the occurrence that started at `since`. Nothing changed on the conversation.
   */
  'conversation.timer': {
    conversation: Conversation;
    data: { trigger: 'conversation.unassigned_for' | 'conversation.unanswered_for'; minutes: number[]; since: string };
  };
  'conversation.read': { conversation: Conversation; data: { agentId: string; lastReadSeq: number } };
  'agent.created': { conversation?: undefined; data: { agent: Agent } };
  /** Also how a deactivation (`agent.active` false) reaches every node, which closes the agent's sockets. */
  'agent.updated': { conversation?: undefined; data: { agent: Agent; availabilityFrom?: Agent['availability'] } };
  /** A team created (POST /v1/teams), with its first members. No wait can name it yet, so it drains nothing. */
  'team.created': { conversation?: undefined; data: { team: Team } };
  /**
   * A team renamed or its members changed (PATCH /v1/teams/:id); `added` and `removed` are agent ids.
   * An agent added to a team may now be eligible for what waits in its queue.
   */
  'team.updated': { conversation?: undefined; data: { team: Team; added: string[]; removed: string[] } };
  /** Tokens minted with this key stop working; every node closes the sockets they opened. */
  'api_key.revoked': { conversation?: undefined; data: { apiKeyId: string } };
  /** Tokens signed with this key stop working; every node closes the sockets they opened. */
  'signing_key.retired': { conversation?: undefined; data: { kid: string } };
}

export type ChangeType = keyof ChangeFacts;

/** The fields PATCH /v1/conversations/:id edits. */
export type ConversationField = 'tags' | 'priority' | 'teamId' | 'subject';

/** What every change's payload carries besides its own facts. */
export interface ChangeCommon {
  items: TimelineItem[];
  notifications: Notification[];
  /** Notifications the recipient turned off in-app (no row, no socket event); email and push may still carry them. */
  unlisted?: Notification[];
  /**
   * The view counters after this change (storage/view-counters.ts): the workspace's, and those of
   * every agent whose own counters it moved, so the socket fan-out needs no query for anyone's
   * counts. Rows written before migration 0011 lack it (they had `agentIds` instead), and the
   * fan-out reads the counters of those rows' workspaces from the database.
   */
  counters?: { workspace: WorkspaceCounters; agents: Record<string, AgentCounters> };
}

/** The outbox row's payload for one kind: enough to replay it to a client without reading anything else. */
export type OutboxPayload<T extends ChangeType = ChangeType> = ChangeCommon & ChangeFacts[T];

/** A committed outbox row, discriminated by `type` so `payload` narrows with it. */
export type OutboxRecord = {
  [T in ChangeType]: {
    id: number;
    workspaceId: string;
    seq: number;
    type: T;
    conversationId: string | null;
    payload: OutboxPayload<T>;
    createdAt: number;
  };
}[ChangeType];
