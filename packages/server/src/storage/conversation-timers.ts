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

/** Where a walk of the due timers has got to: the last row it read, in the walk's order. */
export interface DueCursor {
  due_at: number;
  workspace_id: string;
  conversation_id: string;
}

/**
 * Timers of either kind due by `now`, earliest first, across workspaces (one range of a due index
 * each), after `after` in (due, workspace, conversation) order. The cursor lets a check walk past
 * rows it could not fire (a workspace whose work fails): read from the start each time, the same
 * first `limit` rows would hide every other tenant's due timers behind them.
 */
export async function dueTimers(db: Q, kind: TimerKind, now: number, limit: number, after?: DueCursor): Promise<DueCursor[]> {
  const column = kind === 'unassigned' ? 'unassigned_due_at' : 'unanswered_due_at';
  let query = db
    .selectFrom('conversation_timers')
    .select(['workspace_id', 'conversation_id', `${column} as due_at`])
    .where(column, '<=', now)
    .orderBy(column)
    .orderBy('workspace_id')
    .orderBy('conversation_id')
    .limit(limit);
  if (after) {
    // `due >= d` keeps the index range; the rest is the tie-break within one due time.
    query = query
      .where(column, '>=', after.due_at)
      .where((eb) =>
        eb.or([
          eb(column, '>', after.due_at),
          eb('workspace_id', '>', after.workspace_id),
          eb.and([eb('workspace_id', '=', after.workspace_id), eb('conversation_id', '>', after.conversation_id)]),
        ]),
      );
  }
  const rows = await query.execute();
  return rows.map((r) => ({ workspace_id: r.workspace_id, conversation_id: r.conversation_id, due_at: Number(r.due_at) }));
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

/** What a rebuild needs of one open conversation: its assignee and the stored times its timers start from. */
export interface TimerStarts {
  conversation_id: string;
  assignee_id: string | null;
  created_at: number;
  /** Latest assignment change, reopening or waking (null: none since it was created). */
  moved_at: number | null;
  /** The first inbound message after the last agent reply and after the last reopening or waking. */
  awaiting_since: number | null;
}

/**
 * Which of `conversationIds` are open and awake, with the times their timers count from, read from
 * the timeline (services/routing-timers.ts `rebuildTimerChunk`). Primary-key reads and index ranges
 * of `timeline_by_conversation` per conversation; it runs when a workspace's first timer rule goes
 * live, not per change.
 */
export async function timerStartsOf(db: Q, workspaceId: string, conversationIds: readonly string[]): Promise<TimerStarts[]> {
  if (conversationIds.length === 0) return [];
  const rows = await db
    .selectFrom('conversations as c')
    .select((eb) => {
      /** The latest timeline time of the conversation among items of `kind` whose `column` is one of `values`. */
      const latest = (kind: 'event' | 'message', column: 'event_type' | 'direction', values: string[]) =>
        eb
          .selectFrom('timeline as t')
          .select((t) => t.fn.max('t.created_at').as('at'))
          .whereRef('t.conversation_id', '=', 'c.id')
          .where('t.kind', '=', kind)
          .where(`t.${column}`, 'in', values);
      const moved = latest('event', 'event_type', ['assigned', 'unassigned', 'reopened', 'woke']);
      const started = latest('event', 'event_type', ['reopened', 'woke']);
      const replied = latest('message', 'direction', ['outbound']);
      const awaiting = eb
        .selectFrom('timeline as m')
        .select((m) => m.fn.min('m.created_at').as('at'))
        .whereRef('m.conversation_id', '=', 'c.id')
        .where('m.kind', '=', 'message')
        .where('m.direction', '=', 'inbound')
        .where((m) => m('m.created_at', '>', m.fn.coalesce(replied, m.lit(-1))))
        .where((m) => m('m.created_at', '>=', m.fn.coalesce(started, m.lit(-1))));
      return ['c.id as conversation_id', 'c.assignee_id', 'c.created_at', moved.as('moved_at'), awaiting.as('awaiting_since')];
    })
    .where('c.workspace_id', '=', workspaceId)
    .where('c.id', 'in', conversationIds)
    .where('c.status', '=', 'open')
    .where('c.snoozed_until', 'is', null)
    .execute();
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    conversation_id: r.conversation_id,
    assignee_id: r.assignee_id,
    created_at: Number(r.created_at),
    moved_at: n(r.moved_at),
    awaiting_since: n(r.awaiting_since),
  }));
}

/**
 * The conversations a rebuild goes through, ids after `after` in id order: the open, awake ones, and
 * any with a timer row (one left from rules that went away, which the rebuild deletes). One read
 * per timers check: a chunk by ids is primary-key reads, where a chunk by "the next 100 open ones"
 * sorted every open conversation of the workspace again (no index has them in id order).
 */
export async function rebuildConversationIds(db: Q, workspaceId: string, after: string): Promise<string[]> {
  const open = await db
    .selectFrom('conversations')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where('snoozed_until', 'is', null)
    .where('id', '>', after)
    .execute();
  const kept = await db.selectFrom('conversation_timers').select('conversation_id as id').where('workspace_id', '=', workspaceId).where('conversation_id', '>', after).execute();
  return [...new Set([...open, ...kept].map((r) => r.id))].sort();
}

/** Replaces the timer rows of `conversationIds` with `rows` (a rebuild chunk, in the caller's unit of work). */
export async function replaceTimersOf(db: Q, workspaceId: string, conversationIds: readonly string[], rows: readonly ConversationTimerRow[]): Promise<void> {
  if (conversationIds.length > 0) await db.deleteFrom('conversation_timers').where('workspace_id', '=', workspaceId).where('conversation_id', 'in', conversationIds).execute();
  // Bounded statements: SQLite allows 32,766 parameters, and each row takes 12.
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('conversation_timers').values(rows.slice(i, i + 500)).execute();
}

/** Starts (or starts over) a workspace's rebuild from its first conversation. */
export async function startTimerRebuild(db: Q, workspaceId: string): Promise<void> {
  await db
    .insertInto('timer_rebuilds')
    .values({ workspace_id: workspaceId, after_id: '' })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ after_id: '' }))
    .execute();
}

/** Where the workspace's rebuild has got to, or undefined when none runs. */
export const timerRebuildOf = async (db: Q, workspaceId: string): Promise<string | undefined> =>
  (await db.selectFrom('timer_rebuilds').select('after_id').where('workspace_id', '=', workspaceId).executeTakeFirst())?.after_id;

/** Records the rebuild's progress: done through `upto`, or finished (null). */
export async function advanceTimerRebuild(db: Q, workspaceId: string, upto: string | null): Promise<void> {
  if (upto === null) await db.deleteFrom('timer_rebuilds').where('workspace_id', '=', workspaceId).execute();
  else await db.updateTable('timer_rebuilds').set({ after_id: upto }).where('workspace_id', '=', workspaceId).execute();
}

/** Workspaces whose rebuild has chunks left. */
export const pendingTimerRebuilds = async (db: Q): Promise<string[]> => (await db.selectFrom('timer_rebuilds').select('workspace_id').orderBy('workspace_id').execute()).map((r) => r.workspace_id);
