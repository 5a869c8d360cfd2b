import type { Deps } from '../deps.js';
import { findAgent } from '../storage/agents.js';
import { toNotification } from '../storage/mappers.js';
import { listNotificationRows, markNotificationsRead, unreadNotificationCount } from '../storage/notifications.js';
import { runCommand } from './change-runner.js';
import { mentionExcerpt } from './mentions.js';

export async function listNotifications(deps: Deps, workspaceId: string, agentId: string, limit: number, unreadOnly: boolean) {
  const [rows, unread, reader] = await Promise.all([
    listNotificationRows(deps.storage.db, workspaceId, agentId, limit, unreadOnly),
    unreadNotificationCount(deps.storage.db, workspaceId, agentId),
    findAgent(deps.storage.db, workspaceId, agentId),
  ]);
  // A mention's excerpt is cut around the reader's own @username, as it was when it was sent (postNote).
  const noteOf = (r: (typeof rows)[number]) =>
    r.note_id !== null && r.note_body !== null ? { id: r.note_id, excerpt: mentionExcerpt(r.note_body, reader?.username ?? '') } : undefined;
  return { items: rows.map((r) => toNotification(r, noteOf(r))), unread };
}

/** Marks the caller's own notifications read; ids of others' notifications are ignored, not errors. */
export async function readNotifications(deps: Deps, workspaceId: string, agentId: string, ids: string[] | 'all') {
  return runCommand(deps, async (trx) => {
    await markNotificationsRead(trx, workspaceId, agentId, ids, deps.clock.now());
    return { unread: await unreadNotificationCount(trx, workspaceId, agentId) };
  });
}
