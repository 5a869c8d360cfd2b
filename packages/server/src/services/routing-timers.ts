import type { Conversation, WorkflowDefinition } from '@baton/protocol';
import { repeat, type Clock } from '../clock.js';
import type { Deps } from '../deps.js';
import type { OutboxRecord } from '../outbox/changes.js';
import type { OutboxConsumer } from '../outbox/relay.js';
import {
  advanceTimerRebuild,
  deleteTimer,
  dueTimers,
  findTimer,
  markFired,
  pendingTimerRebuilds,
  rebuildConversationIds,
  replaceTimersOf,
  saveTimer,
  scheduleMinutes,
  startTimerRebuild,
  timerRebuildOf,
  timersOf,
  timerStartsOf,
  type DueCursor,
  type TimerKind,
  type TimerStarts,
} from '../storage/conversation-timers.js';
import { lastOutboxId } from '../storage/outbox.js';
import { findConversation } from '../storage/conversations.js';
import { occurrenceEndedAfter } from '../storage/timeline.js';
import type { Storage } from '../storage/db.js';
import { toConversation } from '../storage/mappers.js';
import type { Change } from '../storage/change.js';
import type { ConversationTimerRow } from '../storage/schema.js';
import { runBackgroundChange, runCommand } from './change-runner.js';
import { currentLiveWorkflows, liveWorkflows, liveWorkflowsAt, type LiveWorkflow } from './live-workflows.js';
import { logFailure } from '../failure-log.js';

/*
 * The `conversation.unassigned_for` and `conversation.unanswered_for` triggers (DESIGN §6, issue 9).
 *
 * Times are stored, never kept in memory: an after-commit consumer (durable, so a restart resumes
 * where it stopped) keeps one `conversation_timers` row per open conversation from the changes it
 * sees: since when it has been unassigned, since when the customer has waited for a reply while it
 * is assigned. A poll on the injected clock reads the rows whose next rule is due (one index range
 * per kind, whatever the number of conversations) and, in one unit of work per conversation,
 * records how far the occurrence has fired and writes a `conversation.timer` outbox row, which the
 * rules runner runs like any other trigger (a run unique per event and workflow). So each
 * (conversation, workflow, occurrence) fires once: the fired mark and the event commit together.
 *
 * An occurrence ends when its condition does (assigned, replied to, resolved, snoozed); the next
 * one starts from its own time and fires again.
 *
 * Only workspaces with a live timer rule keep rows: elsewhere the consumer passes their changes by,
 * since an upsert per change was ~5% of a create's CPU for rules nobody had (docs/benchmarks.md).
 * When a workspace's first timer rule goes live, its rows are rebuilt from stored times (the
 * timeline), so a rule published later still counts from when each conversation started waiting.
 * The publish stores a marker (migration 0049); the timers' next check rebuilds in chunks of
 * REBUILD_CHUNK conversations in id order, one unit of work each, moving the marker on, so a restart
 * resumes where the last chunk stopped. One unit over every open conversation of a large workspace
 * held the single writer, every tenant's writes, for seconds. The chunks go REBUILD_TURN at a time,
 * with everything due fired between turns, so such a rebuild delays no tenant's timers either.
 */

export type TimerTrigger = 'conversation.unassigned_for' | 'conversation.unanswered_for';
export const TRIGGER_OF: Record<TimerKind, TimerTrigger> = { unassigned: 'conversation.unassigned_for', unanswered: 'conversation.unanswered_for' };
const KINDS: TimerKind[] = ['unassigned', 'unanswered'];

export const TIMERS_CONSUMER = 'routing-timers';
const POLL_EVERY_MS = 5_000;
const BATCH = 100;
/** Conversations per rebuild unit: about 3.5 ms of the writer each (docs/benchmarks.md, "Session 6"). */
export const REBUILD_CHUNK = 100;
/** Rebuild chunks of a workspace between two firings of what is due: about 35 ms of the writer. */
const REBUILD_TURN = 10;

/** The `minutes` of the workspace's live, enabled rules of each timer trigger, ascending. */
export async function liveMinutes(db: Storage['db'], workspaceId: string): Promise<Record<TimerKind, number[]>> {
  return minutesOf(await liveWorkflows(db, workspaceId));
}

/** `liveMinutes` under the workspace lock: from the live set kept at the change's rules stamp (no join). */
async function liveMinutesIn(deps: Deps, change: Change): Promise<Record<TimerKind, number[]>> {
  return minutesOf(await liveWorkflowsAt(deps.storage, change.trx, change.workspaceId, change.rulesStamp));
}

export function minutesOf(live: readonly LiveWorkflow[]): Record<TimerKind, number[]> {
  const out: Record<TimerKind, Set<number>> = { unassigned: new Set(), unanswered: new Set() };
  for (const { definition } of live) {
    if (definition.enabled === false) continue;
    const t = definition.trigger;
    if (t.event === 'conversation.unassigned_for') out.unassigned.add(t.minutes);
    if (t.event === 'conversation.unanswered_for') out.unanswered.add(t.minutes);
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { unassigned: sorted(out.unassigned), unanswered: sorted(out.unanswered) };
}

/** When the first rule not fired yet comes due, or null. */
function dueAt(since: number | null, fired: number, minutes: readonly number[]): number | null {
  if (since === null) return null;
  const next = minutes.find((m) => m > fired);
  return next === undefined ? null : since + next * 60_000;
}

/** The timers after one committed change, from the row before it (undefined: none) and the conversation after it. */
export function nextTimers(
  prev: ConversationTimerRow | undefined,
  record: OutboxRecord & { conversationId: string },
  conversation: Conversation,
  minutes: Record<TimerKind, number[]>,
): ConversationTimerRow | null {
  if (conversation.status !== 'open' || conversation.snoozedUntil !== null) return null;
  const at = record.createdAt;
  const t: ConversationTimerRow = prev
    ? { ...prev }
    : {
        workspace_id: record.workspaceId,
        conversation_id: conversation.id,
        assignee_id: null,
        unassigned_since: null,
        unassigned_fired: 0,
        unassigned_due_at: null,
        // A row started mid-life (reopened, woken, or open before the timers existed): the customer
        // waits when their message is the latest one.
        awaiting_since:
          conversation.lastInboundAt !== null && conversation.lastInboundAt === conversation.lastMessageAt ? Date.parse(conversation.lastInboundAt) : null,
        assigned_since: null,
        unanswered_since: null,
        unanswered_fired: 0,
        unanswered_due_at: null,
        seen_outbox_id: 0,
      };
  if (!prev || prev.assignee_id !== conversation.assigneeId) {
    t.assignee_id = conversation.assigneeId;
    if (conversation.assigneeId === null) {
      t.unassigned_since = at;
      t.assigned_since = null;
    } else {
      t.unassigned_since = null;
      t.assigned_since = at;
    }
  }
  for (const item of record.payload.items) {
    if (item.kind !== 'message') continue;
    if (item.direction === 'outbound') t.awaiting_since = null;
    else t.awaiting_since ??= Date.parse(item.createdAt);
  }
  t.unanswered_since = t.assignee_id !== null && t.awaiting_since !== null ? Math.max(t.awaiting_since, t.assigned_since ?? at) : null;
  // A new occurrence fires from the start again.
  if (!prev || prev.unassigned_since !== t.unassigned_since) t.unassigned_fired = 0;
  if (!prev || prev.unanswered_since !== t.unanswered_since) t.unanswered_fired = 0;
  t.unassigned_due_at = dueAt(t.unassigned_since, t.unassigned_fired, minutes.unassigned);
  t.unanswered_due_at = dueAt(t.unanswered_since, t.unanswered_fired, minutes.unanswered);
  t.seen_outbox_id = record.id;
  return t;
}

const same = (a: ConversationTimerRow, b: ConversationTimerRow) =>
  (Object.keys(a) as (keyof ConversationTimerRow)[]).every((k) => k === 'seen_outbox_id' || (a[k] === null ? b[k] === null : Number(a[k]) === Number(b[k]) || a[k] === b[k]));

const normalize = (r: ConversationTimerRow): ConversationTimerRow => {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    ...r,
    unassigned_since: n(r.unassigned_since),
    unassigned_fired: Number(r.unassigned_fired),
    unassigned_due_at: n(r.unassigned_due_at),
    awaiting_since: n(r.awaiting_since),
    assigned_since: n(r.assigned_since),
    unanswered_since: n(r.unanswered_since),
    unanswered_fired: Number(r.unanswered_fired),
    unanswered_due_at: n(r.unanswered_due_at),
    seen_outbox_id: Number(r.seen_outbox_id),
  };
};

/**
 * Keeps `conversation_timers` from committed changes: one unit of work per workspace of a batch.
 * Each unit reads the rows the batch before wrote, so a batch is finished (awaited) before the next
 * is handed; the relay pumps each consumer on its own, so the wait holds only this one.
 */
export function timersConsumer(deps: Deps): OutboxConsumer {
  return {
    name: TIMERS_CONSUMER,
    durable: true,
    async handle(records) {
      const byWorkspace = new Map<string, (OutboxRecord & { conversationId: string })[]>();
      for (const record of records) {
        if (!record.conversationId || !record.payload.conversation) continue;
        const list = byWorkspace.get(record.workspaceId) ?? [];
        list.push(record as OutboxRecord & { conversationId: string });
        byWorkspace.set(record.workspaceId, list);
      }
      const timed: [string, (OutboxRecord & { conversationId: string })[]][] = [];
      for (const [workspaceId, list] of byWorkspace) {
        // Read outside the unit: a rule published after this read rebuilds the rows from state that
        // already holds these changes (they committed before they reached the outbox consumer).
        // The kept live set, checked against the workspace's rules stamp (one primary-key read).
        if (hasTimerRules(minutesOf(await currentLiveWorkflows(deps.storage, workspaceId)))) timed.push([workspaceId, list]);
      }
      // Started together, so they share group commits. If one fails, the batch is handed again and
      // the units that committed skip what they applied (`seen_outbox_id`).
      await Promise.all(timed.map(([workspaceId, list]) => runBackgroundChange(deps, workspaceId, (change) => applyChanges(deps, change, list))));
    },
  };
}

/** One workspace's changes of a batch applied to its timer rows. */
async function applyChanges(deps: Deps, change: Change, list: readonly (OutboxRecord & { conversationId: string })[]): Promise<void> {
  // Under the workspace lock, like the poll that marks what fired: on PostgreSQL with several
  // nodes, a row read here must not be written back over a firing committed in between.
  await change.lock();
  const trx = change.trx;
  const workspaceId = change.workspaceId;
  const minutes = await liveMinutesIn(deps, change);
  const ids = [...new Set(list.map((r) => r.conversationId))];
  const stored = new Map((await timersOf(trx, workspaceId, ids)).map((r) => [r.conversation_id, normalize(r)]));
  const current = new Map<string, ConversationTimerRow | null>();
  for (const record of list) {
    const before = current.has(record.conversationId) ? (current.get(record.conversationId) ?? undefined) : stored.get(record.conversationId);
    // Already applied (a replay after a crash before the consumer stored its place).
    if (before && record.id <= before.seen_outbox_id) continue;
    current.set(record.conversationId, nextTimers(before, record, record.payload.conversation!, minutes));
  }
  for (const [conversationId, row] of current) {
    const before = stored.get(conversationId);
    if (row === null) {
      if (before) await deleteTimer(trx, workspaceId, conversationId);
    } else if (!before || !same(before, row)) {
      await saveTimer(trx, row);
    }
  }
}

const hasTimerRules = (minutes: Record<TimerKind, number[]>) => minutes.unassigned.length > 0 || minutes.unanswered.length > 0;

/**
 * A rule with a timer trigger is being published (`before`: the workspace's timer minutes until now).
 * If it is the workspace's first, the rows the consumer did not keep are rebuilt from stored times;
 * otherwise running occurrences that have not reached its minutes come due at them.
 */
export async function scheduleForDefinition(db: Storage['db'], workspaceId: string, definition: WorkflowDefinition, before: Record<TimerKind, number[]>): Promise<void> {
  if (!hasTimerRules(before) && definition.enabled !== false && (Object.values(TRIGGER_OF) as string[]).includes(definition.trigger.event)) {
    await startTimerRebuild(db, workspaceId);
    return;
  }
  const t = definition.trigger;
  if (t.event === 'conversation.unassigned_for') await scheduleMinutes(db, workspaceId, 'unassigned', t.minutes);
  if (t.event === 'conversation.unanswered_for') await scheduleMinutes(db, workspaceId, 'unanswered', t.minutes);
}

/**
 * The timer row of one open conversation from its stored times (`timerStartsOf`), as the consumer
 * would have kept it: an occurrence starts when the conversation was created, assigned or unassigned,
 * reopened or woken, whichever was last; the customer waits from their first message after the last
 * reply. What already fired is kept when the occurrence is the same one (`previous`), so republishing
 * a rule never fires twice for one occurrence.
 */
export function rebuiltTimer(
  workspaceId: string,
  s: TimerStarts,
  previous: ConversationTimerRow | undefined,
  minutes: Record<TimerKind, number[]>,
  seenOutboxId: number,
): ConversationTimerRow {
  const since = Math.max(s.created_at, s.moved_at ?? s.created_at);
  const assigned = s.assignee_id !== null;
  const unassignedSince = assigned ? null : since;
  const unansweredSince = assigned && s.awaiting_since !== null ? Math.max(s.awaiting_since, since) : null;
  const prev = previous ? normalize(previous) : undefined;
  const unassignedFired = prev && prev.unassigned_since === unassignedSince ? prev.unassigned_fired : 0;
  const unansweredFired = prev && prev.unanswered_since === unansweredSince ? prev.unanswered_fired : 0;
  return {
    workspace_id: workspaceId,
    conversation_id: s.conversation_id,
    assignee_id: s.assignee_id,
    unassigned_since: unassignedSince,
    unassigned_fired: unassignedFired,
    unassigned_due_at: dueAt(unassignedSince, unassignedFired, minutes.unassigned),
    awaiting_since: s.awaiting_since,
    assigned_since: assigned ? since : null,
    unanswered_since: unansweredSince,
    unanswered_fired: unansweredFired,
    unanswered_due_at: dueAt(unansweredSince, unansweredFired, minutes.unanswered),
    seen_outbox_id: seenOutboxId,
  };
}

/**
 * Rewrites the timer rows of one chunk of conversations (the next ids after the workspace's rebuild
 * marker `after`) from stored times, for its live rules, and moves the marker on (`last`: the
 * chunk ends the rebuild). Returns false, writing nothing, when the marker is no longer at `after`
 * (the rebuild was started over meanwhile; the next check lists again). The rows say they have seen
 * every change up to the outbox's last row, so the consumer, which may still hold older changes of
 * the workspace, does not apply them over the rebuilt rows. Rows of conversations the rebuild has
 * not reached yet are the consumer's meanwhile (started from the change it saw); their chunk
 * rewrites them from stored times.
 */
export async function rebuildTimerChunk(db: Storage['db'], workspaceId: string, after: string, ids: readonly string[], last: boolean): Promise<boolean> {
  if ((await timerRebuildOf(db, workspaceId)) !== after) return false;
  const minutes = await liveMinutes(db, workspaceId);
  const seen = await lastOutboxId(db);
  const previous = new Map((await timersOf(db, workspaceId, ids)).map((r) => [r.conversation_id, r]));
  const rows = (await timerStartsOf(db, workspaceId, ids)).map((s) => rebuiltTimer(workspaceId, s, previous.get(s.conversation_id), minutes, seen));
  await replaceTimersOf(db, workspaceId, ids, rows);
  await advanceTimerRebuild(db, workspaceId, last ? null : ids[ids.length - 1]!);
  return true;
}

/**
 * A workspace's pending rebuild, to be gone through `chunks` at a time (`step`), each chunk a unit
 * of its own behind requests' units (the background lane). The ids are listed once, when the walk
 * starts (one read of the workspace's open conversations), not once per turn. Null when none is
 * pending; `step` resolves false when the walk has ended (done, or started over meanwhile: the next
 * check lists again).
 */
async function pendingRebuild(deps: Deps, workspaceId: string): Promise<((chunks: number) => Promise<boolean>) | null> {
  const after = await timerRebuildOf(deps.storage.db, workspaceId);
  if (after === undefined) return null;
  const ids = await rebuildConversationIds(deps.storage.db, workspaceId, after);
  let from = after;
  let i = 0;
  return async (chunks) => {
    for (let n = 0; n < chunks; n += 1, i += REBUILD_CHUNK) {
      // An empty list is one chunk too: it ends the rebuild (clears the marker).
      const chunk = ids.slice(i, i + REBUILD_CHUNK);
      const last = i + REBUILD_CHUNK >= ids.length;
      if (!(await runCommand(deps, (trx) => rebuildTimerChunk(trx, workspaceId, from, chunk, last), 'background'))) return false;
      if (last) return false;
      from = chunk[chunk.length - 1]!;
    }
    return true;
  };
}

/**
 * Fires what is due for one conversation and kind, in one unit of work: the rules whose minutes have
 * passed since the occurrence started and have not fired for it. Returns whether it wrote an event.
 */
async function fireDue(deps: Deps, workspaceId: string, conversationId: string, kind: TimerKind): Promise<boolean> {
  return runBackgroundChange(deps, workspaceId, async (change) => {
    await change.lock();
    const found = await findTimer(change.trx, workspaceId, conversationId);
    if (!found) return false;
    const row = normalize(found);
    const since = kind === 'unassigned' ? row.unassigned_since : row.unanswered_since;
    const fired = kind === 'unassigned' ? row.unassigned_fired : row.unanswered_fired;
    const due = kind === 'unassigned' ? row.unassigned_due_at : row.unanswered_due_at;
    const now = change.now;
    if (since === null || due === null || due > now) return false;
    const conversation = await findConversation(change.trx, workspaceId, conversationId);
    const holds =
      conversation !== undefined &&
      conversation.status === 'open' &&
      (kind === 'unassigned' ? conversation.assignee_id === null : conversation.assignee_id !== null) &&
      // The state alone can look the same after the occurrence ended and another began (a reply,
      // then the customer wrote again; assigned, then unassigned): the timeline tells.
      !(await occurrenceEndedAfter(change.trx, workspaceId, conversationId, kind, since));
    // The occurrence has ended (assigned, unassigned, replied to, resolved) and the row does not say
    // so yet: the consumer has not caught up, or never will, since it keeps no rows for a workspace
    // whose timer rules were all removed. The row is rewritten from stored times, as a rebuild
    // writes it (saying it has seen every change so far, so the consumer applies none of them over
    // it): a new occurrence comes due from its own start, an ended one stops being due. Left as it
    // was, such a row came back at every check ahead of every other workspace's timers; only marked
    // not due, a row that missed a reply never counted the customer's next message.
    if (!holds) {
      const live = await liveMinutesIn(deps, change);
      const starts = hasTimerRules(live) ? await timerStartsOf(change.trx, workspaceId, [conversationId]) : [];
      const seen = starts.length > 0 ? await lastOutboxId(change.trx) : 0;
      await replaceTimersOf(change.trx, workspaceId, [conversationId], starts.map((s) => rebuiltTimer(workspaceId, s, found, live, seen)));
      return false;
    }
    const minutes = (await liveMinutesIn(deps, change))[kind];
    const fire = minutes.filter((m) => m > fired && since + m * 60_000 <= now);
    const last = fire.length > 0 ? fire[fire.length - 1]! : fired;
    await markFired(change.trx, workspaceId, conversationId, kind, last, dueAt(since, last, minutes));
    if (fire.length === 0) return false;
    await change.publish('conversation.timer', { conversation: toConversation(conversation), data: { trigger: TRIGGER_OF[kind], minutes: fire, since: new Date(since).toISOString() } });
    return true;
  });
}

/** Polls, on the injected clock, for timers whose rules are due, and fires them. */
export class RoutingTimers {
  private schedule: { stop(): void } | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly clock: Clock,
    private readonly everyMs = POLL_EVERY_MS,
    private readonly onError: (error: unknown) => void = (error) => logFailure('routing timers check', error),
    /** Due rows read at a time. */
    private readonly batch = BATCH,
    /** Rebuild chunks of each workspace between two firings of what is due. */
    private readonly rebuildTurn = REBUILD_TURN,
  ) {}

  start(): void {
    this.schedule ??= repeat(this.clock, this.everyMs, () => this.check(), this.onError);
  }

  stop(): void {
    this.schedule?.stop();
    this.schedule = null;
  }

  /** Fires every timer due now; resolves with how many events it wrote. One check at a time. */
  check(): Promise<number> {
    return (this.running ??= this.pass().finally(() => (this.running = null)));
  }

  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }

  private async pass(): Promise<number> {
    // Rebuilds go a turn at a time (`rebuildTurn` chunks of each pending workspace), and what is due
    // fires after every turn: what a turn made due fires in this check, and a large workspace's
    // first timer rule (thousands of chunks) holds back nobody's timers for more than a turn. A
    // workspace whose rebuild fails is logged and retried at the next check; the others' rebuilds
    // and every timer still run.
    const rebuilds: { workspaceId: string; step: (chunks: number) => Promise<boolean> }[] = [];
    for (const workspaceId of await pendingTimerRebuilds(this.deps.storage.db)) {
      const step = await this.guard(workspaceId, () => pendingRebuild(this.deps, workspaceId));
      if (step) rebuilds.push({ workspaceId, step });
    }
    let fired = 0;
    for (;;) {
      for (const rebuild of [...rebuilds]) {
        if (!(await this.guard(rebuild.workspaceId, () => rebuild.step(this.rebuildTurn)))) rebuilds.splice(rebuilds.indexOf(rebuild), 1);
      }
      fired += await this.fireAllDue();
      if (rebuilds.length === 0) break;
    }
    if (fired > 0) this.deps.relay.kick();
    return fired;
  }

  /** Runs one workspace's rebuild work; a failure is reported (retried at the next check) and reads as nothing left to do. */
  private async guard<T>(workspaceId: string, work: () => Promise<T>): Promise<T | null> {
    try {
      return await work();
    } catch (error) {
      this.onError(new Error(`routing timers: the rebuild of workspace ${workspaceId} failed; will retry`, { cause: error }));
      return null;
    }
  }

  /** Fires every timer due now, of both kinds, across workspaces; returns how many events it wrote. */
  private async fireAllDue(): Promise<number> {
    let fired = 0;
    for (const kind of KINDS) {
      // A workspace whose firing throws is logged once per check and passed over for the rest of it
      // (its rows stay due, so the next check tries again): one tenant's failure never holds back
      // another's timers. The cursor walks past its rows rather than reading them again.
      const failed = new Set<string>();
      let after: DueCursor | undefined;
      for (;;) {
        const due = await dueTimers(this.deps.storage.db, kind, this.clock.now(), this.batch, after);
        for (const d of due) {
          if (failed.has(d.workspace_id)) continue;
          try {
            if (await fireDue(this.deps, d.workspace_id, d.conversation_id, kind)) fired += 1;
          } catch (error) {
            failed.add(d.workspace_id);
            this.onError(new Error(`routing timers: firing ${kind} timers of workspace ${d.workspace_id} failed; will retry`, { cause: error }));
          }
        }
        if (due.length < this.batch) break;
        after = due[due.length - 1];
      }
    }
    return fired;
  }
}
