import type { Actor, Contact, Conversation, MessageItem, NoteItem, TimelineItem, WebhookEvent, WebhookEventType } from '@baton/protocol';
import type { OutboxRecord } from '../outbox/changes.js';
import { iso } from '../storage/mappers.js';

/**
 * Turns one committed outbox row into the webhook events it stands for. Pure, a function of the row
 * and of `contacts` (by id, read by the consumer for `message.created`'s recipient), so replaying a
 * row (after a crash, on another node) yields the same events with the same ids.
 *
 * Customer-facing events are built field by field from message items, never by passing timeline
 * items through: a note can only leave in `note.created`, which says it is internal.
 */
export function webhookEventsFor(record: OutboxRecord, contacts: ReadonlyMap<string, Contact> = new Map()): WebhookEvent[] {
  const { conversation, items } = record.payload;
  if (!conversation) return [];
  const events: WebhookEvent[] = [];
  const add = <T extends WebhookEventType>(type: T, data: Extract<WebhookEvent, { type: T }>['data']) => {
    events.push({ id: eventId(record.id, type), type, timestamp: iso(record.createdAt), workspaceId: record.workspaceId, data } as WebhookEvent);
  };
  const messages = items.filter((i): i is MessageItem => i.kind === 'message').map(messageOf);
  const eventsOf = (type: string) => items.filter((i): i is Extract<TimelineItem, { kind: 'event' }> => i.kind === 'event' && i.type === type);

  switch (record.type) {
    case 'conversation.created':
      add('conversation.created', { conversation: conversationOf(conversation), message: messages[0] ?? null });
      break;
    case 'conversation.assigned': {
      const event = eventsOf('assigned')[0];
      add('conversation.assigned', {
        conversation: conversationOf(conversation),
        from: record.payload.data.from,
        to: record.payload.data.to,
        actor: actorOf(event?.actor),
      });
      break;
    }
    case 'conversation.unassigned': {
      const event = eventsOf('unassigned')[0];
      add('conversation.unassigned', {
        conversation: conversationOf(conversation),
        from: record.payload.data.from,
        actor: actorOf(event?.actor),
      });
      break;
    }
    case 'conversation.resolved':
      add('conversation.resolved', { conversation: conversationOf(conversation), actor: actorOf(eventsOf('resolved')[0]?.actor) });
      break;
    case 'conversation.updated':
      add('conversation.updated', { conversation: conversationOf(conversation), changed: [...record.payload.data.changed], actor: actorOf(items.find((i) => i.kind === 'event')?.actor) });
      break;
    case 'conversation.snoozed':
      add('conversation.snoozed', { conversation: conversationOf(conversation), until: record.payload.data.until, actor: actorOf(eventsOf('snoozed')[0]?.actor) });
      break;
    case 'note.created': {
      const note = items.find((i): i is NoteItem => i.kind === 'note');
      if (note) add('note.created', { internal: true, conversation: conversationOf(conversation), note: noteOf(note) });
      break;
    }
  }

  // A reopen is its own row when done by hand, and rides inside `message.created` when a new
  // message reopened the conversation; either way the timeline event says why.
  const reopened = eventsOf('reopened')[0];
  if (reopened) {
    add('conversation.reopened', {
      conversation: conversationOf(conversation),
      reason: typeof reopened.data.reason === 'string' ? reopened.data.reason : 'manual',
      messageId: typeof reopened.data.messageId === 'string' ? reopened.data.messageId : null,
      actor: actorOf(reopened.actor),
    });
  }

  // A wake is its own row by time or by hand, and rides inside `message.created` when the customer wrote back.
  const woke = eventsOf('woke')[0];
  if (woke) {
    const reason = woke.data.reason === 'timer' || woke.data.reason === 'inbound_message' ? woke.data.reason : 'manual';
    add('conversation.woke', {
      conversation: conversationOf(conversation),
      reason,
      messageId: typeof woke.data.messageId === 'string' ? woke.data.messageId : null,
      actor: actorOf(woke.actor),
    });
  }

  // An assignment is its own row by hand or by rule, and rides inside `message.created` when the
  // reply of an agent took an unassigned conversation (the workspace's `assignOnReply`).
  const tookByReply = record.type === 'message.created' ? eventsOf('assigned')[0] : undefined;
  if (tookByReply && typeof tookByReply.data.to === 'string') {
    add('conversation.assigned', { conversation: conversationOf(conversation), from: null, to: tookByReply.data.to, actor: actorOf(tookByReply.actor) });
  }

  // Outbound messages (replies, or outreach that starts a conversation) are what the host delivers
  // to the customer. Inbound ones came from the host in the first place.
  if (record.type === 'message.created' || record.type === 'conversation.created') {
    const outbound = messages.find((m) => m.direction === 'outbound');
    if (outbound) add('message.created', { conversation: conversationOf(conversation), contact: contacts.get(conversation.contactId) ?? null, message: outbound });
  }
  return events;
}

/** Stable per (outbox row, type): the dedupe key of the deliveries and the `webhook-id` header. */
export const eventId = (outboxId: number, type: WebhookEventType) => `evt_${outboxId}_${type.replace('.', '_')}`;

const actorOf = (actor: Actor | undefined): Actor => (actor ? { type: actor.type, id: actor.id } : { type: 'system', id: null });

const messageOf = (m: MessageItem): MessageItem => ({
  id: m.id,
  conversationId: m.conversationId,
  seq: m.seq,
  createdAt: m.createdAt,
  kind: 'message',
  direction: m.direction,
  channel: m.channel,
  body: m.body,
  author: actorOf(m.author),
  internal: false,
});

const noteOf = (n: NoteItem): NoteItem => ({
  id: n.id,
  conversationId: n.conversationId,
  seq: n.seq,
  createdAt: n.createdAt,
  kind: 'note',
  body: n.body,
  mentions: [...n.mentions],
  author: actorOf(n.author),
  internal: true,
});

const conversationOf = (c: Conversation): Conversation => ({
  id: c.id,
  contactId: c.contactId,
  channel: c.channel,
  source: c.source,
  subject: c.subject,
  status: c.status,
  assigneeId: c.assigneeId,
  teamId: c.teamId,
  lastInboundSeq: c.lastInboundSeq,
  tags: [...c.tags],
  priority: c.priority,
  version: c.version,
  createdAt: c.createdAt,
  lastMessageAt: c.lastMessageAt,
  lastInboundAt: c.lastInboundAt,
  resolvedAt: c.resolvedAt,
  waitingSince: c.waitingSince,
  snoozedUntil: c.snoozedUntil,
  language: c.language,
  preview: c.preview,
  lastMessage: c.lastMessage && { direction: c.lastMessage.direction, author: actorOf(c.lastMessage.author), at: c.lastMessage.at },
});
