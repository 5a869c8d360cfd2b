import type { Deps } from '../deps.js';
import { exponentialBackoff, type AttemptResult, type JobHandler } from '../jobs/queue.js';
import { findWebhook } from '../storage/webhooks.js';
import type { DeliveryPayload } from './consumer.js';
import { signedHeaders } from './signing.js';

export interface DeliveryOptions {
  /** Per attempt; a receiver that does not answer in time is retried like one that failed. */
  timeoutMs?: number;
  /** Delay before attempt `attempts + 1`, or null to give up. */
  retryDelayMs?: (attempts: number) => number | null;
  fetch?: typeof fetch;
}

export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Sends one event to one endpoint: a signed POST, where any 2xx is success and anything else (an
 * error status, a redirect, a refused connection, a timeout) is retried with backoff until the
 * schedule runs out. The runner logs every attempt.
 */
export function webhookDeliveryHandler(deps: Deps, options: DeliveryOptions = {}): JobHandler {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  return {
    retryDelayMs: options.retryDelayMs ?? ((attempts) => exponentialBackoff(attempts)),
    async run(job): Promise<AttemptResult> {
      const payload = job.payload as DeliveryPayload;
      const hook = await findWebhook(deps.storage.db, job.workspaceId, job.target);
      // Deleted since the job was queued: nothing is sent, and retrying cannot change that.
      if (!hook) return { ok: false, permanent: true, error: 'webhook deleted; not sent' };
      const timestamp = Math.floor(deps.clock.now() / 1000);
      let response: Response;
      try {
        response = await doFetch(hook.url, {
          method: 'POST',
          headers: { ...signedHeaders(hook.secret, payload.eventId, timestamp, payload.body), 'user-agent': `Baton-Webhooks/${deps.config.version}` },
          body: payload.body,
          // A redirect is not a delivery; following one could also send the body somewhere unintended.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        return { ok: false, error: describe(error, timeoutMs) };
      }
      // The receiver's answer is not used; release the connection without reading it all.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status };
      return { ok: false, statusCode: response.status, error: `receiver answered ${response.status}` };
    },
  };
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no response within ${timeoutMs} ms`;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${(cause as { code?: string }).code ?? cause.message}` : '';
    return `${error.message}${detail}`;
  }
  return String(error);
}
