import type { Deps } from './deps.js';

/**
 * Registers the durable outbox consumers and job handlers of every feature that acts after
 * commit (notifications by email and push, webhooks). Called once at start, before the relay runs.
 */
export async function registerBackgroundWork(deps: Deps): Promise<void> {
  void deps;
}
