import type { Actor, Agent, ApiKeyInfo, Contact, Conversation, Notification, NotificationNote, NotificationRule, SigningKeyInfo, Team, TimelineItem, Workspace } from '@baton/protocol';
import { DEFAULT_AUTO_AWAY_AFTER_SEC } from '@baton/protocol';
import type { ApiKeyRow, AgentRow, ContactRow, ConversationRow, NotificationRow, SigningKeyRow, TimelineRow, WorkspaceRow, AwayPolicyValue } from './schema.js';

// Rows → the protocol's domain shapes. The only place that knows both.

/**
 * Remembers the last time it formatted: the rows of one change share its time (items, notification,
 * a new conversation's three times), and `toISOString` was ~2% of a rules run (docs/benchmarks.md).
 */
let lastMs = Number.NaN;
let lastIso = '';
export const iso = (ms: number | string): string => {
  const n = Number(ms);
  if (n !== lastMs) {
    lastIso = new Date(n).toISOString();
    lastMs = n;
  }
  return lastIso;
};
const isoOrNull = (ms: number | string | null) => (ms === null ? null : iso(ms));
const list = (json: string | null): string[] => (json ? (JSON.parse(json) as string[]) : []);

export const toWorkspace = (r: WorkspaceRow & { auto_away_after_sec?: number; away_policy?: AwayPolicyValue; assign_on_reply?: number }): Workspace => ({
  id: r.id,
  name: r.name,
  timeZone: r.time_zone,
  allowedOrigins: list(r.allowed_origins),
  linkTemplate: r.link_template ?? null,
  notificationSnippets: Number(r.notification_snippets) === 1,
  autoAwayAfterSec: r.auto_away_after_sec === undefined ? DEFAULT_AUTO_AWAY_AFTER_SEC : Number(r.auto_away_after_sec),
  awayPolicy: r.away_policy ?? 'keep',
  assignOnReply: Number(r.assign_on_reply ?? 0) === 1,
  createdAt: iso(r.created_at),
});

export const toAgent = (r: AgentRow): Agent => ({
  id: r.id,
  name: r.name,
  username: r.username,
  email: r.email,
  externalId: r.external_id,
  role: r.role,
  skills: list(r.skills),
  capacity: Number(r.capacity),
  availability: r.availability,
  active: Number(r.active) === 1,
  createdAt: iso(r.created_at),
});

export const toTeam = (r: { id: string; name: string; created_at: number }, memberIds: string[]): Team => ({
  id: r.id,
  name: r.name,
  memberIds,
  createdAt: iso(r.created_at),
});

export const toContact = (r: ContactRow): Contact => ({
  id: r.id,
  name: r.name,
  phone: r.phone,
  email: r.email,
  language: r.language,
  tags: list(r.tags),
  externalId: r.external_id,
  createdAt: iso(r.created_at),
  attributes: r.attributes ? (JSON.parse(r.attributes) as Contact['attributes']) : {},
});

export const toConversation = (r: ConversationRow): Conversation => ({
  id: r.id,
  contactId: r.contact_id,
  channel: r.channel,
  source: r.source,
  subject: r.subject,
  // Snoozed is stored as its own status so the open views skip it (migration 0020); to callers it is open.
  status: r.status === 'snoozed' ? 'open' : r.status,
  assigneeId: r.assignee_id,
  teamId: r.team_id,
  tags: list(r.tags),
  priority: r.priority,
  version: Number(r.version),
  createdAt: iso(r.created_at),
  lastMessageAt: iso(r.last_message_at),
  lastInboundAt: isoOrNull(r.last_inbound_at),
  lastInboundSeq: r.last_inbound_seq === null ? null : Number(r.last_inbound_seq),
  resolvedAt: isoOrNull(r.resolved_at),
  waitingSince: isoOrNull(r.waiting_since),
  snoozedUntil: isoOrNull(r.snoozed_until),
  language: r.language,
  preview: r.preview,
  lastMessage:
    r.last_message_sent_at === null || r.last_message_direction === null
      ? null
      : { direction: r.last_message_direction, author: { type: r.last_message_author_type ?? 'api', id: r.last_message_author_id }, at: iso(r.last_message_sent_at) },
});

const actorOf = (r: { actor_type: Actor['type']; actor_id: string | null }): Actor => ({ type: r.actor_type, id: r.actor_id });

/** A rule's item names the rule as it was then (`data.workflowName`, written by the runner). */
function namedActor(r: { actor_type: Actor['type']; actor_id: string | null }, data: Record<string, unknown> | null): Actor {
  const name = r.actor_type === 'workflow' ? data?.workflowName : undefined;
  return typeof name === 'string' ? { type: r.actor_type, id: r.actor_id, name } : { type: r.actor_type, id: r.actor_id };
}

// Written out field by field, not as `{ ...base, kind, … }`: on Node 20's V8 every property after a
// spread takes a slow path (~0.5 µs each, 4 µs an item), and items are built on every write.
export function toTimelineItem(r: TimelineRow): TimelineItem {
  const id = r.id;
  const conversationId = r.conversation_id;
  const seq = Number(r.seq);
  const createdAt = iso(r.created_at);
  switch (r.kind) {
    case 'message':
      return { id, conversationId, seq, createdAt, kind: 'message', direction: r.direction!, channel: r.channel!, body: r.body!, author: actorOf(r), internal: false };
    case 'note':
      return {
        id,
        conversationId,
        seq,
        createdAt,
        kind: 'note',
        body: r.body!,
        mentions: list(r.mentions),
        author: r.data ? namedActor(r, JSON.parse(r.data) as Record<string, unknown>) : actorOf(r),
        internal: true,
      };
    case 'event': {
      const data = r.data ? (JSON.parse(r.data) as Record<string, unknown>) : {};
      return {
        id,
        conversationId,
        seq,
        createdAt,
        kind: 'event',
        type: r.event_type as Extract<TimelineItem, { kind: 'event' }>['type'],
        actor: namedActor(r, data),
        data,
        internal: true,
      };
    }
  }
}

/** `note`: a mention's note with this reader's excerpt, which the caller makes (its text is not in the row). */
export const toNotification = (r: NotificationRow, note?: NotificationNote): Notification => ({
  id: r.id,
  agentId: r.agent_id,
  type: r.type,
  conversationId: r.conversation_id,
  actor: actorOf(r),
  createdAt: iso(r.created_at),
  readAt: isoOrNull(r.read_at),
  // Only notifications a rule sent carry it, so every other payload stays as it was.
  ...(r.rule ? { rule: JSON.parse(r.rule) as NotificationRule } : {}),
  ...(note ? { note } : {}),
});

export const toApiKeyInfo = (r: ApiKeyRow): ApiKeyInfo => ({ id: r.id, createdAt: iso(r.created_at), revokedAt: isoOrNull(r.revoked_at) });

export const toSigningKeyInfo = (r: SigningKeyRow): SigningKeyInfo => ({ kid: r.kid, createdAt: iso(r.created_at), retiredAt: isoOrNull(r.retired_at) });
