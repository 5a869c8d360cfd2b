import type { Deps } from '../deps.js';
import { emailHandler, EMAIL_JOB } from './email.js';
import { notifierConsumer } from './notifier.js';
import { pushHandler, PUSH_JOB } from './push.js';

/** Email and push notifications: the outbox consumer that decides, and the job handlers that send. */
export async function registerNotifications(deps: Deps): Promise<void> {
  deps.jobs.register(EMAIL_JOB, emailHandler(deps));
  deps.jobs.register(PUSH_JOB, pushHandler(deps));
  await deps.relay.register(notifierConsumer(deps, { coalesceMs: deps.config.notifyCoalesceMs }));
}
