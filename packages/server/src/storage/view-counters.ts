import type { Counts } from '@baton/protocol';
import { sql, type Kysely, type Transaction } from 'kysely';
import { fillViewCounters as fillCountersOf0011 } from './migrations/0011_view_counters.js';
import { prepared } from './prepared.js';
import type { ConversationRow, Database } from './schema.js';

/**
 * View counters: the live count of every view (DESIGN §3), kept exact by the writes that move it
 * rather than counted for each connected agent after every change (13–15 ms an agent at 1M
 * conversations, docs/benchmarks.md).
 *
 * What is kept, and where (migration 0011):
 * - per workspace, on its row: open (All), open ∧ unassigned (Unassigned), resolved (Resolved),
 *   open ∧ has an inbound message ("open with inbound"), and snoozed (Snoozed, migration 0020);
 * - per agent, in `agent_view_counts`: open ∧ assigned to them (Mine), open ∧ they are mentioned on
 *   it (Mentioned), and open ∧ has an inbound message ∧ their read mark is at or past its latest
 *   inbound seq ("caught up").
 * Unread (open ∧ has an inbound message ∧ no read mark at or past the latest one: `unreadBy` in
 * storage/unread-walk.ts) is then "open with inbound" − "caught up", and `countsOf` builds the seven.
 * A snoozed conversation is stored with status `snoozed`: it is not "open" to any counter but
 * Snoozed, so snoozing and waking are plain row updates here (open → snoozed → open), and the
 * mentions and read marks of the conversation move with them exactly as for resolve and reopen.
 *
 * How they stay exact: what a conversation adds to each counter follows from its row (status,
 * assignee, latest inbound seq), its mention rows and its read marks. Every write of one of those
 * goes through a storage function that reports it here first or after, and the delta is what that
 * one write changes in the conversation's share, with the other two as they stand in the transaction
 * at that moment. Applied write after write, the deltas add up to the change of the whole (they
 * telescope), in whatever order a command writes.
 *
 * | write | moves | reads |
 * |---|---|---|
 * | conversation inserted | the workspace's | nothing: a new conversation has no marks or mentions |
 * | conversation updated | the workspace's; Mine of the assignee before and after; Mentioned of everyone mentioned on it, if open ↔ resolved; caught-up of everyone whose mark covers the latest inbound seq before or after, if that seq or "open with inbound" changed | its mentions; its read marks |
 * | read mark moved to or past the latest inbound seq of an open conversation | that agent's caught-up, if the old mark was below it | the old mark |
 * | mention row added on an open conversation | that agent's Mentioned | nothing: the insert says whether the row is new |
 *
 * So a change costs work for the agents it affects, and nothing for the others. The deltas are
 * gathered in memory while the unit of work runs (`CounterChanges`, one per `Change`): the
 * workspace's are written with its seq and activity clock in `Change.finish` (the row every change
 * reads under its lock and writes back once, so the create path runs no extra statement); each
 * agent whose counters moved gets one upsert that returns the values after it. Both go into the
 * change's outbox row, and the socket fan-out (realtime/live-counts.ts) computes every online
 * agent's counts from them without a query. All of it runs under the workspace's write lock, which
 * is what makes "the values after the change" exact.
 *
 * The rules this relies on: conversations, mention rows and read marks are never deleted, read marks
 * only move forward, and nothing else writes these tables. Anything new that breaks one (deleting a
 * conversation, "mark as unread", a bulk import around the services) must report its writes here,
 * or run `fillViewCounters` (below) again.
 */

/** The workspace-wide counters. */
export interface WorkspaceCounters {
  open: number;
  unassigned: number;
  resolved: number;
  openInbound: number;
  /** Snoozed conversations (migration 0020). */
  snoozed: number;
}

/** One agent's own counters. */
export interface AgentCounters {
  mine: number;
  mentioned: number;
  caughtUp: number;
}

export const NO_AGENT_COUNTERS: Readonly<AgentCounters> = Object.freeze({ mine: 0, mentioned: 0, caughtUp: 0 });

/** The six view counts an agent sees. */
export function countsOf(workspace: WorkspaceCounters, agent: AgentCounters): Counts {
  return {
    mine: agent.mine,
    unassigned: workspace.unassigned,
    mentioned: agent.mentioned,
    unread: workspace.openInbound - agent.caughtUp,
    all: workspace.open,
    resolved: workspace.resolved,
    snoozed: workspace.snoozed,
  };
}

/** The conversation fields the counters depend on. */
export type Counted = Pick<ConversationRow, 'id' | 'status' | 'assignee_id' | 'last_inbound_seq'>;

const isOpen = (c: Counted) => c.status === 'open';
/** The latest inbound seq of an open conversation; null when it is resolved or has no inbound message. */
const openInboundSeq = (c: Counted) => (c.status === 'open' && c.last_inbound_seq !== null ? Number(c.last_inbound_seq) : null);

const mentionsOn = prepared<{ workspaceId: string; conversationId: string }, { agent_id: string }>(
  ['workspaceId', 'conversationId'],
  (db, { workspaceId, conversationId }) =>
    db.selectFrom('mentions').select('agent_id').where('conversation_id', '=', conversationId).where('workspace_id', '=', workspaceId),
);

const readMarksOn = prepared<{ workspaceId: string; conversationId: string }, { agent_id: string; last_read_seq: number }>(
  ['workspaceId', 'conversationId'],
  (db, { workspaceId, conversationId }) =>
    db
      .selectFrom('read_states')
      .select(['agent_id', 'last_read_seq'])
      .where('conversation_id', '=', conversationId)
      .where('workspace_id', '=', workspaceId),
);

const readMarkOf = prepared<{ conversationId: string; agentId: string }, { last_read_seq: number }>(
  ['conversationId', 'agentId'],
  (db, { conversationId, agentId }) =>
    db.selectFrom('read_states').select('last_read_seq').where('conversation_id', '=', conversationId).where('agent_id', '=', agentId),
);

interface AgentDelta {
  workspace_id: string;
  agent_id: string;
  mine: number;
  mentioned: number;
  caught_up: number;
}

/** Adds a delta to an agent's counters (a missing row is all zeros) and returns the values after it. */
const addToAgent = prepared<AgentDelta, { mine: number; mentioned: number; caught_up: number }>(
  ['workspace_id', 'agent_id', 'mine', 'mentioned', 'caught_up'],
  (db, row) =>
    db
      .insertInto('agent_view_counts')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'agent_id']).doUpdateSet((eb) => ({
          mine: eb('agent_view_counts.mine', '+', eb.ref('excluded.mine')),
          mentioned: eb('agent_view_counts.mentioned', '+', eb.ref('excluded.mentioned')),
          caught_up: eb('agent_view_counts.caught_up', '+', eb.ref('excluded.caught_up')),
        })),
      )
      .returning(['mine', 'mentioned', 'caught_up']),
);

/**
 * What one unit of work does to the counters: storage write functions report their writes here,
 * `Change` writes the result. A report before the workspace lock is taken (the state it reads could
 * be another writer's half-done work on PostgreSQL) or after `flushAgents` (the change's outbox row,
 * which carries the values after the change) is a bug and throws.
 */
export class CounterChanges {
  private readonly workspace: WorkspaceCounters = { open: 0, unassigned: 0, resolved: 0, openInbound: 0, snoozed: 0 };
  private readonly agents = new Map<string, AgentCounters>();
  private flushed = false;

  constructor(
    private readonly trx: Transaction<Database>,
    private readonly workspaceId: string,
    private readonly locked: () => boolean,
  ) {}

  /** Whether the workspace-wide counters moved. */
  get workspaceMoved(): boolean {
    const w = this.workspace;
    return w.open !== 0 || w.unassigned !== 0 || w.resolved !== 0 || w.openInbound !== 0 || w.snoozed !== 0;
  }

  /** A conversation was inserted (with no read marks or mentions yet: it is new). */
  inserted(row: Counted): void {
    this.open();
    this.addRow(row, 1);
  }

  /** A conversation's row went from `before` to `after`. */
  async updated(before: Counted, after: Counted): Promise<void> {
    this.open();
    this.addRow(before, -1);
    this.addRow(after, 1);
    if (isOpen(before) !== isOpen(after)) {
      const { rows } = await mentionsOn(this.trx, { workspaceId: this.workspaceId, conversationId: after.id });
      for (const { agent_id } of rows) this.agent(agent_id).mentioned += isOpen(after) ? 1 : -1;
    }
    const inboundBefore = openInboundSeq(before);
    const inboundAfter = openInboundSeq(after);
    if (inboundBefore !== inboundAfter) {
      const { rows } = await readMarksOn(this.trx, { workspaceId: this.workspaceId, conversationId: after.id });
      for (const { agent_id, last_read_seq } of rows) {
        const mark = Number(last_read_seq);
        const delta = (inboundAfter !== null && mark >= inboundAfter ? 1 : 0) - (inboundBefore !== null && mark >= inboundBefore ? 1 : 0);
        if (delta !== 0) this.agent(agent_id).caughtUp += delta;
      }
    }
  }

  /**
   * An agent's read mark on `row` (the conversation as it stands now) is about to move to `seq`, if
   * that is forward. Call it before the mark is written: it reads the mark being replaced.
   */
  async readMarkMoving(row: Counted, agentId: string, seq: number): Promise<void> {
    this.open();
    const inbound = openInboundSeq(row);
    if (inbound === null || seq < inbound) return;
    const { rows } = await readMarkOf(this.trx, { conversationId: row.id, agentId });
    const old = rows[0];
    if (!old || Number(old.last_read_seq) < inbound) this.agent(agentId).caughtUp += 1;
  }

  /** A mention row for `agentId` on `row` (the conversation as it stands now) was inserted. */
  mentionAdded(row: Counted, agentId: string): void {
    this.open();
    if (isOpen(row)) this.agent(agentId).mentioned += 1;
  }

  /** The workspace's counters after this unit, from the ones read under its lock. */
  workspaceAfter(before: WorkspaceCounters): WorkspaceCounters {
    const d = this.workspace;
    return {
      open: before.open + d.open,
      unassigned: before.unassigned + d.unassigned,
      resolved: before.resolved + d.resolved,
      openInbound: before.openInbound + d.openInbound,
      snoozed: before.snoozed + d.snoozed,
    };
  }

  /** Writes each moved agent's deltas (one upsert an agent) and returns their counters after them; later reports throw. */
  async flushAgents(): Promise<Record<string, AgentCounters>> {
    this.flushed = true;
    const after: Record<string, AgentCounters> = {};
    for (const [agentId, d] of this.agents) {
      if (d.mine === 0 && d.mentioned === 0 && d.caughtUp === 0) continue;
      const { rows } = await addToAgent(this.trx, { workspace_id: this.workspaceId, agent_id: agentId, mine: d.mine, mentioned: d.mentioned, caught_up: d.caughtUp });
      const row = rows[0]!;
      after[agentId] = { mine: Number(row.mine), mentioned: Number(row.mentioned), caughtUp: Number(row.caught_up) };
    }
    return after;
  }

  get agentsFlushed(): boolean {
    return this.flushed;
  }

  private open(): void {
    if (!this.locked()) throw new Error('a write moved the view counters before the change took the workspace lock');
    if (this.flushed) throw new Error('a write moved the view counters after the change was published');
  }

  private agent(id: string): AgentCounters {
    let d = this.agents.get(id);
    if (!d) this.agents.set(id, (d = { mine: 0, mentioned: 0, caughtUp: 0 }));
    return d;
  }

  /** Adds (sign 1) or takes away (−1) what a conversation row contributes by itself: the workspace's counters and the assignee's Mine. */
  private addRow(c: Counted, sign: 1 | -1): void {
    const w = this.workspace;
    if (isOpen(c)) {
      w.open += sign;
      if (c.assignee_id === null) w.unassigned += sign;
      else this.agent(c.assignee_id).mine += sign;
      if (c.last_inbound_seq !== null) w.openInbound += sign;
    } else if (c.status === 'snoozed') {
      w.snoozed += sign;
    } else {
      w.resolved += sign;
    }
  }
}

/** An agent's counters and their workspace's, read together, with the workspace seq they are as of. */
export interface StoredCounters {
  seq: number;
  workspace: WorkspaceCounters;
  agent: AgentCounters;
}

const readStoredCounters = prepared<
  { workspaceId: string; agentId: string },
  {
    seq: number;
    open_count: number;
    open_unassigned_count: number;
    resolved_count: number;
    open_inbound_count: number;
    snoozed_count: number;
    mine: number | null;
    mentioned: number | null;
    caught_up: number | null;
  }
>(['workspaceId', 'agentId'], (db, { workspaceId, agentId }) =>
  db
    .selectFrom('workspaces as w')
    .leftJoin('agent_view_counts as a', (join) => join.onRef('a.workspace_id', '=', 'w.id').on('a.agent_id', '=', agentId))
    .select(['w.seq', 'w.open_count', 'w.open_unassigned_count', 'w.resolved_count', 'w.open_inbound_count', 'w.snoozed_count', 'a.mine', 'a.mentioned', 'a.caught_up'])
    .where('w.id', '=', workspaceId),
);

/**
 * An agent's counters as stored: one primary-key read of each table, in one statement, so both are
 * as of the same change (`seq`, the last one the workspace handed out). Null when the workspace is gone.
 */
export async function readCounters(db: Kysely<Database>, workspaceId: string, agentId: string): Promise<StoredCounters | null> {
  const row = (await readStoredCounters(db, { workspaceId, agentId })).rows[0];
  if (!row) return null;
  return {
    seq: Number(row.seq),
    workspace: {
      open: Number(row.open_count),
      unassigned: Number(row.open_unassigned_count),
      resolved: Number(row.resolved_count),
      openInbound: Number(row.open_inbound_count),
      snoozed: Number(row.snoozed_count),
    },
    agent: { mine: Number(row.mine ?? 0), mentioned: Number(row.mentioned ?? 0), caughtUp: Number(row.caught_up ?? 0) },
  };
}

/**
 * Sets every counter from the data with exact, uncapped counts: the repair for writes made around
 * the services. The views benchmark's fixture, which bulk-loads rows that way, runs it after loading.
 * Migration 0011's fill (frozen with that migration) sets the counters it created; the ones added
 * since are set here after it.
 */
export async function fillViewCounters(db: Kysely<any>): Promise<void> {
  await fillCountersOf0011(db);
  await sql`UPDATE workspaces SET
    snoozed_count = (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = workspaces.id AND c.status = 'snoozed')`.execute(db);
}
