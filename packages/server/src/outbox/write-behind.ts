import type { Clock, TimerHandle } from '../clock.js';
import type { OutboxRecord } from './changes.js';
import type { ConsumerProgress } from './relay.js';

export interface WriteBehindOptions {
  clock: Clock;
  /** Writes submitted and not committed at most; past it, `submit` waits for the oldest. */
  maxInFlight?: number;
  /** How long after a failed write to try it again. */
  retryMs?: number;
  onError?: (error: unknown) => void;
}

/** One batch's write, from submission until it commits. */
interface Pending {
  /** The batch's first row: the consumer has finished nothing from here on until this commits. */
  firstId: number;
  /** The attempt under way; it settles either way (a failure waits for its retry). */
  attempt: Promise<void>;
  /** Failed, waiting for its retry. */
  waiting: boolean;
  retry: TimerHandle | null;
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
 */
export class WriteBehind implements ConsumerProgress {
  private readonly pending: Pending[] = [];
  private readonly listeners: (() => void)[] = [];
  private stopped = false;
  private readonly maxInFlight: number;

  constructor(private readonly options: WriteBehindOptions) {
    this.maxInFlight = options.maxInFlight ?? 64;
  }

  /**
   * Starts `write` for a batch and resolves once it is submitted; `committed` runs after the write
   * has. With `maxInFlight` writes not committed, it first waits for the oldest, or throws if that
   * one is failing: the consumer then sits out the relay's pass, as a failed consumer does, and is
   * handed the rows again.
   */
  async submit(records: readonly OutboxRecord[], write: () => Promise<void>, committed?: () => void): Promise<void> {
    if (records.length === 0) return;
    while (this.pending.length >= this.maxInFlight) {
      const oldest = this.pending[0]!;
      if (oldest.waiting) throw new Error(`${this.pending.length} writes not committed, the oldest failing; these rows are handed again`);
      await oldest.attempt;
    }
    const entry: Pending = { firstId: records[0]!.id, attempt: Promise.resolve(), waiting: false, retry: null };
    this.pending.push(entry);
    const attempt = () => {
      entry.waiting = false;
      entry.retry = null;
      entry.attempt = write().then(
        () => {
          this.pending.splice(this.pending.indexOf(entry), 1);
          committed?.();
          for (const listener of this.listeners) listener();
        },
        (error: unknown) => {
          this.options.onError?.(error);
          entry.waiting = true;
          // Stopped: left unsettled, replayed after a restart.
          if (!this.stopped) entry.retry = this.options.clock.setTimeout(attempt, this.options.retryMs ?? 1_000);
        },
      );
    };
    attempt();
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

  onSettled(listener: () => void): void {
    this.listeners.push(listener);
  }
}
