import { z } from 'zod';
import { AUTO_AWAY_MAX_SEC, AUTO_AWAY_MIN_SEC, AWAY_POLICIES, DEFAULT_AUTO_AWAY_AFTER_SEC, KNOWN_CHANNELS, VIEWS } from './constants.js';
import { MAX_TAG_LENGTH, tagFits } from './tags.js';

// Defined zod-free in constants.ts (browser code imports them from there); exported here as before.
export { KNOWN_CHANNELS, VIEWS };

/** Ids are opaque strings; the server mints them with a type prefix (`conv_…`). */
export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be an id');
/** Timestamps travel as ISO-8601 strings. */
export const Timestamp = z.iso.datetime();

/** Trimmed here; the server stores it in lower case (`normalizeTag`, tags.ts), which must fit too. */
export const Tag = z.string().trim().min(1).max(MAX_TAG_LENGTH).refine(tagFits, `must be at most ${MAX_TAG_LENGTH} characters in lower case`);
export const Tags = z.array(Tag).max(50);

export const Role = z.enum(['agent', 'admin']);
export const Availability = z.enum(['online', 'away', 'offline']);
/** Known channels (KNOWN_CHANNELS), but hosts may add their own, so any short lowercase word is accepted. */
export const Channel = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a channel name such as sms or email');
export const ConversationStatus = z.enum(['open', 'resolved']);
export const Priority = z.enum(['low', 'normal', 'high', 'urgent']);

export { AUTO_AWAY_MAX_SEC, AUTO_AWAY_MIN_SEC, AWAY_POLICIES, DEFAULT_AUTO_AWAY_AFTER_SEC };
export const AwayPolicy = z.enum(AWAY_POLICIES);
export type AwayPolicy = z.infer<typeof AwayPolicy>;

/**
 * Pages (http or https) whose sockets a workspace admits; the server keeps each as its origin. Only
 * http(s): a javascript:, data: or file: URL has the origin "null", which sandboxed iframes send,
 * so storing one would let any such page open a socket.
 */
export const AllowedOrigins = z.array(z.url({ protocol: /^https?$/ }).max(200)).max(50);

export const Workspace = z.object({
  id: Id,
  name: z.string(),
  timeZone: z.string(),
  allowedOrigins: z.array(z.string()),
  /** Link in email and push notifications, with {conversationId} (and {workspaceId}) filled in. */
  linkTemplate: z.string().nullable(),
  /** Whether email and push may include a short snippet of the note or message. */
  notificationSnippets: z.boolean(),
  /** An online agent with no connected socket for this many seconds becomes away (DESIGN §6; default 300). */
  autoAwayAfterSec: z.number().int().default(DEFAULT_AUTO_AWAY_AFTER_SEC),
  /**
   * What happens to an away (or offline) agent's open conversations: `keep` them, unassign each on
   * the customer's next inbound message (`unassign_on_inbound`), or unassign them all at once
   * (`unassign_now`); an unassigned conversation goes back to the routing queue of the rule that
   * assigned it.
   */
  awayPolicy: AwayPolicy.default('keep'),
  /**
   * An agent's reply to a conversation nobody is assigned to assigns it to them, as Intercom and
   * Front do: whoever answered the customer owns the follow-up. The `assigned` event says so
   * (`data.reason: 'reply'`). Off by default.
   */
  assignOnReply: z.boolean().default(false),
  createdAt: Timestamp,
});
export type Workspace = z.infer<typeof Workspace>;

export const Agent = z.object({
  id: Id,
  name: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  /**
   * The host's own id for this person (its user id), unique in the workspace: the host mints a
   * token with it (`POST /v1/tokens { externalId }`) without keeping Baton's agent ids.
   */
  externalId: z.string().nullable(),
  role: Role,
  skills: z.array(z.string()),
  capacity: z.number().int(),
  availability: Availability,
  /**
   * False once deactivated: the agent cannot sign in, loses their sockets, is never assigned,
   * routed to or mentioned, and stays listed so history shows their name.
   */
  active: z.boolean(),
  createdAt: Timestamp,
});
export type Agent = z.infer<typeof Agent>;

export const Team = z.object({
  id: Id,
  name: z.string(),
  memberIds: z.array(Id),
  createdAt: Timestamp,
});
export type Team = z.infer<typeof Team>;

/** Most attributes a contact may carry. */
export const MAX_CONTACT_ATTRIBUTES = 50;
/** A contact attribute's value: the host's own field (DESIGN §3). */
export const ContactAttributeValue = z.union([z.string().max(500), z.number().refine(Number.isFinite, 'must be a finite number'), z.boolean()]);
/** Attribute keys are identifiers, so a rule's `contact.attributes.<key>` path is never ambiguous. */
export const ContactAttributeKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be letters, digits and _ (not starting with a digit), at most 64');

export const Contact = z.object({
  id: Id,
  name: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  language: z.string().nullable(),
  tags: z.array(z.string()),
  externalId: z.string().nullable(),
  createdAt: Timestamp,
  /** The host's own fields (`plan: 'enterprise'`, `seats: 40`); rules read them as `contact.attributes.<key>`. */
  attributes: z.record(ContactAttributeKey, ContactAttributeValue).default({}),
});
export type Contact = z.infer<typeof Contact>;

export const ActorType = z.enum(['agent', 'system', 'workflow', 'api']);
export const Actor = z.object({
  type: ActorType,
  id: z.string().nullable(),
  /**
   * A rule's name as it was when it wrote the item (`type: "workflow"`: notes, and events that carry
   * `data.workflowName`); absent otherwise (an agent's name is read live from the agents).
   */
  name: z.string().optional(),
});
export type Actor = z.infer<typeof Actor>;

export const Direction = z.enum(['inbound', 'outbound']);

/**
 * Who wrote a conversation's latest message and when: what a list row names ("You: …", "Ana: …",
 * nothing for the customer) beside `preview`. Notes never count, as with `preview`.
 */
export const LastMessage = z.object({ direction: Direction, author: Actor, at: Timestamp });
export type LastMessage = z.infer<typeof LastMessage>;

export const Conversation = z.object({
  id: Id,
  contactId: Id,
  channel: Channel,
  source: z.string().nullable(),
  subject: z.string().nullable(),
  status: ConversationStatus,
  assigneeId: Id.nullable(),
  teamId: Id.nullable(),
  tags: z.array(z.string()),
  priority: Priority,
  version: z.number().int(),
  createdAt: Timestamp,
  lastMessageAt: Timestamp,
  lastInboundAt: Timestamp.nullable(),
  /** Seq of the latest inbound message: unread for an agent whose read mark is below it. */
  lastInboundSeq: z.number().int().nullable(),
  resolvedAt: Timestamp.nullable(),
  waitingSince: Timestamp.nullable(),
  /**
   * When a snoozed conversation wakes; null when it is not snoozed. A snoozed conversation keeps
   * `status: 'open'` but is in no open view (Mine, Unassigned, Mentioned, Unread, All), only in Snoozed.
   */
  snoozedUntil: Timestamp.nullable(),
  /**
   * Language of the customer's messages (ISO 639-1): the contact's language when it was set,
   * otherwise detected from their inbound messages; null while unsure (short or mixed messages).
   */
  language: z.string().nullable(),
  /** Body of the latest message, for list previews; notes never appear here. */
  preview: z.string().nullable(),
  /** The latest message's direction, author and time (`preview` is its body); null before the first message. */
  lastMessage: LastMessage.nullable().default(null),
});
export type Conversation = z.infer<typeof Conversation>;

export const EVENT_TYPES = [
  'created',
  'assigned',
  'unassigned',
  'resolved',
  'reopened',
  'tagged',
  'priority_changed',
  'team_changed',
  'subject_changed',
  'snoozed',
  'woke',
  'rule_applied',
  'queued',
] as const;
export const TimelineEventType = z.enum(EVENT_TYPES);

const TimelineBase = z.object({
  id: Id,
  conversationId: Id,
  seq: z.number().int(),
  createdAt: Timestamp,
});

export const MessageItem = TimelineBase.extend({
  kind: z.literal('message'),
  direction: Direction,
  channel: Channel,
  body: z.string(),
  author: Actor,
  internal: z.literal(false),
});
export const NoteItem = TimelineBase.extend({
  kind: z.literal('note'),
  body: z.string(),
  mentions: z.array(Id),
  author: Actor,
  internal: z.literal(true),
});
export const EventItem = TimelineBase.extend({
  kind: z.literal('event'),
  type: TimelineEventType,
  actor: Actor,
  /** Event specifics, e.g. `{ from, to }` for assignments, `{ reason }` for reopen. */
  data: z.record(z.string(), z.unknown()),
  internal: z.literal(true),
});
export const TimelineItem = z.discriminatedUnion('kind', [MessageItem, NoteItem, EventItem]);
export type MessageItem = z.infer<typeof MessageItem>;
export type NoteItem = z.infer<typeof NoteItem>;
export type EventItem = z.infer<typeof EventItem>;
export type TimelineItem = z.infer<typeof TimelineItem>;

export const NotificationType = z.enum(['assigned', 'mentioned', 'reopened', 'queued_timeout']);
export const Notification = z.object({
  id: Id,
  agentId: Id,
  type: NotificationType,
  conversationId: Id,
  actor: Actor,
  createdAt: Timestamp,
  readAt: Timestamp.nullable(),
  /** Set when a rule sent it (its `notify` action, or its assignment): which rule (and version), so the reader knows why. */
  rule: z.object({ workflowId: Id, name: z.string(), version: z.number().int() }).optional(),
  /**
   * `mentioned` only: the note that mentioned the reader, so the bell can say what was asked without
   * opening the conversation. `excerpt` is the note on one line, at most 140 characters, cut (with
   * `…`) so that the reader's own `@username` is within its first 64 characters: a note that asks
   * its question at its end shows that question. Plain text: render it as text.
   */
  note: z.object({ id: Id, excerpt: z.string() }).optional(),
});
export type Notification = z.infer<typeof Notification>;
export type NotificationRule = NonNullable<Notification['rule']>;
export type NotificationNote = NonNullable<Notification['note']>;

export const View = z.enum(VIEWS);
export type View = z.infer<typeof View>;
export const Counts = z.object({
  mine: z.number().int(),
  unassigned: z.number().int(),
  mentioned: z.number().int(),
  unread: z.number().int(),
  all: z.number().int(),
  resolved: z.number().int(),
  snoozed: z.number().int(),
});
export type Counts = z.infer<typeof Counts>;
