import type { Deps } from '../deps.js';
import { WEBHOOK_JOB_KIND } from '../storage/webhooks.js';
import { webhookConsumer } from './consumer.js';
import { webhookDeliveryHandler } from './delivery.js';

/** Webhooks run from the outbox: a durable consumer enqueues deliveries, the job runner sends them. */
export async function registerWebhooks(deps: Deps): Promise<void> {
  deps.jobs.register(WEBHOOK_JOB_KIND, webhookDeliveryHandler(deps));
  await deps.relay.register(webhookConsumer(deps));
}
