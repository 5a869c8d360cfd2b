import { repeat } from './clock.js';
import type { Deps } from './deps.js';
import { wakeIfDue } from './services/snooze.js';
import { listDueSnoozes } from './storage/conversations.js';
import { logFailure } from './failure-log.js';

const POLL_EVERY_MS = 10_000;
const BATCH = 100;

/**
 * Wakes snoozed conversations when their time comes, on the injected clock. The wake-up times are
 * the conversations' own `snoozed_until` (migration 0020), not timers in memory, so a restart (or
 * another node) loses none: each pass wakes whatever is due, across workspaces, earliest first,
 * each in its own unit of work. A conversation wakes within `POLL_EVERY_MS` of its time. Tests drive
 * it with `wakeDue()` or by advancing a manual clock, then `idle()`.
 */
export class SnoozeWaker {
  private schedule: { stop(): void } | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly onError: (error: unknown) => void = (error) => logFailure('waking snoozed conversations', error),
  ) {}

  start(): void {
    this.schedule ??= repeat(this.deps.clock, POLL_EVERY_MS, () => this.wakeDue(), this.onError);
  }

  stop(): void {
    this.schedule?.stop();
    this.schedule = null;
  }

  /** Wakes every conversation due now; resolves with how many woke. One pass at a time. */
  wakeDue(): Promise<number> {
    return (this.running ??= this.pass().finally(() => (this.running = null)));
  }

  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }

  private async pass(): Promise<number> {
    const now = this.deps.clock.now();
    let woke = 0;
    for (;;) {
      const due = await listDueSnoozes(this.deps.storage.db, now, BATCH);
      for (const { workspace_id, id } of due) if (await wakeIfDue(this.deps, workspace_id, id, now)) woke += 1;
      // A batch that woke nothing new would come back the same: stop rather than spin.
      if (due.length < BATCH || woke === 0) return woke;
    }
  }
}
