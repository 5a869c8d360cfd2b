import type { Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { ConversationTimerRow, Database } from './schema.js';

// The `*_for` timers' rows (migration 0023; services/routing-timers.ts).

type Q = Kysely<Database>;

export type TimerKind = 'unassigned' | 'unanswered';

export async function timersOf(db: Q, workspaceId: string, conversationIds: readonly string[]): Promise<ConversationTimerRow[]> {
  if (conversationIds.length === 0) return [];
  return db.selectFrom('conversation_timers').selectAll().where('workspace_id', '=', workspaceId).where('conversation_id', 'in', conversationIds).execute();
}

export const findTimer = (db: Q, workspaceId: string, conversationId: string) =>
  db.selectFrom('conversation_timers').selectAll().where('workspace_id', '=', workspaceId).where('conversation_id', '=', conversationId).executeTakeFirst();

const TIMER_VALUES = [
  'assignee_id',
  'unassigned_since',
  'unassigned_fired',
  'unassigned_due_at',
  'awaiting_since',
  'assigned_since',
  'unanswered_since',
  'unanswered_fired',
  'unanswered_due_at',
  'seen_outbox_id',
] as const satisfies readonly (keyof ConversationTimerRow)[];

/**
 * Insert or replace a timer row, prepared once: the consumer writes one for most changes it sees,
 * and building and compiling this upsert anew each time was most of its cost (docs/benchmarks.md).
 * The update takes the new values from `excluded`, so each one is a parameter only once.
 */
const upsertTimer = prepared<ConversationTimerRow>(['workspace_id', 'conversation_id', ...TIMER_VALUES], (db, row) =>
  db
    .insertInto('conversation_timers')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'conversation_id']).doUpdateSet((eb) => Object.fromEntries(TIMER_VALUES.map((c) => [c, eb.ref(`excluded.${c}`)]))),
    ),
);

export async function saveTimer(db: Q, row: ConversationTimerRow): Promise<void> {
  await upsertTimer(db, row);
}

export async function deleteTimer(db: Q, workspaceId: string, conversationId: string): Promise<void> {
  await db.deleteFrom('conversation_timers').where('workspace_id', '=', workspaceId).where('conversation_id', '=', conversationId).execute();
}

/** Records what fired and when the next rule comes due for one kind. */
export async function markFired(db: Q, workspaceId: string, conversationId: string, kind: TimerKind, fired: number, dueAt: number | null): Promise<void> {
  const patch = kind === 'unassigned' ? { unassigned_fired: fired, unassigned_due_at: dueAt } : { unanswered_fired: fired, unanswered_due_at: dueAt };
  await db.updateTable('conversation_timers').set(patch).where('workspace_id', '=', workspaceId).where('conversation_id', '=', conversationId).execute();
}

/** Timers of either kind due by `now`, earliest first, across workspaces (one range of a due index each). */
export async function dueTimers(db: Q, kind: TimerKind, now: number, limit: number): Promise<{ workspace_id: string; conversation_id: string }[]> {
  const column = kind === 'unassigned' ? 'unassigned_due_at' : 'unanswered_due_at';
  return db
    .selectFrom('conversation_timers')
    .select(['workspace_id', 'conversation_id'])
    .where(column, '<=', now)
    .orderBy(column)
    .limit(limit)
    .execute();
}

/**
 * A rule of `minutes` was published: every running occurrence of the kind that has not fired that
 * far comes due at `since + minutes` if that is sooner than its due time. One statement on a rare
 * admin action; the poll then does the rest.
 */
export async function scheduleMinutes(db: Q, workspaceId: string, kind: TimerKind, minutes: number): Promise<void> {
  const ms = minutes * 60_000;
  const [since, fired, due] =
    kind === 'unassigned'
      ? (['unassigned_since', 'unassigned_fired', 'unassigned_due_at'] as const)
      : (['unanswered_since', 'unanswered_fired', 'unanswered_due_at'] as const);
  await db
    .updateTable('conversation_timers')
    .set((eb) => ({ [due]: eb(eb.ref(since), '+', ms) }))
    .where('workspace_id', '=', workspaceId)
    .where(since, 'is not', null)
    .where(fired, '<', minutes)
    .where((eb) => eb.or([eb(due, 'is', null), eb(due, '>', eb(eb.ref(since), '+', ms))]))
    .execute();
}
