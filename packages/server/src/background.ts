import type { Deps } from './deps.js';
import { registerWebhooks } from './webhooks/register.js';
import { registerNotifications } from './notify/register.js';
import { NOTIFIER } from './notify/notifier.js';
import { WORKFLOWS_CONSUMER, workflowRunnerConsumer } from './services/workflow-runner.js';
import { TIMERS_CONSUMER, timersConsumer } from './services/routing-timers.js';
import { WEBHOOKS_CONSUMER } from './webhooks/consumer.js';
import { logFailure } from './failure-log.js';

/** The durable outbox consumers this build runs (`baton consumers retire` refuses them). */
export const BUILT_IN_DURABLE_CONSUMERS: readonly string[] = [NOTIFIER, WEBHOOKS_CONSUMER, WORKFLOWS_CONSUMER, TIMERS_CONSUMER];

/**
 * Registers the outbox consumers and job handlers of every feature that acts after commit
 * (notifications by email and push, webhooks, full-text indexing). Called once at start, before
 * the relay runs.
 */
export async function registerBackgroundWork(deps: Deps): Promise<void> {
  await registerNotifications(deps);
  await registerWebhooks(deps);
  await deps.relay.register(workflowRunnerConsumer(deps));
  await deps.relay.register(timersConsumer(deps));
  await deps.relay.register(deps.search.consumer((error) => logFailure('full-text indexing (the next commit or search retries)', error)));
  // Messages committed before a crash and not yet indexed: index them now rather than on the next message.
  await deps.search.catchUp();
}
