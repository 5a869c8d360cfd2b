import type { Deps } from '../deps.js';
import { toNotification } from '../storage/mappers.js';
import { listNotificationRows, markNotificationsRead, unreadNotificationCount } from '../storage/notifications.js';
import { runCommand } from './change-runner.js';

export async function listNotifications(deps: Deps, workspaceId: string, agentId: string, limit: number, unreadOnly: boolean) {
  const [rows, unread] = await Promise.all([
    listNotificationRows(deps.storage.db, workspaceId, agentId, limit, unreadOnly),
    unreadNotificationCount(deps.storage.db, workspaceId, agentId),
  ]);
  return { items: rows.map(toNotification), unread };
}

/** Marks the caller's own notifications read; ids of others' notifications are ignored, not errors. */
export async function readNotifications(deps: Deps, workspaceId: string, agentId: string, ids: string[] | 'all') {
  return runCommand(deps, async (trx) => {
    await markNotificationsRead(trx, workspaceId, agentId, ids, deps.clock.now());
    return { unread: await unreadNotificationCount(trx, workspaceId, agentId) };
  });
}
