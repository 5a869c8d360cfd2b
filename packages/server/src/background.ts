import type { Deps } from './deps.js';
import { registerWebhooks } from './webhooks/register.js';
import { registerNotifications } from './notify/register.js';
import { workflowRunnerConsumer } from './services/workflow-runner.js';
import { timersConsumer } from './services/routing-timers.js';

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
  await deps.relay.register(deps.search.consumer((error) => console.error('[baton] full-text indexing failed; the next commit or search retries', error)));
  // Messages committed before a crash and not yet indexed: index them now rather than on the next message.
  await deps.search.catchUp();
}
