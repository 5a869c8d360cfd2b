import { z } from 'zod';
import {
  Agent,
  Availability,
  Channel,
  Contact,
  Conversation,
  Counts,
  Direction,
  Id,
  Notification,
  NoteItem,
  Priority,
  Role,
  Tags,
  Team,
  TimelineItem,
  View,
  AllowedOrigins,
  Workspace,
  MessageItem,
  Timestamp,
  ContactAttributeKey,
  ContactAttributeValue,
  MAX_CONTACT_ATTRIBUTES,
} from './domain.js';
import { MAX_AGENT_CAPACITY } from './constants.js';
import { secret } from './secrets.js';

// Request bodies are strict: an unknown field is a client bug we report, not silently drop.

const Name = z.string().trim().min(1).max(200);
const Body = z.string().trim().min(1, 'empty').max(20_000, 'longer than 20,000 characters');
const Email = z.email().max(320);
/** Usernames are what people type after `@`, so they stay simple. */
export const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,38}[a-z0-9]$|^[a-z0-9]$/i, 'letters, digits, ".", "_" or "-", not ending in punctuation');

export const CreateWorkspaceBody = z.strictObject({
  name: Name,
  timeZone: z.string().max(64).optional(),
  allowedOrigins: AllowedOrigins.optional(),
});
/** The server admin's list of workspaces, in id order (ids begin with their creation time); `cursor` is the previous page's `nextCursor`. */
export const ListWorkspacesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const WorkspacePage = z.object({ items: z.array(Workspace), nextCursor: z.string().nullable() });

export const CreateWorkspaceResponse = z.object({
  workspace: Workspace,
  apiKey: secret(z.string()),
  signingKeys: z.array(z.object({ kid: z.string(), secret: secret(z.string()) })),
});

/**
 * Credentials of a workspace as listed: never the secret itself, which is shown once, when the key
 * is made. Rotation is: make a new key, switch the host over, revoke (or retire) the old one.
 */
export const ApiKeyInfo = z.object({ id: z.string(), createdAt: Timestamp, revokedAt: Timestamp.nullable() });
export const SigningKeyInfo = z.object({ kid: z.string(), createdAt: Timestamp, retiredAt: Timestamp.nullable() });
export const CredentialList = z.object({ apiKeys: z.array(ApiKeyInfo), signingKeys: z.array(SigningKeyInfo) });
export const CreateApiKeyResponse = z.object({ apiKey: ApiKeyInfo, key: secret(z.string()) });
export const CreateSigningKeyResponse = z.object({ signingKey: SigningKeyInfo, secret: secret(z.string()) });

/** The host's own id for a person or a customer: its user id, its CRM record's id. */
const ExternalId = z.string().trim().min(1).max(200);

/** Whom the token is for: Baton's agent id, or the host's own id for them (`Agent.externalId`). */
export const CreateTokenBody = z
  .strictObject({
    agentId: Id.optional(),
    externalId: ExternalId.optional(),
    ttlSeconds: z.number().int().min(60).max(3600).optional(),
  })
  .refine((b) => (b.agentId === undefined) !== (b.externalId === undefined), { message: 'give exactly one of agentId or externalId' });
export const TokenResponse = z.object({ token: secret(z.string()), expiresAt: z.iso.datetime() });

export const CreateAgentBody = z.strictObject({
  name: Name,
  username: Username,
  email: Email.optional(),
  externalId: ExternalId.optional(),
  role: Role.optional(),
  skills: Tags.optional(),
  capacity: z.number().int().min(0).max(MAX_AGENT_CAPACITY).optional(),
  availability: Availability.optional(),
});
export const UpdateAgentBody = z.strictObject({
  name: Name.optional(),
  email: Email.nullable().optional(),
  /** `null` clears it; a value another agent of the workspace holds is a 409. */
  externalId: ExternalId.nullable().optional(),
  role: Role.optional(),
  skills: Tags.optional(),
  capacity: z.number().int().min(0).max(MAX_AGENT_CAPACITY).optional(),
  availability: Availability.optional(),
  /** `false` deactivates the agent, `true` reactivates them (API key or another admin; never oneself). */
  active: z.boolean().optional(),
});

export const CreateTeamBody = z.strictObject({
  name: Name,
  memberIds: z.array(Id).max(1000).optional(),
});
export const UpdateTeamBody = z.strictObject({
  name: Name.optional(),
  memberIds: z.array(Id).max(1000).optional(),
});

export const CreateContactBody = z.strictObject({
  name: Name,
  phone: z.string().trim().min(3).max(32).optional(),
  email: Email.optional(),
  language: z.string().trim().min(2).max(16).optional(),
  tags: Tags.optional(),
  externalId: ExternalId.optional(),
  attributes: z
    .record(ContactAttributeKey, ContactAttributeValue)
    .refine((a) => Object.keys(a).length <= MAX_CONTACT_ATTRIBUTES, `at most ${MAX_CONTACT_ATTRIBUTES} attributes`)
    .optional(),
});
export const UpdateContactBody = z.strictObject({
  name: Name.optional(),
  phone: z.string().trim().min(3).max(32).nullable().optional(),
  email: Email.nullable().optional(),
  language: z.string().trim().min(2).max(16).nullable().optional(),
  tags: Tags.optional(),
  externalId: ExternalId.nullable().optional(),
  /** Merged into the stored ones: named keys are set, `null` removes a key. */
  attributes: z
    .record(ContactAttributeKey, ContactAttributeValue.nullable())
    .refine((a) => Object.keys(a).length <= MAX_CONTACT_ATTRIBUTES, `at most ${MAX_CONTACT_ATTRIBUTES} attributes`)
    .optional(),
});

/** `GET /v1/agents?externalId=`: the agent the host knows by that id (none or one). */
export const ListAgentsQuery = z.strictObject({ externalId: z.string().min(1).max(200).optional() });

export const FindContactsQuery = z
  .strictObject({
    externalId: z.string().min(1).max(200).optional(),
    phone: z.string().min(3).max(32).optional(),
    email: z.string().min(3).max(320).optional(),
  })
  .refine((q) => Object.keys(q).length === 1, { message: 'give exactly one of externalId, phone or email' });

export const CreateConversationBody = z
  .strictObject({
    contactId: Id.optional(),
    contact: CreateContactBody.optional(),
    channel: Channel,
    source: z.string().trim().min(1).max(100).optional(),
    subject: z.string().trim().min(1).max(500).optional(),
    priority: Priority.optional(),
    tags: Tags.optional(),
    message: z.strictObject({ body: Body }).optional(),
  })
  .refine((b) => (b.contactId === undefined) !== (b.contact === undefined), {
    message: 'give exactly one of contactId or contact',
    path: ['contactId'],
  });

/** `newest`: latest activity first. `oldest_waiting`: the longest since its latest activity first. */
export const ConversationSort = z.enum(['newest', 'oldest_waiting']);
export const ListConversationsQuery = z.strictObject({
  view: View.default('all'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** From the previous page, with the same view, filters and sort. */
  cursor: z.string().max(200).optional(),
  channel: Channel.optional(),
  teamId: Id.optional(),
  /** Either case: tags are stored in lower case (`normalizeTag`), so `VIP` finds `vip`. */
  tag: z.string().trim().min(1).max(64).optional(),
  priority: Priority.optional(),
  sort: ConversationSort.default('newest'),
});
/** A list row also carries the caller's read mark, so the list can show what is unread. */
export const ConversationListItem = Conversation.extend({ readSeq: z.number().int().nullable() });
export type ConversationListItem = z.infer<typeof ConversationListItem>;
export const ConversationPage = z.object({
  items: z.array(ConversationListItem),
  nextCursor: z.string().nullable(),
});

export const TimelineQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const TimelinePage = z.object({ items: z.array(TimelineItem), nextAfter: z.number().int().nullable() });

export const PostMessageBody = z
  .strictObject({
    direction: Direction,
    body: Body,
    channel: Channel.optional(),
    /**
     * Replies only: the `seq` of the latest reply the writer had seen when they began (0 for none).
     * If someone else's reply came after it, nothing is sent and the answer is `409`
     * `replied_meanwhile` with that reply's `{ seq, author }` in `details`, so two agents never answer the
     * customer at once unseen. Checked under the conversation's lock, so of two replies sent at the
     * same instant the second is refused. Send again without it to send anyway.
     */
    seenSeq: z.number().int().min(0).optional(),
  })
  .refine((b) => b.seenSeq === undefined || b.direction === 'outbound', { path: ['seenSeq'], message: 'only replies (direction outbound) take seenSeq' });
export const PostNoteBody = z.strictObject({ body: Body });

export const AssignBody = z.strictObject({
  assigneeId: Id.nullable(),
  teamId: Id.nullable().optional(),
});

/**
 * Fields an agent edits on a conversation. Absent fields stay as they are; `tags` replaces the set,
 * stored in lower case without repeats (`normalizeTags`; the timeline's `tagged` event lists what
 * was added and removed); `teamId`/`subject` null clear.
 */
export const UpdateConversationBody = z.strictObject({
  tags: Tags.optional(),
  priority: Priority.optional(),
  teamId: Id.nullable().optional(),
  subject: z.string().trim().min(1).max(500).nullable().optional(),
});

/** Longest snooze: a year. Presets ("tomorrow 9:00", "next week") are the UI's; the server takes an instant. */
export const MAX_SNOOZE_MS = 365 * 24 * 3600_000;
/**
 * `until`: when it wakes, in the future and at most `MAX_SNOOZE_MS` ahead (checked against the
 * server's clock: 400 on `until` otherwise). `null` wakes it now (unsnooze).
 */
export const SnoozeBody = z.strictObject({ until: z.iso.datetime({ offset: true }).nullable() });

/** At most this many conversations in one bulk request. */
export const MAX_BULK_IDS = 100;
const BulkCommon = {
  ids: z
    .array(Id)
    .min(1)
    .max(MAX_BULK_IDS)
    .refine((ids) => new Set(ids).size === ids.length, { message: 'ids must not repeat' }),
  /** The version each conversation was seen at, by id; a stale one fails that id alone with 409. */
  ifMatch: z.record(Id, z.number().int().min(1)).optional(),
};
/**
 * One action on up to 100 conversations. Each id is its own unit of work: the response lists a
 * result per id, in the order given, and one failing (not found, stale, refused) leaves the others done.
 */
export const BulkBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('assign'), ...BulkCommon, assigneeId: Id.nullable(), teamId: Id.nullable().optional() }),
  z.strictObject({ action: z.literal('resolve'), ...BulkCommon }),
  z.strictObject({ action: z.literal('reopen'), ...BulkCommon }),
  z.strictObject({ action: z.literal('snooze'), ...BulkCommon, until: SnoozeBody.shape.until }),
  z
    .strictObject({ action: z.literal('tag'), ...BulkCommon, add: Tags.optional(), remove: Tags.optional() })
    .refine((b) => (b.add?.length ?? 0) + (b.remove?.length ?? 0) > 0, { message: 'give tags to add or remove', path: ['add'] }),
]);
export const BulkResult = z.union([
  z.object({ id: Id, ok: z.literal(true), status: z.number().int(), conversation: Conversation }),
  z.object({
    id: Id,
    ok: z.literal(false),
    status: z.number().int(),
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  }),
]);
export const BulkResponse = z.object({ results: z.array(BulkResult) });

/** At most this many saved replies in a workspace. */
export const MAX_SAVED_REPLIES = 500;
/** The placeholders a saved reply may use (`{{contact.name}}`), filled in for a conversation and the calling agent. */
export const SAVED_REPLY_VARIABLES = [
  { name: 'contact.name', description: "the contact's full name" },
  { name: 'contact.firstName', description: "the first word of the contact's name" },
  { name: 'contact.email', description: "the contact's email (empty when unknown)" },
  { name: 'contact.phone', description: "the contact's phone (empty when unknown)" },
  { name: 'agent.name', description: "the replying agent's name" },
  { name: 'agent.firstName', description: "the first word of the agent's name" },
  { name: 'agent.username', description: "the replying agent's username" },
  { name: 'conversation.subject', description: "the conversation's subject (empty when none)" },
  { name: 'conversation.channel', description: "the conversation's channel" },
] as const;
/** What an agent types after `/` in the composer to pick a reply. */
const Shortcut = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'letters, digits, "_" or "-", up to 32');
export const SavedReply = z.object({
  id: Id,
  name: z.string(),
  shortcut: z.string().nullable(),
  /** The template as saved, placeholders and all. */
  body: z.string(),
  /** The body with its placeholders filled in, when listed with `conversationId`; null otherwise. */
  rendered: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const CreateSavedReplyBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  shortcut: Shortcut.optional(),
  body: z.string().trim().min(1).max(5000),
});
export const UpdateSavedReplyBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  shortcut: Shortcut.nullable().optional(),
  body: z.string().trim().min(1).max(5000).optional(),
});
export const SavedRepliesQuery = z.strictObject({ conversationId: Id.optional() });

/**
 * Tag suggestions. `prefix` is compared in lower case, as tags are stored (`normalizeTag`); accents
 * count ("cafe" does not find "café"), as they do in the stored tags and the list's `tag` filter.
 */
export const TagsQuery = z.strictObject({
  prefix: z.string().trim().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
/** A tag as stored (in lower case, on conversations and contacts alike) and how many of each carry it now. */
export const TagUsage = z.object({
  name: z.string(),
  conversations: z.number().int(),
  contacts: z.number().int(),
});
export const TagList = z.object({ tags: z.array(TagUsage) });

export const NotificationsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  unreadOnly: z.enum(['true', 'false']).optional(),
});
export const NotificationList = z.object({ items: z.array(Notification), unread: z.number().int() });
export const MarkNotificationsReadBody = z.strictObject({
  ids: z.array(Id).min(1).max(500).optional(),
  all: z.literal(true).optional(),
}).refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give ids or all: true', path: ['ids'] });

export const ConversationWithTimeline = z.object({ conversation: Conversation, timeline: z.array(TimelineItem) });

export const ListResponse = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const AgentList = ListResponse(Agent);
export const TeamList = ListResponse(Team);
export const ContactConversations = z.object({ contact: Contact, items: z.array(Conversation) });

export {
  Agent,
  Team,
  Contact,
  Conversation,
  Counts,
  Notification,
  NoteItem,
  MessageItem,
  TimelineItem,
};

export type CreateWorkspaceBody = z.infer<typeof CreateWorkspaceBody>;
export type ListWorkspacesQuery = z.infer<typeof ListWorkspacesQuery>;
export type CreateWorkspaceResponse = z.infer<typeof CreateWorkspaceResponse>;
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;
export type SigningKeyInfo = z.infer<typeof SigningKeyInfo>;
export type CredentialList = z.infer<typeof CredentialList>;
export type TokenResponse = z.infer<typeof TokenResponse>;
export type CreateAgentBody = z.infer<typeof CreateAgentBody>;
export type UpdateAgentBody = z.infer<typeof UpdateAgentBody>;
export type CreateTeamBody = z.infer<typeof CreateTeamBody>;
export type UpdateTeamBody = z.infer<typeof UpdateTeamBody>;
export type CreateContactBody = z.infer<typeof CreateContactBody>;
export type FindContactsQuery = z.infer<typeof FindContactsQuery>;
export type ListAgentsQuery = z.infer<typeof ListAgentsQuery>;
export type UpdateContactBody = z.infer<typeof UpdateContactBody>;
export type CreateConversationBody = z.infer<typeof CreateConversationBody>;
export type ListConversationsQuery = z.infer<typeof ListConversationsQuery>;
export type ConversationPage = z.infer<typeof ConversationPage>;
export type TimelineQuery = z.infer<typeof TimelineQuery>;
export type TimelinePage = z.infer<typeof TimelinePage>;
export type PostMessageBody = z.infer<typeof PostMessageBody>;
export type PostNoteBody = z.infer<typeof PostNoteBody>;
export type AssignBody = z.infer<typeof AssignBody>;
export type UpdateConversationBody = z.infer<typeof UpdateConversationBody>;
export type SnoozeBody = z.infer<typeof SnoozeBody>;
export type BulkBody = z.infer<typeof BulkBody>;
export type SavedReply = z.infer<typeof SavedReply>;
export type CreateSavedReplyBody = z.infer<typeof CreateSavedReplyBody>;
export type UpdateSavedReplyBody = z.infer<typeof UpdateSavedReplyBody>;
export type BulkResult = z.infer<typeof BulkResult>;
export type TagsQuery = z.infer<typeof TagsQuery>;
export type TagUsage = z.infer<typeof TagUsage>;
export type TagList = z.infer<typeof TagList>;
export type NotificationList = z.infer<typeof NotificationList>;
export type MarkNotificationsReadBody = z.infer<typeof MarkNotificationsReadBody>;
