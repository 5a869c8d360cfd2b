import type { Clock, TimerHandle } from '../clock.js';
import type { Storage } from '../storage/db.js';
import { outboxOfWorkspace } from '../storage/outbox.js';
import type { OutboxRecord } from './changes.js';
import { toRecord, type ConsumerProgress, type OutboxConsumer, type ProgressHooks } from './relay.js';

export interface WorkspaceFeedsOptions {
  /** The durable place's name (`consumer_offsets`). */
  name: string;
  storage: Storage;
  clock: Clock;
  /** Does the work for a batch; every workspace's rows in it are in their outbox order. */
  handleBatch: (records: OutboxRecord[]) => Promise<void>;
  /** Rows per `handleBatch` call. A workspace's new row waits behind at most one batch of others'. */
  batchSize?: number;
  /** Rows held in memory per workspace; a workspace further behind reads the rest from the outbox in its turn. */
  heldPerWorkspace?: number;
  /** Rows held in memory in all; past it, every workspace's new rows are read from the outbox in their turn. */
  heldInAll?: number;
  /** Rows a feed reads from the outbox at a time. */
  readSize?: number;
  /** How long after a failed batch to try it again (a new row tries at once). */
  retryMs?: number;
}

/** One workspace's rows handed to the consumer and not finished yet. */
interface Feed {
  /** Held rows, in outbox order. */
  held: OutboxRecord[];
  /** The first row not held (handed past `heldPerWorkspace` or `heldInAll`); the rest of the feed is read from the outbox from there. */
  unheldFrom: { seq: number; id: number } | null;
}

/**
 * A durable outbox consumer that is fair between workspaces (DESIGN §7a: tenants never slow each
 * other), for work whose ordering rules all hold within one workspace (the rules runner).
 *
 * The relay hands every consumer the outbox in id order. A consumer that did its work in that order
 * made a workspace's new row wait behind every row before it: one tenant's burst of thousands of
 * creates delayed every other tenant's routing by seconds (docs/benchmarks.md, tenant burst). Here
 * `handle` only takes the rows into per-workspace feeds and returns, and a worker hands
 * `handleBatch` batches that take the workspaces' oldest rows in turn. A workspace's new row then
 * waits behind at most one batch, whatever the backlog of the others.
 *
 * Memory is bounded, per workspace and in all: rows beyond it are not kept, and the feed reads them
 * back from the outbox (by workspace and seq, an index) when it comes to them. The bounds are the
 * relay's own (it keeps 10,000 committed rows to hand on): a single tenant's flood costs no more
 * reads than before.
 *
 * Rows are finished out of id order, so the relay stores `settled()`, the place below which every
 * row is finished, not the place it handed up to. A restart replays everything after it, including
 * rows of workspaces that were ahead; the work must be idempotent per row (the rules runner's runs
 * are unique per event and workflow, and its other steps check the state they act on).
 */
export class WorkspaceFeeds implements OutboxConsumer, ConsumerProgress {
  readonly name: string;
  readonly durable = true;
  readonly progress: ConsumerProgress = this;
  private readonly feeds = new Map<string, Feed>();
  /** The batch `handleBatch` is working on. */
  private inFlight: readonly OutboxRecord[] = [];
  /** Rows up to this id have been handed here: a feed read from the outbox stops there (later rows are handed again). */
  private handedUpTo = 0;
  private running: Promise<void> | null = null;
  private retryTimer: TimerHandle | null = null;
  private stopped = false;
  private hooks: ProgressHooks | null = null;
  /** Which workspace's turn comes first in the next batch, so none is always first. */
  private turn = 0;
  private readonly batchSize: number;
  private readonly heldPerWorkspace: number;
  private readonly heldInAll: number;
  private readonly readSize: number;

  constructor(private readonly options: WorkspaceFeedsOptions) {
    this.name = options.name;
    this.batchSize = options.batchSize ?? 64;
    this.heldPerWorkspace = options.heldPerWorkspace ?? 10_000;
    this.heldInAll = options.heldInAll ?? 20_000;
    this.readSize = options.readSize ?? 500;
  }

  async handle(records: OutboxRecord[]): Promise<void> {
    let held = 0;
    for (const feed of this.feeds.values()) held += feed.held.length;
    for (const record of records) {
      const feed = this.feedOf(record.workspaceId);
      if (feed.unheldFrom) continue;
      if (feed.held.length < this.heldPerWorkspace && held < this.heldInAll) {
        feed.held.push(record);
        held += 1;
      } else {
        feed.unheldFrom = { seq: record.seq, id: record.id };
      }
    }
    if (records.length > 0) this.handedUpTo = Math.max(this.handedUpTo, records[records.length - 1]!.id);
    this.wake();
  }

  settled(): number | null {
    let lowest = Infinity;
    for (const record of this.inFlight) lowest = Math.min(lowest, record.id);
    for (const feed of this.feeds.values()) {
      if (feed.held.length > 0) lowest = Math.min(lowest, feed.held[0]!.id);
      if (feed.unheldFrom) lowest = Math.min(lowest, feed.unheldFrom.id);
    }
    return lowest === Infinity ? null : lowest - 1;
  }

  busy(): boolean {
    return this.running !== null;
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  attach(hooks: ProgressHooks): void {
    this.hooks = hooks;
  }

  private hasWork(): boolean {
    for (const feed of this.feeds.values()) if (feed.held.length > 0 || feed.unheldFrom) return true;
    return false;
  }

  private wake(): void {
    if (this.running || this.stopped) return;
    if (this.retryTimer) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.running = this.work().finally(() => {
      this.running = null;
      // Rows handed while the last batch was being composed, after the worker found none.
      if (!this.retryTimer && this.hasWork()) this.wake();
    });
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      let batch: OutboxRecord[] = [];
      try {
        await this.readUnheld();
        batch = this.nextBatch();
        if (batch.length === 0) return;
        this.inFlight = batch;
        await this.options.handleBatch(batch);
      } catch (error) {
        // A failed read or batch: its rows go back, and the whole feed waits for the retry (or a new row).
        this.putBack(batch);
        this.hooks?.failed(error);
        this.retryTimer = this.options.clock.setTimeout(() => {
          this.retryTimer = null;
          this.wake();
        }, this.options.retryMs ?? 1_000);
        return;
      } finally {
        this.inFlight = [];
      }
      this.hooks?.settled();
    }
  }

  /** Reads the next rows of feeds that hold nothing but have rows left in the outbox. */
  private async readUnheld(): Promise<void> {
    for (const [workspaceId, feed] of this.feeds) {
      if (feed.held.length > 0 || !feed.unheldFrom) continue;
      const from = feed.unheldFrom;
      const upToId = this.handedUpTo;
      const rows = await outboxOfWorkspace(this.options.storage.db, { workspaceId, fromSeq: from.seq, upToId, limit: this.readSize });
      feed.held = rows.rows.map(toRecord);
      const last = feed.held[feed.held.length - 1];
      const next = { seq: last ? last.seq + 1 : from.seq, id: last ? last.id + 1 : from.id };
      if (feed.held.length === this.readSize) {
        // A full read may have left rows; they come after the last one read (seq and id grow together in a workspace).
        feed.unheldFrom = next;
      } else if (this.handedUpTo > upToId) {
        // Rows handed during the read were passed over (`handle` skips a feed with unheld rows): read them next.
        feed.unheldFrom = { seq: next.seq, id: Math.max(next.id, upToId + 1) };
      } else {
        feed.unheldFrom = null;
      }
    }
  }

  /** Up to `batchSize` rows, taking the feeds' oldest in turn; each feed's rows stay in order. */
  private nextBatch(): OutboxRecord[] {
    const feeds = [...this.feeds.entries()].filter(([, f]) => f.held.length > 0);
    // Drops feeds with nothing left, so the map holds only workspaces with work.
    for (const [workspaceId, feed] of this.feeds) if (feed.held.length === 0 && !feed.unheldFrom) this.feeds.delete(workspaceId);
    if (feeds.length === 0) return [];
    const start = this.turn++ % feeds.length;
    const taken = new Array<number>(feeds.length).fill(0);
    const batch: OutboxRecord[] = [];
    for (let more = true; more && batch.length < this.batchSize; ) {
      more = false;
      for (let k = 0; k < feeds.length && batch.length < this.batchSize; k++) {
        const i = (start + k) % feeds.length;
        const held = feeds[i]![1].held;
        if (taken[i]! >= held.length) continue;
        batch.push(held[taken[i]!]!);
        taken[i]! += 1;
        more = true;
      }
    }
    feeds.forEach(([, feed], i) => feed.held.splice(0, taken[i]!));
    return batch;
  }

  /** A failed batch's rows go back to the front of their feeds, to run again in the same order. */
  private putBack(batch: readonly OutboxRecord[]): void {
    // Last first, each to the front: a feed's rows end up in their batch order, before what it still holds.
    for (let i = batch.length - 1; i >= 0; i--) this.feedOf(batch[i]!.workspaceId).held.unshift(batch[i]!);
  }

  private feedOf(workspaceId: string): Feed {
    let feed = this.feeds.get(workspaceId);
    if (!feed) this.feeds.set(workspaceId, (feed = { held: [], unheldFrom: null }));
    return feed;
  }
}
