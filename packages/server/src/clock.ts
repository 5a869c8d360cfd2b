/**
 * Time as a dependency. Background work (outbox polling, presence expiry, token expiry) asks the
 * clock instead of the globals, so tests can drive it step by step with `ManualClock`.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export type TimerHandle = { readonly id: number } | ReturnType<typeof globalThis.setTimeout>;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = globalThis.setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * Runs `task` every `ms` on `clock`, timing each run from the end of the one before, so runs never
 * overlap; a failed run is reported and the schedule goes on, until `stop()`.
 */
export function repeat(clock: Clock, ms: number, task: () => Promise<unknown>, onError: (error: unknown) => void): { stop(): void } {
  let timer: TimerHandle | null = null;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      timer = null;
      task().catch(onError).finally(schedule);
    }, ms);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clock.clearTimeout(timer);
      timer = null;
    },
  };
}

/** A clock that only moves when told to; due timers fire in order inside `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.parse('2026-01-05T09:00:00Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'object' && handle && 'id' in handle) this.timers.delete(handle.id as number);
  }

  /** Moves time forward, firing every timer that falls due on the way, earliest first. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.current = due[1].at;
      due[1].fn();
    }
    this.current = target;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}
