import type { Clock, TimerHandle } from '../clock.js';
import type { OutboxConsumer } from '../outbox/relay.js';
import type { Storage } from '../storage/db.js';
import { INDEX_BATCH, indexNextBatch, searchIndexBehind } from '../storage/search-index.js';

/**
 * Runs full-text indexing after commit (storage/search-index.ts): woken by the outbox relay when
 * messages or notes were committed, and awaited by every search, which therefore never misses a
 * committed message even if the wake-up has not run yet (or the process restarted in between).
 *
 * Each batch is a unit of work of its own, so it joins the next group commit beside the requests
 * instead of adding a commit, and never holds the writer for long. Passes may overlap; each batch
 * reads the progress mark inside its own transaction, so none indexes a row twice.
 *
 * Woken at most every `delayMs`, not after every commit: FTS5 writes a segment per insert and
 * merges them later, and indexing each group commit's few rows on its own was ~14% of a create's
 * CPU (docs/benchmarks.md) against a few percent in batches of a quarter second. Nobody waits for
 * it: a search catches up first (`beforeSearch`), so it never misses a committed message.
 */
export class SearchIndexer {
  private passes = new Set<Promise<void>>();
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly delayMs = 250,
  ) {}

  /** Resolves when everything committed before the call is in the index. */
  catchUp(): Promise<void> {
    if (this.storage.engine !== 'sqlite') return Promise.resolve();
    const pass = this.pass().finally(() => this.passes.delete(pass));
    this.passes.add(pass);
    return pass;
  }

  /** For searches: skips the write when nothing is pending. */
  async beforeSearch(): Promise<void> {
    if (this.storage.engine === 'sqlite' && (await searchIndexBehind(this.storage.db))) await this.catchUp();
  }

  /** Settles when no pass is running (for shutdown). */
  async idle(): Promise<void> {
    while (this.passes.size) await Promise.allSettled([...this.passes]);
  }

  /** No more wake-ups (shutdown); what is pending is indexed at the next start or search. */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private wakeSoon(onError: (error: unknown) => void): void {
    if (this.timer || this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.catchUp().catch(onError);
    }, this.delayMs);
  }

  /** The outbox consumer that wakes indexing after commits that added messages, notes or a new subject. */
  consumer(onError: (error: unknown) => void): OutboxConsumer {
    return {
      name: 'search-index',
      durable: false, // progress lives in search_progress, not in the relay
      handle: async (records) => {
        // A renamed subject is indexed from its event too (storage/search-index.ts).
        const hasText = records.some((r) => r.payload.items.some((item) => item.kind !== 'event' || item.type === 'subject_changed'));
        // Not awaited: socket fan-out and webhooks must not wait for indexing.
        if (hasText) this.wakeSoon(onError);
      },
    };
  }

  /**
   * A batch that is not full has reached the end of the timeline as its transaction saw it, which
   * includes everything committed before the pass began; so the pass ends even under steady writes.
   */
  private async pass(): Promise<void> {
    while ((await this.storage.write((trx) => indexNextBatch(trx), 'background')) === INDEX_BATCH);
  }
}
