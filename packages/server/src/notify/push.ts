import type { PushPayload, PushSubscriptionBody } from '@baton/protocol';
import webpush from 'web-push';
import type { Deps } from '../deps.js';
import { badRequest } from '../errors.js';
import { newId } from '../ids.js';
import { exponentialBackoff, type Job, type JobHandler } from '../jobs/queue.js';
import { iso } from '../storage/mappers.js';
import { composeNotification, type NotificationJobPayload } from './content.js';
import { vapidKeys, vapidSubject } from './vapid.js';

export const PUSH_JOB = 'push';
/** How long a push service may hold a message for an offline device. */
const PUSH_TTL_SECONDS = 24 * 3600;
const PUSH_TIMEOUT_MS = 10_000;

const decodedLength = (b64url: string) => Buffer.from(b64url, 'base64url').length;

/**
 * Stores a browser's subscription for the calling agent, one per (agent, endpoint); registering
 * again refreshes the keys. An endpoint is one browser profile, so if another agent of the workspace
 * had it (a shared computer), it is theirs no longer and they stop getting pushes there.
 */
export async function savePushSubscription(deps: Deps, workspaceId: string, agentId: string, body: PushSubscriptionBody) {
  const p256dh = Buffer.from(body.keys.p256dh, 'base64url');
  if (p256dh.length !== 65 || p256dh[0] !== 0x04) {
    throw badRequest('keys.p256dh must be an uncompressed P-256 public key', [{ path: ['keys', 'p256dh'], message: 'not a P-256 public key' }]);
  }
  if (decodedLength(body.keys.auth) !== 16) {
    throw badRequest('keys.auth must be 16 bytes', [{ path: ['keys', 'auth'], message: 'not 16 bytes' }]);
  }
  const now = deps.clock.now();
  return deps.storage.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('push_subscriptions')
      .where('workspace_id', '=', workspaceId)
      .where('endpoint', '=', body.endpoint)
      .where('agent_id', '!=', agentId)
      .execute();
    await trx
      .insertInto('push_subscriptions')
      .values({ id: newId('psub', now), workspace_id: workspaceId, agent_id: agentId, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth, created_at: now })
      .onConflict((oc) => oc.columns(['agent_id', 'endpoint']).doUpdateSet({ p256dh: body.keys.p256dh, auth: body.keys.auth }))
      .execute();
    const row = await trx
      .selectFrom('push_subscriptions')
      .select(['id', 'endpoint', 'created_at'])
      .where('agent_id', '=', agentId)
      .where('endpoint', '=', body.endpoint)
      .executeTakeFirstOrThrow();
    return { id: row.id, endpoint: row.endpoint, createdAt: iso(row.created_at) };
  });
}

export async function deletePushSubscription(deps: Deps, workspaceId: string, agentId: string, endpoint: string): Promise<boolean> {
  const result = await deps.storage.db
    .deleteFrom('push_subscriptions')
    .where('workspace_id', '=', workspaceId)
    .where('agent_id', '=', agentId)
    .where('endpoint', '=', endpoint)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export const listPushSubscriptions = (deps: Deps, workspaceId: string, agentId: string) =>
  deps.storage.db.selectFrom('push_subscriptions').selectAll().where('workspace_id', '=', workspaceId).where('agent_id', '=', agentId).orderBy('created_at').orderBy('id').execute();

/**
 * Delivers one notification to one subscription over the Web Push protocol: payload encrypted
 * per RFC 8291 (aes128gcm) and a VAPID JWT, both by the `web-push` library. The request itself is
 * sent with fetch rather than `sendNotification`, which only speaks https through node's https
 * module (so a plain-http push service, like the one tests run, could not be reached).
 * 404/410 mean the browser dropped the subscription: it is deleted and the job ends.
 */
export function pushHandler(deps: Deps): JobHandler {
  return {
    async run(job: Job) {
      const payload = job.payload as NotificationJobPayload;
      const sub = await deps.storage.db
        .selectFrom('push_subscriptions')
        .selectAll()
        .where('workspace_id', '=', job.workspaceId)
        .where('id', '=', payload.subscriptionId ?? '')
        .executeTakeFirst();
      if (!sub) return { ok: false, permanent: true, error: 'the push subscription no longer exists' };
      const content = await composeNotification(deps, job.workspaceId, payload);
      const message: PushPayload = {
        type: content.type,
        title: content.title,
        body: content.snippet ?? (content.channel ? `Conversation on ${content.channel}` : 'Open Baton to see it'),
        conversationId: content.conversationId,
        url: content.link,
      };
      const keys = await vapidKeys(deps);
      const request = webpush.generateRequestDetails(
        { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
        JSON.stringify(message),
        {
          vapidDetails: { subject: vapidSubject(deps), publicKey: keys.publicKey, privateKey: keys.privateKey },
          contentEncoding: 'aes128gcm',
          TTL: PUSH_TTL_SECONDS,
          urgency: 'high',
        },
      );
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
      let res: Response;
      try {
        res = await fetch(request.endpoint, {
          method: request.method,
          headers,
          body: request.body ? new Uint8Array(request.body) : null,
          signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
          redirect: 'manual',
        });
      } catch (error) {
        return { ok: false, error: `push service unreachable: ${error instanceof Error ? error.message : String(error)}` };
      }
      const detail = (await res.text().catch(() => '')).slice(0, 200);
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status };
      if (res.status === 404 || res.status === 410) {
        await deps.storage.db.deleteFrom('push_subscriptions').where('id', '=', sub.id).execute();
        return { ok: false, permanent: true, statusCode: res.status, error: `subscription gone (${res.status}); deleted` };
      }
      return { ok: false, statusCode: res.status, error: `push service answered ${res.status}${detail ? `: ${detail}` : ''}` };
    },
    retryDelayMs: (attempts) => exponentialBackoff(attempts),
  };
}
