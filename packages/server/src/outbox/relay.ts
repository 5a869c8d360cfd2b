import type { Clock, TimerHandle } from '../clock.js';
import type { OutboxRecord } from './changes.js';
import type { Storage } from '../storage/db.js';
import { consumerPosition, lastOutboxId, outboxAfter, storeConsumerPositions } from '../storage/outbox.js';
import { Mutex } from './mutex.js';

/**
 * Something that acts on committed changes. A durable consumer's place is stored in the database,
 * so it resumes after a restart and sees every row at least once (webhooks, workflows). A
 * transient one starts at the end of the outbox when the process starts (live socket fan-out;
 * clients catch up by replaying from their own seq).
 */
export interface OutboxConsumer {
  name: string;
  durable: boolean;
  /** Takes rows in id order; unless the consumer has `progress`, they are finished when it resolves. */
  handle(records: OutboxRecord[]): Promise<void>;
  /** For a consumer that finishes rows after `handle` returns, out of id order (outbox/workspace-feeds.ts). */
  progress?: ConsumerProgress;
}

/**
 * How far a consumer with work of its own has got. Its stored place is `settled()`, not the place
 * the relay handed up to, so a restart replays every row it had not finished.
 */
export interface ConsumerProgress {
  /** Every row up to this id is finished; null when every row handed is. */
  settled(): number | null;
  /** Whether it is working on rows now (`drain` waits for it, then passes again for what it committed). */
  busy(): boolean;
  /** Resolves once it is not working (rows waiting for a retry do not hold it). */
  idle(): Promise<void>;
  /** Starts no more work; what it holds is replayed after a restart. */
  stop(): void;
  /** The relay's hooks, given at registration. */
  attach(hooks: ProgressHooks): void;
}

/** What a consumer with work of its own tells the relay. */
export interface ProgressHooks {
  /** `settled()` moved: the place is stored soon. */
  settled(): void;
  /** Its work failed and will be tried again: reported as the relay reports a failed consumer. */
  failed(error: unknown): void;
}

/** How often moved durable places are written while passes run (`OutboxRelay.storePlacesSoon`). */
const PLACES_EVERY_MS = 250;

/** Most committed rows kept in memory for the consumers (`OutboxRelay.committedHere`). */
const COMMITTED_KEPT = 10_000;

export interface RelayOptions {
  /** How often to look for rows written by other processes or left by a failed attempt. */
  pollMs?: number;
  batchSize?: number;
  onError?: (consumer: string, error: unknown) => void;
}

export const toRecord = (r: {
  id: number;
  workspace_id: string;
  seq: number;
  type: string;
  conversation_id: string | null;
  payload: string;
  created_at: number;
}): OutboxRecord =>
  // The row was written by `Change.publish` from the same types, so its type and payload agree.
  ({
    id: Number(r.id),
    workspaceId: r.workspace_id,
    seq: Number(r.seq),
    type: r.type,
    conversationId: r.conversation_id,
    payload: JSON.parse(r.payload),
    createdAt: Number(r.created_at),
  }) as OutboxRecord;

interface ConsumerEntry {
  consumer: OutboxConsumer;
  /** Rows up to this id have been handed to the consumer. */
  position: number;
  /** A durable consumer's place as last stored (or about to be). */
  stored: number;
  /** Its pumps run one at a time; `exclusive` holds every consumer's. */
  turns: Mutex;
  /** A pump waiting for its turn: later kicks are served by it (how many rows it handed). */
  queued: Promise<number> | null;
  /** Its next poll on the clock. */
  poll: TimerHandle | null;
}

/** Rows up to here are finished by the consumer: its place to store and to keep the outbox from. */
const finishedUpTo = (entry: ConsumerEntry): number => Math.min(entry.position, entry.consumer.progress?.settled() ?? Infinity);

/**
 * Feeds committed outbox rows to consumers, each in id order. Services `kick()` it after each
 * commit; a clock-driven poll catches anything else. Tests call `drain()` to run it to completion.
 *
 * Each consumer is pumped on its own, from its own place: one that waits (for a write of its own,
 * a slow endpoint) holds only itself. When every consumer was handed each batch in turn, any
 * consumer's await held all the others, and one tenant's flood of notification jobs delayed every
 * tenant's socket events and routing by seconds (docs/benchmarks.md, sessions 11 and 12).
 */
export class OutboxRelay {
  private consumers: ConsumerEntry[] = [];
  private scheduled: Promise<void> | null = null;
  private stopped = true;
  /** The latest write of durable places; `drain()` resolves only once it has committed. */
  private positionsStored: Promise<void> = Promise.resolve();
  private placesTimer: TimerHandle | null = null;
  private readonly pollMs: number;
  private readonly batchSize: number;
  /**
   * Rows this process committed, by id, until every consumer has passed them: pumps hand them on
   * as they were written instead of reading them back and parsing their payloads (~5% of a create's
   * CPU, docs/benchmarks.md). Only a run of consecutive ids right after a consumer's place is
   * taken from here; anything else (rows of another process, rows dropped over the cap) is read.
   */
  private readonly committedHere = new Map<number, OutboxRecord>();

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly options: RelayOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 500;
  }

  async register(consumer: OutboxConsumer): Promise<void> {
    const position = consumer.durable ? await this.storedPosition(consumer.name) : await this.lastId();
    const entry: ConsumerEntry = { consumer, position, stored: position, turns: new Mutex(), queued: null, poll: null };
    this.consumers.push(entry);
    this.schedulePoll(entry);
    consumer.progress?.attach({ settled: () => this.storePlacesSoon(), failed: (error) => this.options.onError?.(consumer.name, error) });
  }

  /** Where a transient consumer is: rows up to here have been handed to it. */
  positionOf(name: string): number {
    return this.consumers.find((c) => c.consumer.name === name)?.position ?? 0;
  }

  /**
   * Rows up to this id have been handed to every consumer of this process, and finished by those
   * that finish later (Infinity with none): the outbox retention sweep keeps everything after it
   * (housekeeping.ts).
   */
  handedToAll(): number {
    return Math.min(...this.consumers.map(finishedUpTo));
  }

  /** Each consumer of this process and the outbox id up to which it has finished (metrics.ts). */
  progress(): { consumer: string; finishedUpTo: number }[] {
    return this.consumers.map((entry) => ({ consumer: entry.consumer.name, finishedUpTo: finishedUpTo(entry) }));
  }

  /** The durable consumers this process runs, by name. */
  durableNames(): string[] {
    return this.consumers.filter((e) => e.consumer.durable).map((e) => e.consumer.name);
  }

  /** Hands over rows a unit of this process has just committed (`runChange`), for the next pumps. */
  committed(records: readonly OutboxRecord[]): void {
    if (this.stopped && this.consumers.length === 0) return;
    for (const record of records) {
      // Bounded: the oldest go first, and a consumer that far behind reads them from the database.
      if (this.committedHere.size >= COMMITTED_KEPT) this.committedHere.delete(this.committedHere.keys().next().value!);
      this.committedHere.set(record.id, record);
    }
  }

  /** The committed rows after `from`, in id order, if this process wrote the next ones; else null. */
  private takeCommitted(from: number): OutboxRecord[] | null {
    const out: OutboxRecord[] = [];
    for (let id = from + 1; out.length < this.batchSize; id++) {
      const record = this.committedHere.get(id);
      if (!record) break;
      out.push(record);
    }
    return out.length > 0 ? out : null;
  }

  /** Drops kept rows every consumer has passed. */
  private forgetPassed(): void {
    if (this.committedHere.size === 0) return;
    const passed = Math.min(...this.consumers.map((e) => e.position));
    for (const id of this.committedHere.keys()) {
      if (id > passed) break;
      this.committedHere.delete(id);
    }
  }

  /** Asks every consumer's pump to run soon, coalescing many kicks into one run each. */
  kick(): void {
    if (this.scheduled) return;
    this.scheduled = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.scheduled = null;
      await this.pumpAll();
    });
  }

  /**
   * Hands every pending row to every consumer and stores the durable consumers' places; resolves
   * when they are all caught up, those with work of their own have finished it, and the places are
   * written (tests and shutdown wait for this).
   */
  async drain(): Promise<void> {
    for (;;) {
      const handed = await this.pumpAll();
      const working = this.consumers.filter((e) => e.consumer.progress?.busy());
      // What a consumer commits is more rows, for the others too: go round until nobody got any.
      if (working.length === 0 && handed.every((n) => n === 0)) break;
      await Promise.all(working.map((e) => e.consumer.progress!.idle()));
    }
    await this.storePlacesNow();
  }

  /** Every consumer's next pump (how many rows each handed). */
  private pumpAll(): Promise<number[]> {
    return Promise.all(this.consumers.map((entry) => this.pumpSoon(entry)));
  }

  /** A pump of this consumer that starts after now: the one already waiting, or a new one. */
  private pumpSoon(entry: ConsumerEntry): Promise<number> {
    if (entry.queued) return entry.queued;
    const run = entry.turns.run(() => {
      entry.queued = null;
      return this.pump(entry);
    });
    entry.queued = run;
    return run;
  }

  /**
   * Hands the consumer the rows past its place, a batch at a time, until it has them all or fails
   * (a failed consumer is reported and tried again from its place by the next kick or poll). The
   * durable places moved are written together at most every `PLACES_EVERY_MS` (`storePlacesSoon`):
   * after every pass they were ~2% of a create's CPU, and a crash before they land only replays
   * rows, which every durable consumer already tolerates.
   */
  private async pump(entry: ConsumerEntry): Promise<number> {
    let handed = 0;
    for (;;) {
      let records: OutboxRecord[];
      try {
        records = this.takeCommitted(entry.position) ?? (await outboxAfter(this.storage.db, { from: entry.position, limit: this.batchSize })).rows.map(toRecord);
        if (records.length === 0) break;
        await entry.consumer.handle(records);
      } catch (error) {
        // A consumer that failed, or a read the database did not answer (on PostgreSQL, a
        // connection that could not be made): reported, and tried again from the same place by the
        // next kick or poll. Let out, it was an unhandled rejection that ended the process.
        this.options.onError?.(entry.consumer.name, error);
        break;
      }
      entry.position = records[records.length - 1]!.id;
      handed += records.length;
      // A short batch means caught up. From memory, that is with what this process committed: a
      // row of another process shows as a gap the next pump reads across, or the poll finds it.
      if (records.length < this.batchSize) break;
    }
    this.forgetPassed();
    this.storePlacesSoon();
    return handed;
  }

  /** Durable consumers whose place moved since it was last stored. */
  private movedPlaces(): ConsumerEntry[] {
    return this.consumers.filter((e) => e.consumer.durable && finishedUpTo(e) > e.stored);
  }

  private storePlacesSoon(): void {
    if (this.placesTimer || this.stopped || this.movedPlaces().length === 0) return;
    this.placesTimer = this.clock.setTimeout(() => {
      this.placesTimer = null;
      void this.storePlacesNow();
    }, PLACES_EVERY_MS);
  }

  /** Writes the places moved since the last write (one unit of work, beside the next group commit). */
  private storePlacesNow(): Promise<void> {
    if (this.placesTimer) this.clock.clearTimeout(this.placesTimer);
    this.placesTimer = null;
    const moved = this.movedPlaces();
    if (moved.length > 0) {
      const entries = moved.map((e) => ({ name: e.consumer.name, position: (e.stored = finishedUpTo(e)) }));
      const previous = this.positionsStored;
      this.positionsStored = previous
        .then(() => this.storePositions(entries))
        .catch((error) => this.options.onError?.('(stored places)', error));
    }
    return this.positionsStored;
  }

  /** Runs `fn` while no consumer is handed anything (tests hold the relay with it). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const entries = [...this.consumers];
    // Every consumer's turn, always taken in registration order, so two of these cannot deadlock.
    const hold = (i: number): Promise<T> => (i === entries.length ? fn() : entries[i]!.turns.run(() => hold(i + 1)));
    return hold(0);
  }

  /** Resolves once the pumps asked for have run and those with work of their own have finished it. */
  async idle(): Promise<void> {
    while (this.scheduled) await this.scheduled;
    await Promise.all(this.consumers.map((e) => e.turns.run(() => undefined)));
    await Promise.all(this.consumers.map((e) => e.consumer.progress?.idle()));
    await this.storePlacesNow();
  }

  start(): void {
    this.stopped = false;
    for (const entry of this.consumers) this.schedulePoll(entry);
  }

  /** No more polls or timed writes of places; `idle()` writes the places still unstored. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.consumers) {
      entry.consumer.progress?.stop();
      if (entry.poll) this.clock.clearTimeout(entry.poll);
      entry.poll = null;
    }
    if (this.placesTimer) this.clock.clearTimeout(this.placesTimer);
    this.placesTimer = null;
  }

  /**
   * Each consumer polls on its own, the next poll once this one's pump is done, so a consumer busy
   * with a slow batch delays only its own. Not `drain()`: a poll hands on what is there and does not
   * wait for work a consumer does after `handle` returns.
   */
  private schedulePoll(entry: ConsumerEntry): void {
    if (this.stopped || entry.poll) return;
    entry.poll = this.clock.setTimeout(() => {
      entry.poll = null;
      void this.pumpSoon(entry)
        .then(() => this.storePlacesNow())
        .finally(() => this.schedulePoll(entry));
    }, this.pollMs);
  }

  private lastId(): Promise<number> {
    return lastOutboxId(this.storage.db);
  }

  private async storedPosition(name: string): Promise<number> {
    const stored = await consumerPosition(this.storage.db, name);
    if (stored !== undefined) return stored;
    // A new durable consumer starts from now, not from the dawn of history.
    const start = await this.lastId();
    await this.storePositions([{ name, position: start }]);
    return start;
  }

  private async storePositions(entries: { name: string; position: number }[]): Promise<void> {
    // A unit of work of its own, so it shares the next group commit instead of adding a commit per pass.
    await this.storage.write((trx) => storeConsumerPositions(trx, entries), 'background');
  }
}
