import type { ColumnType, Generated } from 'kysely';

// Row shapes as stored. Times are epoch milliseconds; lists are JSON text. Both engines
// (libsql and PostgreSQL) store them the same way, so one query layer serves both.

export interface WorkspaceRow {
  id: string;
  name: string;
  time_zone: string;
  allowed_origins: string;
  /** Last workspace sequence number handed out; every timeline item and outbox row takes the next. */
  seq: number;
  /**
   * The latest time a change of this workspace has used as "now". Changes take max(clock, this),
   * so activity times never go backwards in a workspace (the Unread view's read bands rely on it).
   */
  last_activity_at: number;
  created_at: number;
  /** Link in email/push notifications, with {conversationId} and {workspaceId} placeholders. */
  link_template: string | null;
  /** 1 when email/push may include a short snippet of the note or message. */
  notification_snippets: number;
}
export type AwayPolicyValue = 'keep' | 'unassign_on_inbound' | 'unassign_now';
/** Availability settings on the workspace row (migration 0026); a new workspace takes the defaults. */
export interface WorkspaceAvailabilityColumns {
  /** An online agent with no socket for this long becomes away. */
  auto_away_after_sec: ColumnType<number, number | undefined, number>;
  /** What happens to an away agent's open conversations. */
  away_policy: ColumnType<AwayPolicyValue, AwayPolicyValue | undefined, AwayPolicyValue>;
}
/** Reply settings on the workspace row; a new workspace takes the default. */
export interface WorkspaceReplyColumns {
  /** 1 when an agent's reply to an unassigned conversation assigns it to them (migration 0058). */
  assign_on_reply: ColumnType<number, number | undefined, number>;
}
/**
 * The workspace's view counters (storage/view-counters.ts, migration 0011), kept on its row because
 * every change reads and writes that row anyway. A new workspace starts at the columns' default, 0.
 */
export interface WorkspaceCounterColumns {
  /** Open conversations: All. */
  open_count: ColumnType<number, number | undefined, number>;
  /** Open conversations without an assignee: Unassigned. */
  open_unassigned_count: ColumnType<number, number | undefined, number>;
  /** Resolved conversations: Resolved. */
  resolved_count: ColumnType<number, number | undefined, number>;
  /** Open conversations with an inbound message: what Unread counts before an agent's reading. */
  open_inbound_count: ColumnType<number, number | undefined, number>;
  /** Snoozed conversations: Snoozed (migration 0020). */
  snoozed_count: ColumnType<number, number | undefined, number>;
}
/** Bumped by every publish or delete of a workflow of the workspace (migration 0048, services/live-workflows.ts). */
export interface WorkspaceRulesColumns {
  rules_stamp: ColumnType<number, number | undefined, number>;
}
export interface ApiKeyRow {
  id: string;
  workspace_id: string;
  key_hash: string;
  created_at: number;
  revoked_at: number | null;
}
export interface SigningKeyRow {
  kid: string;
  workspace_id: string;
  secret: string;
  created_at: number;
  retired_at: number | null;
}
export interface AgentRow {
  id: string;
  workspace_id: string;
  name: string;
  username: string;
  username_lower: string;
  email: string | null;
  /** The host's id for the person, unique in the workspace when set (migration 0059). */
  external_id: string | null;
  role: 'agent' | 'admin';
  skills: string;
  capacity: number;
  availability: 'online' | 'away' | 'offline';
  /** When the agent last got a conversation; round-robin picks the oldest. */
  last_assigned_at: number | null;
  /** 1, or 0 once deactivated (migration 0012). */
  active: number;
  /** When the agent was last deactivated: tokens issued up to that second stay refused (migration 0046). */
  tokens_revoked_at: number | null;
  created_at: number;
}
/** Socket presence on the agent row (migration 0026); a new agent takes the defaults. */
export interface AgentPresenceColumns {
  /** While a socket is open somewhere, refreshed by a heartbeat; then when the last one closed. Null: never connected. */
  last_seen_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** 1 while the server made the agent away for want of a socket. */
  auto_away: ColumnType<number, number | undefined, number>;
}
export interface TeamRow {
  id: string;
  workspace_id: string;
  name: string;
  created_at: number;
}
export interface TeamMemberRow {
  workspace_id: string;
  team_id: string;
  agent_id: string;
}
export interface ContactRow {
  id: string;
  workspace_id: string;
  name: string;
  phone: string | null;
  email: string | null;
  language: string | null;
  tags: string;
  external_id: string | null;
  created_at: number;
  /** The host's own fields as a JSON object of string/number/boolean (migration 0025). */
  attributes: string;
}
export interface ConversationRow {
  id: string;
  workspace_id: string;
  contact_id: string;
  channel: string;
  source: string | null;
  subject: string | null;
  /** `snoozed` is open to the API (with `snoozedUntil`), but in none of the open views (migration 0020). */
  status: 'open' | 'resolved' | 'snoozed';
  assignee_id: string | null;
  team_id: string | null;
  tags: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  version: number;
  created_at: number;
  last_message_at: number;
  last_inbound_at: number | null;
  /** Seq of the latest inbound message: the Unread view compares it with each agent's read mark. */
  last_inbound_seq: number | null;
  resolved_at: number | null;
  waiting_since: number | null;
  preview: string | null;
  /** The latest message's direction, author and time (migration 0030): who the list row's "You:" / "Ana:" names. Null without a message. */
  last_message_direction: 'inbound' | 'outbound' | null;
  last_message_author_type: 'agent' | 'system' | 'workflow' | 'api' | null;
  last_message_author_id: string | null;
  last_message_sent_at: number | null;
  /** Language of the customer's messages (migration 0018): the contact's when set, else detected. */
  language: string | null;
  /** When a snoozed conversation wakes; null unless `status` is `snoozed`. */
  snoozed_until: number | null;
}
export interface SavedReplyRow {
  id: string;
  workspace_id: string;
  name: string;
  shortcut: string | null;
  /** `shortcut` lower-cased: unique per workspace (migration 0021). */
  shortcut_lower: string | null;
  body: string;
  created_at: number;
  updated_at: number;
}
export interface TimelineRow {
  id: string;
  workspace_id: string;
  conversation_id: string;
  seq: number;
  kind: 'message' | 'note' | 'event';
  direction: 'inbound' | 'outbound' | null;
  channel: string | null;
  body: string | null;
  mentions: string | null;
  event_type: string | null;
  actor_type: 'agent' | 'system' | 'workflow' | 'api';
  actor_id: string | null;
  data: string | null;
  created_at: number;
}
export interface MentionRow {
  workspace_id: string;
  agent_id: string;
  conversation_id: string;
  last_seq: number;
}
export interface ReadStateRow {
  workspace_id: string;
  agent_id: string;
  conversation_id: string;
  last_read_seq: number;
}
/** One agent's own view counters (storage/view-counters.ts, migration 0011); no row means all zero. */
export interface AgentViewCountsRow {
  workspace_id: string;
  agent_id: string;
  /** Open conversations assigned to the agent: Mine. */
  mine: number;
  /** Open conversations the agent is mentioned on: Mentioned. */
  mentioned: number;
  /** Open conversations with an inbound message that the agent has read up to their latest inbound message. */
  caught_up: number;
}
export interface NotificationRow {
  id: string;
  workspace_id: string;
  agent_id: string;
  type: 'assigned' | 'mentioned' | 'reopened' | 'queued_timeout';
  conversation_id: string;
  actor_type: 'agent' | 'system' | 'workflow' | 'api';
  actor_id: string | null;
  created_at: number;
  read_at: number | null;
  /** The rule that sent it (its `notify` action or its assignment), as JSON `{ workflowId, name, version }` (migration 0024). */
  rule: string | null;
  /** `mentioned`: the note that mentioned the agent (migration 0057); null for other types and older rows. */
  note_id: string | null;
}
export interface OutboxRow {
  /** Global, increasing: consumers keep their place by it. */
  id: Generated<number>;
  workspace_id: string;
  /** Workspace seq of this change; clients resume from it. */
  seq: number;
  type: string;
  conversation_id: string | null;
  payload: string;
  created_at: number;
}
export interface ConsumerOffsetRow {
  consumer: string;
  last_id: number;
}
/** Per workspace, the highest seq the housekeeping sweep deleted from the outbox (migration 0052). */
export interface OutboxPrunedRow {
  workspace_id: string;
  seq: number;
}
export interface IdempotencyRow {
  workspace_id: string;
  principal: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response_body: string | null;
  created_at: number;
}
export interface JobRow {
  id: Generated<number>;
  workspace_id: string;
  kind: string;
  target: string;
  /** Where the job goes (`webhook:<id>`, `push:<origin>`, `smtp`): the unit of per-destination caps and circuit breakers. */
  destination: string;
  dedupe_key: string;
  payload: string;
  status: 'pending' | 'done' | 'failed' | 'skipped';
  attempts: number;
  /** While an attempt is out, its lease's end (`claimJob`); otherwise when the next attempt is due. */
  next_run_at: number;
  /** When the attempt under way was claimed; null between attempts. */
  attempt_started_at: number | null;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}
export interface JobAttemptRow {
  job_id: number;
  attempt: number;
  at: number;
  ok: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}
/** A destination's circuit breaker (jobs/queue.ts); no row means closed with no failures. */
export interface DeliveryCircuitRow {
  workspace_id: string;
  destination: string;
  failures: number;
  trips: number;
  open_until: number | null;
  last_error: string | null;
  updated_at: number;
}
export interface NotificationPreferenceRow {
  workspace_id: string;
  agent_id: string;
  type: string;
  channel: string;
  enabled: number;
}
export interface PushSubscriptionRow {
  id: string;
  workspace_id: string;
  agent_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: number;
}
export interface ServerKeyRow {
  name: string;
  value: string;
  created_at: number;
}
export interface WebhookRow {
  id: string;
  workspace_id: string;
  url: string;
  events: string;
  secret: string;
  description: string | null;
  created_at: number;
  deleted_at: number | null;
}
export interface MigrationRow {
  version: number;
  name: string;
  applied_at: number;
}

/** How far full-text indexing has got through the timeline (one row; migration 0008). */
export interface SearchProgressRow {
  id: number;
  indexed_rowid: number;
}

/** An agent's read bands as JSON (storage/read-bands.ts; migration 0009). */
export interface ReadBandsRow {
  workspace_id: string;
  agent_id: string;
  bands: string;
  updated_at: number;
}

/** A workflow: its draft and which published version runs (migration 0015). */
export interface WorkflowRow {
  id: string;
  workspace_id: string;
  /** The draft definition as JSON. */
  draft: string;
  draft_version: number;
  /** The agent who last saved the draft; null for an API key (migration 0047). */
  draft_updated_by: string | null;
  published_version: number | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** One immutable publication of a workflow (migration 0015). */
export interface WorkflowVersionRow {
  workspace_id: string;
  workflow_id: string;
  version: number;
  definition: string;
  published_at: number;
  published_by: string | null;
}

/** One workflow considered for one outbox event (migration 0016). */
export interface WorkflowRunRow {
  id: string;
  workspace_id: string;
  workflow_id: string;
  version: number;
  outbox_id: number;
  trigger: string;
  conversation_id: string;
  matched: number;
  outcome: string;
  detail: string;
  created_at: number;
}

/** A conversation waiting in the routing queue (migration 0017). */
export interface RoutingWaitRow {
  workspace_id: string;
  conversation_id: string;
  workflow_id: string;
  version: number;
  action_index: number;
  team_id: string | null;
  waiting_since: number;
  next_check_at: number | null;
}

/** A workspace's timer rows being rebuilt, chunk by chunk, from after this conversation id (migration 0049). */
export interface TimerRebuildRow {
  workspace_id: string;
  after_id: string;
}

/** A conversation's `*_for` timers (migration 0023; services/routing-timers.ts). */
export interface ConversationTimerRow {
  workspace_id: string;
  conversation_id: string;
  /** The assignee as of `seen_outbox_id`: a change of it starts or ends an occurrence. */
  assignee_id: string | null;
  unassigned_since: number | null;
  /** Largest `minutes` of `conversation.unassigned_for` already fired for this occurrence (0: none). */
  unassigned_fired: number;
  unassigned_due_at: number | null;
  /** The customer's first inbound message with no agent reply after it. */
  awaiting_since: number | null;
  assigned_since: number | null;
  /** max(awaiting_since, assigned_since) while assigned and awaiting a reply. */
  unanswered_since: number | null;
  unanswered_fired: number;
  unanswered_due_at: number | null;
  seen_outbox_id: number;
}

/** A tag in use in a workspace and how many conversations and contacts carry it (storage/tags.ts). */
export interface WorkspaceTagRow {
  workspace_id: string;
  tag: string;
  /** `tag.toLowerCase()`, what a prefix is matched against. */
  folded: string;
  conversations: number;
  contacts: number;
}

export interface Database {
  workspaces: WorkspaceRow & WorkspaceCounterColumns & WorkspaceAvailabilityColumns & WorkspaceRulesColumns & WorkspaceReplyColumns;
  saved_replies: SavedReplyRow;
  conversation_tags: { workspace_id: string; tag: string; conversation_id: string };
  workspace_tags: WorkspaceTagRow;
  api_keys: ApiKeyRow;
  signing_keys: SigningKeyRow;
  agents: AgentRow & AgentPresenceColumns;
  teams: TeamRow;
  team_members: TeamMemberRow;
  contacts: ContactRow;
  conversations: ConversationRow;
  timeline: TimelineRow;
  search_progress: SearchProgressRow;
  mentions: MentionRow;
  read_states: ReadStateRow;
  read_bands: ReadBandsRow;
  agent_view_counts: AgentViewCountsRow;
  notifications: NotificationRow;
  outbox: OutboxRow;
  consumer_offsets: ConsumerOffsetRow;
  outbox_pruned: OutboxPrunedRow;
  idempotency_keys: IdempotencyRow;
  baton_migrations: MigrationRow;
  jobs: JobRow;
  job_attempts: JobAttemptRow;
  delivery_circuits: DeliveryCircuitRow;
  notification_preferences: NotificationPreferenceRow;
  push_subscriptions: PushSubscriptionRow;
  server_keys: ServerKeyRow;
  webhooks: WebhookRow;
  workflows: WorkflowRow;
  workflow_versions: WorkflowVersionRow;
  workflow_runs: WorkflowRunRow;
  routing_waits: RoutingWaitRow;
  conversation_timers: ConversationTimerRow;
  timer_rebuilds: TimerRebuildRow;
}
