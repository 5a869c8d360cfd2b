import type { Clock, TimerHandle } from '../clock.js';
import type { OutboxRecord } from './changes.js';
import type { ConsumerProgress, ProgressHooks } from './relay.js';

export interface WriteBehindOptions {
  clock: Clock;
  /** Writes submitted and not committed at most; past it, `submit` waits for the oldest. */
  maxInFlight?: number;
  /** How long after a failed write to try it again. */
  retryMs?: number;
}

/**
 * Given to an ordered write (`submit`): each of its units of work runs its work through `run`,
 * inside the unit, where units run one after another in the order they were submitted.
 */
export interface InOrder {
  /** Refuses (throws) while an earlier write of the consumer has failed and not committed since. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** A unit refused because an earlier write of the same consumer failed: it runs again after that one. */
export class WrittenOutOfOrder extends Error {
  constructor() {
    super('an earlier write of this consumer failed; this one runs again after it');
  }
}

/** One batch's write, from submission until it commits. */
interface Pending {
  /** Submission order. */
  seq: number;
  /** The batch's first row: the consumer has finished nothing from here on until this commits. */
  firstId: number;
  /** The attempt under way; it settles either way (a failure waits for its retry). */
  attempt: Promise<void>;
  /** Failed, waiting for its retry. */
  waiting: boolean;
  retry: TimerHandle | null;
  /** Starts another attempt. */
  again: () => void;
}

/**
 * For an outbox consumer whose work on a batch ends in one write (the notifier's and the webhooks'
 * jobs): `handle` submits the write and returns, instead of holding the relay until a background
 * unit finds room in a group commit. While requests flood, that wait was the relay's pace, and with
 * it every other consumer's: a tenant's socket events and rule runs waited for another tenant's
 * notification jobs (docs/benchmarks.md, session 11).
 *
 * The relay stores the consumer's place as `settled()`: below the first row of the oldest write not
 * committed, so a crash replays it (the jobs' dedupe keys make that a no-op). A failed write is
 * tried again on the clock, in place; the rows it covers stay unsettled until it commits.
 *
 * A write whose units read what the previous write left (the routing-timers consumer) runs them
 * through `InOrder.run`: once one has failed, later ones are refused until it has committed, and
 * are tried again after it, so they apply in submission order. Units run one after another in the
 * group committer, and a refusal there also refuses the units after it in the same group.
 */
export class WriteBehind implements ConsumerProgress {
  private readonly pending: Pending[] = [];
  private hooks: ProgressHooks | null = null;
  private stopped = false;
  private readonly maxInFlight: number;
  private nextSeq = 0;
  /** Ordered writes: the earliest write that failed and has not committed since; later ones are refused until it has. */
  private failedFrom: number | null = null;

  constructor(private readonly options: WriteBehindOptions) {
    this.maxInFlight = options.maxInFlight ?? 64;
  }

  /**
   * Starts `write` for a batch and resolves once it is submitted; `committed` runs after the write
   * has. With `maxInFlight` writes not committed, it first waits for the oldest, or throws if that
   * one is failing: the consumer then sits out the relay's pass, as a failed consumer does, and is
   * handed the rows again.
   */
  async submit(records: readonly OutboxRecord[], write: (inOrder: InOrder) => Promise<void>, committed?: () => void): Promise<void> {
    if (records.length === 0) return;
    while (this.pending.length >= this.maxInFlight) {
      const oldest = this.pending[0]!;
      if (oldest.waiting) throw new Error(`${this.pending.length} writes not committed, the oldest failing; these rows are handed again`);
      await oldest.attempt;
    }
    const entry: Pending = { seq: this.nextSeq++, firstId: records[0]!.id, attempt: Promise.resolve(), waiting: false, retry: null, again: () => {} };
    this.pending.push(entry);
    const inOrder: InOrder = {
      run: async (work) => {
        if (this.failedFrom !== null && this.failedFrom < entry.seq) throw new WrittenOutOfOrder();
        try {
          return await work();
        } catch (error) {
          // At once, inside the committer: the units after it in this group are refused too.
          this.failed(entry);
          throw error;
        }
      },
    };
    const attempt = () => {
      entry.waiting = false;
      entry.retry = null;
      entry.attempt = write(inOrder).then(
        () => {
          this.pending.splice(this.pending.indexOf(entry), 1);
          if (this.failedFrom === entry.seq) this.resumeAfter();
          committed?.();
          this.hooks?.settled();
        },
        (error: unknown) => {
          const refused = error instanceof WrittenOutOfOrder;
          // Refused, but what refused it has committed since: it goes again now, first in line.
          const goAgainNow = refused && (this.failedFrom === null || this.failedFrom >= entry.seq);
          this.failed(entry);
          if (!refused) this.hooks?.failed(error);
          entry.waiting = true;
          // Stopped: left unsettled, replayed after a restart.
          if (this.stopped) return;
          if (goAgainNow) entry.again();
          else entry.retry = this.options.clock.setTimeout(attempt, this.options.retryMs ?? 1_000);
        },
      );
    };
    entry.again = attempt;
    attempt();
  }

  /** The failed write committed: the next one waiting goes now rather than on its timer, so they follow at commit pace. */
  private resumeAfter(): void {
    const next = this.pending.filter((e) => e.waiting).sort((a, b) => a.seq - b.seq)[0];
    this.failedFrom = next?.seq ?? null;
    if (!next || this.stopped) return;
    if (next.retry) this.options.clock.clearTimeout(next.retry);
    next.again();
  }

  private failed(entry: Pending): void {
    if (this.failedFrom === null || entry.seq < this.failedFrom) this.failedFrom = entry.seq;
  }

  settled(): number | null {
    let lowest = Infinity;
    for (const entry of this.pending) lowest = Math.min(lowest, entry.firstId);
    return lowest === Infinity ? null : lowest - 1;
  }

  busy(): boolean {
    return this.pending.some((e) => !e.waiting);
  }

  async idle(): Promise<void> {
    while (this.busy()) await Promise.all(this.pending.filter((e) => !e.waiting).map((e) => e.attempt));
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.pending) {
      if (entry.retry) this.options.clock.clearTimeout(entry.retry);
      entry.retry = null;
    }
  }

  attach(hooks: ProgressHooks): void {
    this.hooks = hooks;
  }
}
