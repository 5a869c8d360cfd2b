import type { Contact, WebhookEventType } from '@baton/protocol';
import type { Deps } from '../deps.js';
import type { OutboxRecord } from '../outbox/changes.js';
import type { OutboxConsumer } from '../outbox/relay.js';
import { findContactsByIds } from '../storage/contacts.js';
import { toContact } from '../storage/mappers.js';
import { enqueueJobs, type NewJob } from '../storage/jobs.js';
import { liveWebhooksOf, WEBHOOK_JOB_KIND, webhookDestination } from '../storage/webhooks.js';
import { webhookEventsFor } from './events.js';

/** What a delivery job carries: the body is serialized once, so every attempt sends the same bytes. */
export interface DeliveryPayload {
  eventId: string;
  type: WebhookEventType;
  body: string;
}

/** The webhook consumer's name: its stored place in the outbox (`consumer_offsets`). */
export const WEBHOOKS_CONSUMER = 'webhooks';

/**
 * The durable outbox consumer that turns committed changes into one delivery job per subscribed
 * endpoint. The relay hands it each row at least once (a crash before it saves its place replays
 * the batch); the job's dedupe key, derived from the event id, makes the replay a no-op.
 */
export function webhookConsumer(deps: Deps): OutboxConsumer {
  return {
    name: WEBHOOKS_CONSUMER,
    durable: true,
    async handle(records) {
      // Endpoints first: most batches belong to workspaces without any, and then no event is built.
      const hooks = await liveWebhooksOf(deps.storage.db, [...new Set(records.map((r) => r.workspaceId))]);
      if (hooks.length === 0) return;
      const hooked = new Set(hooks.map((h) => h.workspace_id));
      const mine = records.filter((r) => hooked.has(r.workspaceId));
      const delivering = new Set(hooks.filter((h) => (JSON.parse(h.events) as string[]).includes('message.created')).map((h) => h.workspace_id));
      const contacts = await recipientsOf(deps, mine.filter((r) => delivering.has(r.workspaceId)));
      const events = mine.flatMap((record) => webhookEventsFor(record, contacts).map((event) => ({ record, event })));
      if (events.length === 0) return;
      const jobs: NewJob[] = [];
      for (const { record, event } of events) {
        for (const hook of hooks) {
          if (hook.workspace_id !== record.workspaceId) continue;
          // A change committed before the endpoint existed is not its business (the relay may lag).
          if (Number(hook.created_at) > record.createdAt) continue;
          if (!(JSON.parse(hook.events) as string[]).includes(event.type)) continue;
          const payload: DeliveryPayload = { eventId: event.id, type: event.type, body: JSON.stringify(event) };
          jobs.push({
            workspaceId: record.workspaceId,
            kind: WEBHOOK_JOB_KIND,
            target: hook.id,
            destination: webhookDestination(hook.id),
            dedupeKey: `${WEBHOOK_JOB_KIND}:${hook.id}:${event.id}`,
            payload,
          });
        }
      }
      if (jobs.length === 0) return;
      const now = deps.clock.now();
      // Awaited: the relay pumps each consumer on its own, so this wait holds only the webhooks.
      const added = await deps.storage.write((trx) => enqueueJobs(trx, jobs, now), 'background');
      if (added > 0) deps.jobs.kick();
    },
  };
}

/**
 * The contacts of the changes that carry an outbound message (`message.created`'s recipient), read
 * in one query and kept only within their own workspace. Inbound messages, the usual create, need none.
 */
async function recipientsOf(deps: Deps, records: readonly OutboxRecord[]): Promise<Map<string, Contact>> {
  const wanted = new Map<string, string>();
  for (const r of records) {
    const c = r.payload.conversation;
    const outbound = r.payload.items.some((i) => i.kind === 'message' && i.direction === 'outbound');
    if (c && outbound && (r.type === 'message.created' || r.type === 'conversation.created')) wanted.set(c.contactId, r.workspaceId);
  }
  const rows = await findContactsByIds(deps.storage.db, [...wanted.keys()]);
  return new Map(rows.filter((row) => wanted.get(row.id) === row.workspace_id).map((row) => [row.id, toContact(row)]));
}
