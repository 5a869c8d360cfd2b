import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { InboxSnapshot, InboxStore } from '@baton/client';

function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Keeps a slice of the store's snapshot on the host and re-renders it only when that slice
 * changes (the store hands out a new snapshot for every change, but most parts care about a few
 * fields). Follows the store when the context hands over a new one.
 */
export class SnapshotController<T> implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly getStore: () => InboxStore | undefined;
  private readonly select: (snapshot: InboxSnapshot) => T;
  private store: InboxStore | undefined;
  private unsubscribe: (() => void) | null = null;
  private connected = false;
  /** Undefined until a store is there. */
  value: T | undefined;

  constructor(host: ReactiveControllerHost, getStore: () => InboxStore | undefined, select: (snapshot: InboxSnapshot) => T) {
    this.host = host;
    this.getStore = getStore;
    this.select = select;
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    this.follow(this.getStore());
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.store = undefined;
  }

  /** Before each render: the context may have handed over another store. */
  hostUpdate(): void {
    const store = this.getStore();
    if (this.connected && store !== this.store) this.follow(store);
  }

  private follow(store: InboxStore | undefined): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.store = store;
    this.value = store ? this.select(store.getSnapshot()) : undefined;
    if (!store) return;
    this.unsubscribe = store.subscribe((snapshot) => {
      const next = this.select(snapshot);
      if (shallowEqual(next, this.value)) return;
      this.value = next;
      this.host.requestUpdate();
    });
  }
}
