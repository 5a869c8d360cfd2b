import type { PushPayload, PushSubscriptionBody } from '@baton/protocol';
import webpush from 'web-push';
import type { Deps } from '../deps.js';
import { badRequest, destinationNotAllowed, limitReached } from '../errors.js';
import { newId } from '../ids.js';
import { exponentialBackoff, type Job, type JobHandler } from '../jobs/queue.js';
import { DestinationRefusedError, refusedMessage, urlRefusal } from '../net/destinations.js';
import { describeNetworkError } from '../net/outbound.js';
import { runCommand } from '../services/change-runner.js';
import { iso } from '../storage/mappers.js';
import {
  deletePushSubscription as deleteSubscriptionRow,
  deletePushSubscriptionById,
  findPushSubscription,
  savePushSubscription as saveSubscriptionRow,
} from '../storage/push-subscriptions.js';
import { composeNotification, type NotificationJobPayload } from './content.js';
import { stillDue } from './still-due.js';
import { vapidKeys, vapidSubject } from './vapid.js';

export const PUSH_JOB = 'push';
/** How long a push service may hold a message for an offline device. */
const PUSH_TTL_SECONDS = 24 * 3600;
/** Of an error answer, enough to say what went wrong; the rest is never read. */
const PUSH_ERROR_BODY_BYTES = 4096;

const decodedLength = (b64url: string) => Buffer.from(b64url, 'base64url').length;

/** A push service is one destination per origin (all of a browser vendor's endpoints share it). */
export const pushDestination = (endpoint: string) => `push:${new URL(endpoint).origin}`;

/**
 * Stores a browser's subscription for the calling agent, one per (agent, endpoint); registering
 * again refreshes the keys. An endpoint is one browser profile, so if another agent of the workspace
 * had it (a shared computer), it is theirs no longer and they stop getting pushes there. An agent
 * has at most `limits.pushSubscriptionsPerAgent` (409 past it; refreshing one is always fine), and
 * the endpoint must be an allowed destination (net/destinations.ts).
 */
export async function savePushSubscription(deps: Deps, workspaceId: string, agentId: string, body: PushSubscriptionBody) {
  const p256dh = Buffer.from(body.keys.p256dh, 'base64url');
  if (p256dh.length !== 65 || p256dh[0] !== 0x04) {
    throw badRequest('keys.p256dh must be an uncompressed P-256 public key', [{ path: ['keys', 'p256dh'], message: 'not a P-256 public key' }]);
  }
  if (decodedLength(body.keys.auth) !== 16) {
    throw badRequest('keys.auth must be 16 bytes', [{ path: ['keys', 'auth'], message: 'not 16 bytes' }]);
  }
  const refused = urlRefusal(deps.config.destinations, body.endpoint);
  if (refused) throw destinationNotAllowed(refusedMessage('endpoint', refused), [{ path: ['endpoint'], message: refused }]);
  const now = deps.clock.now();
  const limit = deps.config.limits.pushSubscriptionsPerAgent;
  const row = { id: newId('psub', now), workspace_id: workspaceId, agent_id: agentId, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth, created_at: now };
  return runCommand(deps, async (trx) => {
    const saved = await saveSubscriptionRow(trx, row, limit);
    if ('limitReached' in saved) {
      throw limitReached(`an agent may have at most ${limit} push subscriptions; remove one (DELETE /v1/push-subscriptions) before adding another`, { limit });
    }
    const { subscription } = saved;
    return { id: subscription.id, endpoint: subscription.endpoint, createdAt: iso(subscription.created_at) };
  });
}

/** Returns whether the agent had that endpoint. */
export const deletePushSubscription = (deps: Deps, workspaceId: string, agentId: string, endpoint: string): Promise<boolean> =>
  runCommand(deps, (trx) => deleteSubscriptionRow(trx, workspaceId, agentId, endpoint));

/**
 * Delivers one notification to one subscription over the Web Push protocol: payload encrypted
 * per RFC 8291 (aes128gcm) and a VAPID JWT, both by the `web-push` library. The request itself goes
 * through the outbound client (net/outbound.ts), not `sendNotification`: that checks the
 * destination on the address it connects to, reads at most 4 KB of an error answer, and speaks
 * plain http too (the loopback push service the tests run).
 * 404/410 mean the browser dropped the subscription: it is deleted and the job ends.
 */
export function pushHandler(deps: Deps): JobHandler {
  return {
    timeoutMs: deps.config.deliveryTimeoutMs.push,
    async run(job: Job, signal: AbortSignal) {
      const payload = job.payload as NotificationJobPayload;
      const sub = await findPushSubscription(deps.storage.db, job.workspaceId, payload.subscriptionId ?? '');
      if (!sub) return { ok: false, permanent: true, error: 'the push subscription no longer exists' };
      const due = await stillDue(deps, job.workspaceId, payload);
      if ('stale' in due) return { ok: false, skipped: true, error: due.stale };
      const content = await composeNotification(deps, job.workspaceId, payload);
      const message: PushPayload = {
        type: content.type,
        title: content.title,
        body: content.snippet ?? (content.channel ? `Conversation on ${content.channel}` : 'Open Baton to see it'),
        conversationId: content.conversationId,
        url: content.link,
      };
      const keys = await vapidKeys(deps);
      let request: ReturnType<typeof webpush.generateRequestDetails>;
      try {
        request = webpush.generateRequestDetails(
          { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
          JSON.stringify(message),
          {
            vapidDetails: { subject: vapidSubject(deps), publicKey: keys.publicKey, privateKey: keys.privateKey },
            contentEncoding: 'aes128gcm',
            TTL: PUSH_TTL_SECONDS,
            urgency: 'high',
          },
        );
      } catch (error) {
        // The subscription's keys cannot be encrypted to (not a point on P-256): no retry fixes that.
        return { ok: false, permanent: true, error: `cannot encrypt for this subscription: ${error instanceof Error ? error.message : String(error)}` };
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
      let res: { status: number; body: Buffer };
      try {
        res = await deps.outbound.send({
          url: request.endpoint,
          method: 'POST',
          headers,
          body: request.body ? new Uint8Array(request.body) : new Uint8Array(0),
          signal,
          maxBodyBytes: PUSH_ERROR_BODY_BYTES,
        });
      } catch (error) {
        if (error instanceof DestinationRefusedError) return { ok: false, permanent: true, error: error.message };
        return { ok: false, error: `push service unreachable: ${describeNetworkError(error)}` };
      }
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status };
      if (res.status === 404 || res.status === 410) {
        await deletePushSubscriptionById(deps.storage.db, job.workspaceId, sub.id);
        return { ok: false, permanent: true, statusCode: res.status, error: `subscription gone (${res.status}); deleted` };
      }
      const detail = res.body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
      return { ok: false, statusCode: res.status, error: `push service answered ${res.status}${detail ? `: ${detail}` : ''}` };
    },
    retryDelayMs: (attempts) => exponentialBackoff(attempts),
  };
}
