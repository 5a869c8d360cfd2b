import { z } from 'zod';
import { secret } from './secrets.js';
import { Actor, Channel, Contact, Conversation, Id, MessageItem, NoteItem, Timestamp } from './domain.js';

// Webhooks (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) and the
// customer-facing transcript. Both leave Baton, so notes appear only where they are labelled
// internal (`note.created`), never in what a host forwards to a customer.

export const WEBHOOK_EVENT_TYPES = [
  'conversation.created',
  'conversation.assigned',
  'conversation.unassigned',
  'conversation.resolved',
  'conversation.reopened',
  'conversation.updated',
  'conversation.snoozed',
  'conversation.woke',
  'message.created',
  'note.created',
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const CreateWebhookBody = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048),
  events: z
    .array(WebhookEventType)
    .min(1)
    .max(WEBHOOK_EVENT_TYPES.length)
    .refine((events) => new Set(events).size === events.length, { message: 'events must not repeat' }),
  description: z.string().trim().max(500).optional(),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const Webhook = z.object({
  id: Id,
  url: z.string(),
  events: z.array(WebhookEventType),
  description: z.string().nullable(),
  createdAt: Timestamp,
});
export type Webhook = z.infer<typeof Webhook>;

/** The secret is returned once, at creation: `whsec_` + base64 of the HMAC key. */
export const CreateWebhookResponse = z.object({ webhook: Webhook, secret: secret(z.string().startsWith('whsec_')) });
export const WebhookList = z.object({ items: z.array(Webhook) });

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'done', 'failed', 'skipped'] as const;
export const WebhookDeliveryStatus = z.enum(WEBHOOK_DELIVERY_STATUSES);

export const WebhookDeliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().regex(/^\d{1,18}$/, 'must be a cursor this server issued').optional(),
  status: WebhookDeliveryStatus.optional(),
});
export type WebhookDeliveriesQuery = z.infer<typeof WebhookDeliveriesQuery>;

export const WebhookAttempt = z.object({
  attempt: z.number().int(),
  at: Timestamp,
  ok: z.boolean(),
  /** Null when no response arrived (connection refused, timeout). */
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
});
/** One event bound for one endpoint, with every attempt to deliver it. */
export const WebhookDelivery = z.object({
  /** The event id, also sent as the `webhook-id` header; stable across retries and restarts. */
  id: z.string(),
  type: WebhookEventType,
  status: WebhookDeliveryStatus,
  attempts: z.number().int(),
  /** When the next attempt is due; null once the delivery is finished, and while an attempt is under way. */
  nextAttemptAt: Timestamp.nullable(),
  /**
   * When the attempt under way started: the request is out and its outcome not logged yet. Null
   * otherwise. An attempt whose server stopped mid-request is tried again when its claim on the
   * delivery runs out (the request's timeout and a margin), and shows as due from then.
   */
  attemptingSince: Timestamp.nullable(),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  attemptLog: z.array(WebhookAttempt),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
/**
 * The endpoint's circuit breaker. `closed`: deliveries flow (`failures` counts failed attempts in a
 * row). `open`: after too many failures in a row deliveries are paused until `pausedUntil`, and
 * pending ones wait (their `nextAttemptAt` says until when) without using up their retries.
 * `half_open`: the pause is over and the next attempt decides; success closes the circuit,
 * failure pauses it again for twice as long.
 */
export const WebhookCircuit = z.object({
  state: z.enum(['closed', 'open', 'half_open']),
  failures: z.number().int(),
  pausedUntil: Timestamp.nullable(),
  /** Why it is paused: the failures and the last error. Null while closed without failures. */
  reason: z.string().nullable(),
});
export type WebhookCircuit = z.infer<typeof WebhookCircuit>;
export const WebhookDeliveryPage = z.object({ items: z.array(WebhookDelivery), nextCursor: z.string().nullable(), circuit: WebhookCircuit });

// Event bodies. Every event is `{ id, type, timestamp, workspaceId, data }`.

const envelope = <T extends WebhookEventType, D extends z.ZodType>(type: T, data: D) =>
  z.object({ id: z.string(), type: z.literal(type), timestamp: Timestamp, workspaceId: Id, data });

export const WebhookEvent = z.discriminatedUnion('type', [
  /** `message` is the first message when the conversation started with one. */
  envelope('conversation.created', z.object({ conversation: Conversation, message: MessageItem.nullable() })),
  envelope('conversation.assigned', z.object({ conversation: Conversation, from: Id.nullable(), to: Id, actor: Actor })),
  envelope('conversation.unassigned', z.object({ conversation: Conversation, from: Id.nullable(), actor: Actor })),
  envelope('conversation.resolved', z.object({ conversation: Conversation, actor: Actor })),
  /** `reason`: manual, inbound_message or reply; `messageId` names the message that reopened it. */
  envelope('conversation.reopened', z.object({ conversation: Conversation, reason: z.string(), messageId: Id.nullable(), actor: Actor })),
  /** Tags, priority, team or subject edited by an agent or the API (`changed` names the fields; the conversation has their new values). */
  envelope('conversation.updated', z.object({ conversation: Conversation, changed: z.array(z.enum(['tags', 'priority', 'teamId', 'subject'])), actor: Actor })),
  /** Snoozed until `until` (or snoozed again for another time). */
  envelope('conversation.snoozed', z.object({ conversation: Conversation, until: Timestamp, actor: Actor })),
  /** A snooze ended: `reason` timer, manual or inbound_message (then `messageId` names the message). */
  envelope('conversation.woke', z.object({ conversation: Conversation, reason: z.enum(['timer', 'manual', 'inbound_message']), messageId: Id.nullable(), actor: Actor })),
  /**
   * Outbound messages only (replies and outreach): what the host delivers to the customer. Never a
   * note. `contact` is whom to deliver it to (phone, email, `externalId`), as the contact stands when
   * the event is queued, so the host needs no second request to send it (null only if it could not
   * be read, which contacts, never deleted, always can).
   */
  envelope('message.created', z.object({ conversation: Conversation, contact: Contact.nullable(), message: MessageItem })),
  /** Internal: for the host's own records, never to be forwarded to the customer. */
  envelope('note.created', z.object({ internal: z.literal(true), conversation: Conversation, note: NoteItem })),
]);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

// The transcript: what a host may send to the contact. Messages only, no notes, no events, and
// only the conversation fields a customer may see (no tags, assignee or priority).

export const TranscriptQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export const Transcript = z.object({
  conversation: z.object({ id: Id, contactId: Id, channel: Channel, subject: z.string().nullable(), createdAt: Timestamp }),
  items: z.array(MessageItem),
  nextAfter: z.number().int().nullable(),
});
export type Transcript = z.infer<typeof Transcript>;
