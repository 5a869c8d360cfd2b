import type { Deps } from '../deps.js';
import { exponentialBackoff, type AttemptResult, type JobHandler } from '../jobs/queue.js';
import { DestinationRefusedError } from '../net/destinations.js';
import { describeNetworkError } from '../net/outbound.js';
import { findWebhook } from '../storage/webhooks.js';
import type { DeliveryPayload } from './consumer.js';
import { signedHeaders } from './signing.js';

export interface DeliveryOptions {
  /** Delay before attempt `attempts + 1`, or null to give up. */
  retryDelayMs?: (attempts: number) => number | null;
}

/**
 * Sends one event to one endpoint: a signed POST, where any 2xx is success and anything else (an
 * error status, a redirect, a refused connection, a timeout) is retried with backoff until the
 * schedule runs out. The receiver's body is never read: the connection is closed once the status
 * line is in. A destination the server may not reach (net/destinations.ts) fails for good, without
 * connecting. The runner times the attempt out and logs it.
 */
export function webhookDeliveryHandler(deps: Deps, options: DeliveryOptions = {}): JobHandler {
  return {
    timeoutMs: deps.config.deliveryTimeoutMs.webhook,
    retryDelayMs: options.retryDelayMs ?? ((attempts) => exponentialBackoff(attempts)),
    async run(job, signal): Promise<AttemptResult> {
      const payload = job.payload as DeliveryPayload;
      const hook = await findWebhook(deps.storage.db, job.workspaceId, job.target);
      // Deleted since the job was queued: nothing is sent, and retrying cannot change that.
      if (!hook) return { ok: false, permanent: true, error: 'webhook deleted; not sent' };
      const timestamp = Math.floor(deps.clock.now() / 1000);
      let status: number;
      try {
        ({ status } = await deps.outbound.send({
          url: hook.url,
          method: 'POST',
          headers: { ...signedHeaders(hook.secret, payload.eventId, timestamp, payload.body), 'user-agent': `Baton-Webhooks/${deps.config.version}` },
          body: payload.body,
          signal,
          // The answer is its status; a body of any size stays unread.
          maxBodyBytes: 0,
        }));
      } catch (error) {
        if (error instanceof DestinationRefusedError) return { ok: false, permanent: true, error: error.message };
        return { ok: false, error: describeNetworkError(error) };
      }
      // Redirects are not followed: a redirect is not a delivery, and could send the body somewhere unintended.
      if (status >= 200 && status < 300) return { ok: true, statusCode: status };
      return { ok: false, statusCode: status, error: `receiver answered ${status}` };
    },
  };
}
