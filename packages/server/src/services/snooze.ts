import { MAX_SNOOZE_MS, type Actor, type Conversation } from '@baton/protocol';
import type { WorkspacePrincipal } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { AppError, badRequest } from '../errors.js';
import type { Change } from '../storage/change.js';
import { findConversation } from '../storage/conversations.js';
import { toConversation } from '../storage/mappers.js';
import type { ConversationRow } from '../storage/schema.js';
import { runBackgroundChange, runChange } from './change-runner.js';
import { lockConversation, save, wakeFor } from './conversations.js';

/**
 * Snooze (DESIGN §3, §5): a conversation leaves the open views (Mine, Unassigned, Mentioned,
 * Unread, All) for Snoozed until a time, and wakes then (the waker, below), when the customer
 * writes (services/conversations.ts `postMessage`) or when someone snoozes it with `until: null`.
 * Resolving a snoozed conversation resolves it (and ends the snooze); a reply leaves it snoozed.
 */

/** `save` of the conversation commands, answered as the protocol's conversation. */
const saveConversation = async (change: Change, row: ConversationRow, patch: Partial<ConversationRow>): Promise<Conversation> =>
  toConversation(await save(change, row, patch));

/** `until` must be in the future and at most `MAX_SNOOZE_MS` ahead of `now`: 400 on `until` otherwise. */
export function checkSnoozeTime(at: number, now: number): void {
  if (at <= now) throw badRequest('until must be in the future', [{ path: ['until'], message: 'must be in the future' }]);
  if (at > now + MAX_SNOOZE_MS) throw badRequest('until must be within a year', [{ path: ['until'], message: 'at most a year ahead' }]);
}

export async function snooze(deps: Deps, p: WorkspacePrincipal, id: string, until: string | null, ifMatch: number | undefined): Promise<Conversation> {
  const actor = actorOf(p);
  return runChange(deps, p.workspaceId, async (change) => {
    const row = await lockConversation(change, id, ifMatch);
    if (until === null) {
      if (row.status !== 'snoozed') return toConversation(row); // not snoozed: nothing to wake
      const conversation = await saveConversation(change, row, await wakeFor(change, row, actor, 'manual', {}));
      await change.publish('conversation.woke', { conversation, data: { reason: 'manual' } });
      return conversation;
    }
    const at = Date.parse(until);
    checkSnoozeTime(at, change.now);
    if (row.status === 'resolved') throw new AppError(409, 'conflict', 'a resolved conversation cannot be snoozed; reopen it first', { conversation: toConversation(row) });
    if (row.status === 'snoozed' && Number(row.snoozed_until) === at) return toConversation(row); // already so
    const from = row.snoozed_until === null ? null : new Date(Number(row.snoozed_until)).toISOString();
    const to = new Date(at).toISOString();
    await change.append(id, { kind: 'event', type: 'snoozed', actor, data: { from, until: to } });
    const conversation = await saveConversation(change, row, { status: 'snoozed', snoozed_until: at });
    await change.publish('conversation.snoozed', { conversation, data: { until: to } });
    return conversation;
  });
}

/** Wakes one conversation if it is still snoozed and due at `now`; null when there was nothing to do. */
export async function wakeIfDue(deps: Deps, workspaceId: string, id: string, now: number): Promise<Conversation | null> {
  const system: Actor = { type: 'system', id: null };
  return runBackgroundChange(deps, workspaceId, async (change) => {
    await change.lock();
    const row = await findConversation(change.trx, workspaceId, id);
    // Woken, resolved or snoozed again for later since it was found due.
    if (!row || row.status !== 'snoozed' || row.snoozed_until === null || Number(row.snoozed_until) > now) return null;
    const conversation = await saveConversation(change, row, await wakeFor(change, row, system, 'timer', {}));
    await change.publish('conversation.woke', { conversation, data: { reason: 'timer' } });
    return conversation;
  });
}
