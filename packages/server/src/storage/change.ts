import type { Actor, Notification, NotificationNote, NotificationRule, TimelineItem } from '@baton/protocol';
import type { Kysely, Transaction } from 'kysely';
import { newId } from '../ids.js';
import type { ChangeFacts, ChangeType, OutboxPayload, OutboxRecord } from '../outbox/changes.js';
import { deferUntilCommit, transactionMemo, writeDeferredNow } from './group-commit.js';
import { onSqlite } from './engine.js';
import { channelEnabled } from './preferences.js';
import { toNotification, toTimelineItem } from './mappers.js';
import { insertNotification } from './notifications.js';
import { prepared, preparedInsert } from './prepared.js';
import type { Database, NotificationRow, OutboxRow, TimelineRow, WorkspaceCounterColumns, WorkspaceRow } from './schema.js';
import { CounterChanges, type WorkspaceCounters } from './view-counters.js';

const insertTimelineRow = preparedInsert('timeline', {
  id: true,
  workspace_id: true,
  conversation_id: true,
  seq: true,
  kind: true,
  direction: true,
  channel: true,
  body: true,
  mentions: true,
  event_type: true,
  actor_type: true,
  actor_id: true,
  data: true,
  created_at: true,
});

type OutboxInsert = Omit<OutboxRow, 'id'>;
/**
 * Its id comes back as SQLite's rowid (`insertId`), or through RETURNING on PostgreSQL, where Kysely
 * reports no insert id. Without it the relay could not hand the row on from memory (`committed`),
 * and each of its consumers read every row back and parsed its payload again.
 */
const insertOutboxRow = prepared<OutboxInsert, Pick<OutboxRow, 'id'>>(['workspace_id', 'seq', 'type', 'conversation_id', 'payload', 'created_at'], (db, row) => {
  const insert = db.insertInto('outbox').values(row);
  return onSqlite(db) ? insert : insert.returning('id');
});

type CounterColumns = { [K in keyof WorkspaceCounterColumns]: number };

/**
 * The workspace row's seq, activity clock and view counters, read under the workspace's write lock.
 * PostgreSQL takes the row lock with FOR UPDATE. SQLite has one writer, and the group committer runs
 * units one at a time on one connection, so there the read alone is enough (an UPDATE ... RETURNING
 * to take a lock cost ~20 µs a command, docs/benchmarks.md).
 */
const lockWorkspaceRow = prepared<{ id: string }, Pick<WorkspaceRow, 'seq' | 'last_activity_at' | 'time_zone'> & CounterColumns & { rules_stamp: number }>(['id'], (db, { id }) => {
  const read = db
    .selectFrom('workspaces')
    .select(['seq', 'last_activity_at', 'open_count', 'open_unassigned_count', 'resolved_count', 'open_inbound_count', 'snoozed_count', 'rules_stamp', 'time_zone'])
    .where('id', '=', id);
  return onSqlite(db) ? read : read.forUpdate();
});

/** The lock holder's one write of the workspace row: seqs and time handed out, and the view counters after the unit. */
const storeWorkspaceRow = prepared<{ id: string; seq: number; at: number } & CounterColumns>(
  ['id', 'seq', 'at', 'open_count', 'open_unassigned_count', 'resolved_count', 'open_inbound_count', 'snoozed_count'],
  (db, { id, seq, at, ...counters }) => db.updateTable('workspaces').set({ seq, last_activity_at: at, ...counters }).where('id', '=', id),
);

/** The workspace row's locked columns as the last unit of the transaction left them (`Change.lock`). */
interface HeldWorkspaceRow {
  seq: number;
  at: number;
  counters: WorkspaceCounters;
  stamp: number;
  /** Set when the workspace is created and never changed, so it comes with the lock's read for free. */
  timeZone: string;
}
const heldKey = (workspaceId: string) => `workspace-row:${workspaceId}`;

/** Writes the workspace row as the memo holds it (`Change.finish`, deferred to before the commit). */
async function storeHeldWorkspaceRow(trx: Transaction<Database>, workspaceId: string): Promise<void> {
  const held = transactionMemo(trx).get(heldKey(workspaceId)) as HeldWorkspaceRow | undefined;
  if (!held) return;
  const c = held.counters;
  await storeWorkspaceRow(trx, {
    id: workspaceId,
    seq: held.seq,
    at: held.at,
    open_count: c.open,
    open_unassigned_count: c.unassigned,
    resolved_count: c.resolved,
    open_inbound_count: c.openInbound,
    snoozed_count: c.snoozed,
  });
}

/**
 * For writes of the workspace row outside `Change` (the rules stamp): what units left pending is
 * written first, and later units read the row again.
 */
export async function forgetHeldWorkspaceRow(db: Kysely<Database>, workspaceId: string): Promise<void> {
  if (!db.isTransaction) return;
  const trx = db as Transaction<Database>;
  await writeDeferredNow(trx, heldKey(workspaceId));
  transactionMemo(trx).delete(heldKey(workspaceId));
}

type NewTimelineItem =
  | { kind: 'message'; direction: 'inbound' | 'outbound'; channel: string; body: string; author: Actor }
  | { kind: 'note'; body: string; mentions: string[]; author: Actor }
  | { kind: 'event'; type: string; actor: Actor; data: Record<string, unknown> };

/**
 * One command's write set, inside one transaction: the state change, the timeline items it adds
 * and the outbox row that feeds every side effect after commit. Sequence numbers come from the
 * workspace row, whose update also serializes concurrent writers of one workspace, so seqs
 * increase in commit order (which replay depends on).
 */
export class Change {
  private items: TimelineItem[] = [];
  private notifications: Notification[] = [];
  private unlisted: Notification[] = [];
  private records: OutboxRecord[] = [];
  private lastSeq = 0;
  private storedSeq = 0;
  private time: number;
  private storedTime = 0;
  private locked = false;
  private stamp = 0;
  private zone = 'UTC';
  /** The workspace's view counters as read under the lock. */
  private storedCounters: WorkspaceCounters = { open: 0, unassigned: 0, resolved: 0, openInbound: 0, snoozed: 0 };
  /** What this unit's writes do to the view counters; storage write functions report to it (storage/view-counters.ts). */
  readonly counters: CounterChanges;

  constructor(
    readonly trx: Transaction<Database>,
    readonly workspaceId: string,
    now: number,
  ) {
    this.time = now;
    this.counters = new CounterChanges(trx, workspaceId, () => this.locked);
  }

  /**
   * The change's time. After `lock()` it is never earlier than any time an earlier change of the
   * workspace used, even if the clock stepped back or another node's clock is behind: activity
   * times (`last_message_at`) only move forward in a workspace, which the Unread view's read
   * bands depend on (storage/read-bands.ts). Commands set activity times only after locking.
   */
  get now(): number {
    return this.time;
  }

  /**
   * Takes the workspace's write lock before the command reads anything it will check (versions,
   * existence), so two commands on one workspace never interleave their read-check-write. It also
   * reads the workspace's seq, activity clock and view counters: later seqs are counted here, the
   * counters' deltas gathered in `counters`, and all are written back once, in `finish`.
   */
  async lock(): Promise<void> {
    if (this.locked) return;
    // An earlier unit of this transaction that locked the workspace left the row as it wrote it:
    // the lock is held already (the transaction's, on both engines), and the read is saved.
    const memo = transactionMemo(this.trx);
    let held = memo.get(heldKey(this.workspaceId)) as HeldWorkspaceRow | undefined;
    if (!held) {
      const row = (await lockWorkspaceRow(this.trx, { id: this.workspaceId })).rows[0];
      if (!row) throw new Error(`workspace ${this.workspaceId} does not exist`);
      held = {
        seq: Number(row.seq),
        at: Number(row.last_activity_at),
        counters: {
          open: Number(row.open_count),
          unassigned: Number(row.open_unassigned_count),
          resolved: Number(row.resolved_count),
          openInbound: Number(row.open_inbound_count),
          snoozed: Number(row.snoozed_count),
        },
        stamp: Number(row.rules_stamp),
        timeZone: row.time_zone,
      };
      memo.set(heldKey(this.workspaceId), held);
    }
    this.lastSeq = held.seq;
    this.storedSeq = this.lastSeq;
    this.storedTime = held.at;
    this.time = Math.max(this.time, this.storedTime);
    this.storedCounters = { ...held.counters };
    this.stamp = held.stamp;
    this.zone = held.timeZone;
    this.locked = true;
  }

  /** The workspace's rules stamp as read under the lock (storage/workflows.ts `bumpRulesStamp`). */
  get rulesStamp(): number {
    if (!this.locked) throw new Error('rulesStamp is read under the workspace lock: call lock() first');
    return this.stamp;
  }

  /** The workspace's time zone (the rules' `time.*` facts), read under the lock. */
  get timeZone(): string {
    if (!this.locked) throw new Error('timeZone is read under the workspace lock: call lock() first');
    return this.zone;
  }

  async nextSeq(): Promise<number> {
    await this.lock();
    return ++this.lastSeq;
  }

  /**
   * Records the seqs and the time handed out, and the view counters after the unit, for the
   * workspace row (written once per transaction, before its COMMIT; see below), and writes the
   * agents' counters if `publish` has not; `runChange` calls it at the end of the unit.
   */
  async finish(): Promise<void> {
    // Counters move only under the lock (`CounterChanges` refuses reports before it).
    if (!this.locked) return;
    if (!this.counters.agentsFlushed) await this.counters.flushAgents();
    if (this.lastSeq === this.storedSeq && this.time <= this.storedTime && !this.counters.workspaceMoved) return;
    const c = this.counters.workspaceAfter(this.storedCounters);
    const key = heldKey(this.workspaceId);
    transactionMemo(this.trx).set(key, { seq: this.lastSeq, at: this.time, counters: c, stamp: this.stamp, timeZone: this.zone } satisfies HeldWorkspaceRow);
    this.storedSeq = this.lastSeq;
    this.storedTime = this.time;
    // Written once per transaction, after its last unit, with what the last unit left (several units
    // of a group commit lock the same workspace); at once where the committer does not run the
    // transaction. Reads outside the transaction only ever see it committed, and inside it units
    // read the memo, never the row.
    const trx = this.trx;
    const workspaceId = this.workspaceId;
    const write = () => storeHeldWorkspaceRow(trx, workspaceId);
    if (!deferUntilCommit(trx, key, write)) await write();
  }

  /** Adds a timeline item; `reservedSeq` is one taken earlier with `nextSeq()` (rows that must name it first). */
  async append(conversationId: string, item: NewTimelineItem, reservedSeq?: number): Promise<TimelineItem> {
    const seq = reservedSeq ?? (await this.nextSeq());
    const row: TimelineRow = {
      id: newId(item.kind === 'message' ? 'msg' : item.kind === 'note' ? 'note' : 'evt', this.now),
      workspace_id: this.workspaceId,
      conversation_id: conversationId,
      seq,
      kind: item.kind,
      direction: item.kind === 'message' ? item.direction : null,
      channel: item.kind === 'message' ? item.channel : null,
      body: item.kind === 'event' ? null : item.body,
      mentions: item.kind === 'note' ? JSON.stringify(item.mentions) : null,
      event_type: item.kind === 'event' ? item.type : null,
      actor_type: item.kind === 'event' ? item.actor.type : item.author.type,
      actor_id: item.kind === 'event' ? item.actor.id : item.author.id,
      // A note has no data of its own; one a rule wrote keeps the rule's name there (its author's `name`).
      data: item.kind === 'event' ? JSON.stringify(item.data) : item.kind === 'note' && item.author.name !== undefined ? JSON.stringify({ workflowName: item.author.name }) : null,
      created_at: this.now,
    };
    await insertTimelineRow(this.trx, row);
    const mapped = toTimelineItem(row);
    this.items.push(mapped);
    return mapped;
  }

  /**
   * Notifies an agent. `rule`: the rule that sent it; `note`: for `mentioned`, the note and its
   * excerpt for this reader (services/mentions.ts `mentionExcerpt`), kept as the note's id only.
   */
  async notify(agentId: string, type: NotificationRow['type'], conversationId: string, actor: Actor, about: { rule?: NotificationRule; note?: NotificationNote } = {}): Promise<void> {
    const { rule, note } = about;
    const row: NotificationRow = {
      id: newId('ntf', this.now),
      workspace_id: this.workspaceId,
      agent_id: agentId,
      type,
      conversation_id: conversationId,
      actor_type: actor.type,
      actor_id: actor.id,
      created_at: this.now,
      read_at: null,
      rule: rule ? JSON.stringify(rule) : null,
      note_id: note?.id ?? null,
    };
    // In-app off for this type means no row; the notifier still weighs email and push for it.
    if (!(await channelEnabled(this.trx, this.workspaceId, agentId, type, 'inapp'))) {
      this.unlisted.push(toNotification(row, note));
      return;
    }
    await insertNotification(this.trx, row);
    this.notifications.push(toNotification(row, note));
  }

  get timelineItems(): readonly TimelineItem[] {
    return this.items;
  }

  /**
   * The outbox rows this unit wrote, as the relay hands them to consumers, when the engine reported
   * their ids on insert (SQLite does; on PostgreSQL this is empty and the relay reads the rows back).
   * Meaningful once the unit has committed (`runChange` hands them to the relay then).
   */
  get published(): readonly OutboxRecord[] {
    return this.records;
  }

  /**
   * Writes the outbox row; call last (a write that moves the view counters after it throws). Returns
   * the seq clients will see for this change. The row carries the view counters after the change:
   * the workspace's, and those of the agents whose own counters it moved.
   */
  async publish<T extends ChangeType>(type: T, facts: ChangeFacts[T]): Promise<number> {
    const seq = await this.nextSeq();
    const counters = { workspace: this.counters.workspaceAfter(this.storedCounters), agents: await this.counters.flushAgents() };
    // Optional keys are set, not spread in: properties after a spread are a slow path on Node 20's V8.
    // Copies of the lists: the relay hands this very object to consumers (`published`), and a later
    // item of the unit must not appear in a row written before it.
    const payload = { items: this.items.slice(), notifications: this.notifications.slice(), counters } as OutboxPayload;
    if (facts.conversation) payload.conversation = facts.conversation;
    if (this.unlisted.length) payload.unlisted = this.unlisted.slice();
    if (facts.data) payload.data = facts.data;
    const conversationId = facts.conversation?.id ?? null;
    const inserted = await insertOutboxRow(this.trx, {
      workspace_id: this.workspaceId,
      seq,
      type,
      conversation_id: conversationId,
      payload: JSON.stringify(payload),
      created_at: this.now,
    });
    const id = inserted.insertId ?? inserted.rows[0]?.id;
    if (id !== undefined) {
      const record = { id: Number(id), workspaceId: this.workspaceId, seq, type, conversationId, payload, createdAt: this.now };
      this.records.push(record as OutboxRecord);
    }
    return seq;
  }
}
