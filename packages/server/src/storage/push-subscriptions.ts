import type { Kysely } from 'kysely';
import type { Database, PushSubscriptionRow } from './schema.js';

// Web Push subscriptions: one row per (agent, endpoint); an endpoint is one browser profile.

type Q = Kysely<Database>;

export type SavedPushSubscription = Pick<PushSubscriptionRow, 'id' | 'endpoint' | 'created_at'>;

/**
 * Stores the subscription for the agent, or refreshes its keys when the agent already has that
 * endpoint. Another agent of the workspace holding the same endpoint (a shared computer) loses it.
 * A new endpoint beyond `maxPerAgent` is not stored (`limitReached`); refreshing one never counts
 * against the cap. Run it in one transaction (`Storage.write`) so the count and the insert agree.
 */
export async function savePushSubscription(
  trx: Q,
  row: PushSubscriptionRow,
  maxPerAgent: number,
): Promise<{ subscription: SavedPushSubscription } | { limitReached: true; count: number }> {
  const existing = await findPushSubscriptionByEndpoint(trx, row.agent_id, row.endpoint);
  if (!existing) {
    const count = await countPushSubscriptions(trx, row.workspace_id, row.agent_id);
    if (count >= maxPerAgent) return { limitReached: true, count };
  }
  await trx
    .deleteFrom('push_subscriptions')
    .where('workspace_id', '=', row.workspace_id)
    .where('endpoint', '=', row.endpoint)
    .where('agent_id', '!=', row.agent_id)
    .execute();
  await trx
    .insertInto('push_subscriptions')
    .values(row)
    .onConflict((oc) => oc.columns(['agent_id', 'endpoint']).doUpdateSet({ p256dh: row.p256dh, auth: row.auth }))
    .execute();
  const saved = await findPushSubscriptionByEndpoint(trx, row.agent_id, row.endpoint);
  if (!saved) throw new Error('push subscription vanished inside its own transaction');
  return { subscription: saved };
}

const findPushSubscriptionByEndpoint = (db: Q, agentId: string, endpoint: string) =>
  db.selectFrom('push_subscriptions').select(['id', 'endpoint', 'created_at']).where('agent_id', '=', agentId).where('endpoint', '=', endpoint).executeTakeFirst();

export async function countPushSubscriptions(db: Q, workspaceId: string, agentId: string): Promise<number> {
  const row = await db
    .selectFrom('push_subscriptions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('agent_id', '=', agentId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Returns whether the agent had that endpoint. */
export async function deletePushSubscription(db: Q, workspaceId: string, agentId: string, endpoint: string): Promise<boolean> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('workspace_id', '=', workspaceId)
    .where('agent_id', '=', agentId)
    .where('endpoint', '=', endpoint)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The push service said the subscription is gone (404/410). */
export const deletePushSubscriptionById = (db: Q, workspaceId: string, id: string) =>
  db.deleteFrom('push_subscriptions').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();

export const listPushSubscriptions = (db: Q, workspaceId: string, agentId: string) =>
  db.selectFrom('push_subscriptions').selectAll().where('workspace_id', '=', workspaceId).where('agent_id', '=', agentId).orderBy('created_at').orderBy('id').execute();

export const findPushSubscription = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('push_subscriptions').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
