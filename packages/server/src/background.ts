import type { Deps } from './deps.js';
import { registerWebhooks } from './webhooks/register.js';
import { registerNotifications } from './notify/register.js';

/**
 * Registers the durable outbox consumers and job handlers of every feature that acts after
 * commit (notifications by email and push, webhooks). Called once at start, before the relay runs.
 */
export async function registerBackgroundWork(deps: Deps): Promise<void> {
  await registerNotifications(deps);
  await registerWebhooks(deps);
}
