import type { Kysely, Selectable } from 'kysely';
import { prepared } from './prepared.js';
import type { Database, JobAttemptRow, JobRow, WebhookRow } from './schema.js';

type Q = Kysely<Database>;

/** The job kind of a webhook delivery; its `target` is the webhook id. */
export const WEBHOOK_JOB_KIND = 'webhook';

/** Each endpoint is its own destination: its own in-flight cap and circuit breaker. */
export const webhookDestination = (webhookId: string) => `webhook:${webhookId}`;

/**
 * Inserts the endpoint unless the workspace already has `max` live ones; returns whether it did.
 * Run it in one transaction (`Storage.write`) so two creations cannot both take the last place.
 */
export async function insertWebhookWithin(db: Q, row: WebhookRow, max: number): Promise<boolean> {
  const live = await db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', row.workspace_id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (Number(live?.n ?? 0) >= max) return false;
  await db.insertInto('webhooks').values(row).execute();
  return true;
}

export async function findWebhook(db: Q, workspaceId: string, id: string, options: { includeDeleted?: boolean } = {}) {
  let q = db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (!options.includeDeleted) q = q.where('deleted_at', 'is', null);
  return q.executeTakeFirst();
}

export const listWebhooks = (db: Q, workspaceId: string) =>
  db
    .selectFrom('webhooks')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

const selectLiveWebhooksOfOne = prepared<{ workspaceId: string }, WebhookRow>(['workspaceId'], (db, a) =>
  db.selectFrom('webhooks').selectAll().where('workspace_id', '=', a.workspaceId).where('deleted_at', 'is', null).orderBy('id'),
);

/**
 * Live endpoints of several workspaces at once: one query per relay batch, not one per row. Most
 * batches hold one workspace, whose query is prepared (building it was ~1% of a create's CPU).
 */
export async function liveWebhooksOf(db: Q, workspaceIds: string[]): Promise<WebhookRow[]> {
  if (workspaceIds.length === 0) return [];
  if (workspaceIds.length === 1) return (await selectLiveWebhooksOfOne(db, { workspaceId: workspaceIds[0]! })).rows;
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('workspace_id', 'in', workspaceIds)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
}

/**
 * Soft-deletes the endpoint and skips its pending deliveries, so nothing is sent to it afterwards.
 * Returns false if there was no live endpoint with that id. Run it in one transaction (a unit of
 * work, `Storage.write`) so the two happen together.
 */
export async function deleteWebhook(trx: Q, workspaceId: string, id: string, now: number): Promise<boolean> {
  const result = await trx
    .updateTable('webhooks')
    .set({ deleted_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await trx
    .updateTable('jobs')
    .set({ status: 'skipped', last_error: 'webhook deleted', finished_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', WEBHOOK_JOB_KIND)
    .where('target', '=', id)
    .where('status', '=', 'pending')
    .execute();
  return true;
}

/** A page of an endpoint's deliveries, newest first, each with its attempts in order. */
export async function listDeliveries(
  db: Q,
  workspaceId: string,
  webhookId: string,
  options: { limit: number; beforeId?: number; status?: JobRow['status'] },
): Promise<{ jobs: Selectable<JobRow>[]; attempts: Map<number, JobAttemptRow[]>; hasMore: boolean }> {
  let q = db
    .selectFrom('jobs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', WEBHOOK_JOB_KIND)
    .where('target', '=', webhookId);
  if (options.beforeId !== undefined) q = q.where('id', '<', options.beforeId);
  if (options.status) q = q.where('status', '=', options.status);
  const rows = await q.orderBy('id', 'desc').limit(options.limit + 1).execute();
  const jobs = rows.slice(0, options.limit);
  const attempts = new Map<number, JobAttemptRow[]>();
  if (jobs.length > 0) {
    const attemptRows = await db
      .selectFrom('job_attempts')
      .selectAll()
      .where(
        'job_id',
        'in',
        jobs.map((j) => Number(j.id)),
      )
      .orderBy('job_id')
      .orderBy('attempt')
      .execute();
    for (const a of attemptRows) {
      const list = attempts.get(Number(a.job_id)) ?? [];
      list.push(a);
      attempts.set(Number(a.job_id), list);
    }
  }
  return { jobs, attempts, hasMore: rows.length > options.limit };
}
