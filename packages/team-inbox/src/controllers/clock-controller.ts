import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * One timer for every relative time on the page ("now", "5m"…), however many rows show one: it
 * runs while any element holds a `ClockController` and asks each of them to render on a tick.
 */
const hosts = new Set<ReactiveControllerHost>();
let timer: ReturnType<typeof setInterval> | undefined;
let current = Date.now();
const TICK_MS = 30_000;

export const clock = {
  get now(): number {
    return current;
  },
  /** Moves the shared clock and re-renders every element showing times (the timer's job; tests step time with it). */
  tick(now = Date.now()): void {
    current = now;
    for (const host of hosts) host.requestUpdate();
  },
};

export class ClockController implements ReactiveController {
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  get now(): number {
    return current;
  }

  hostConnected(): void {
    if (hosts.size === 0) current = Date.now();
    hosts.add(this.host);
    timer ??= setInterval(() => clock.tick(), TICK_MS);
  }

  hostDisconnected(): void {
    hosts.delete(this.host);
    if (hosts.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  }
}
