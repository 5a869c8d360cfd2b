import type { ReactiveControllerHost } from 'lit';
import type { InboxStore } from '@baton/client';
import type { Team } from '@baton/protocol';
import { SnapshotController } from '../controllers/snapshot-controller.js';

/**
 * The workspace's teams for a part that names them ("Waiting for Bilingual", the team filter): the
 * store's, read once for every part the first time one calls `want()`, and kept current by
 * `team:updated`, so a team renamed or created elsewhere re-renders the host without a reload.
 */
export class TeamsController {
  private readonly snapshot: SnapshotController<readonly Team[]>;
  private readonly getStore: () => InboxStore | undefined;
  /** The store asked; cleared when its read fails, so the next `want()` asks again. */
  private asked: InboxStore | undefined;

  constructor(host: ReactiveControllerHost, getStore: () => InboxStore | undefined) {
    this.getStore = getStore;
    this.snapshot = new SnapshotController(host, getStore, (s) => s.teams);
  }

  /** Empty until read (the parts then say "a team" or "No team" for a moment). */
  get list(): readonly Team[] {
    return this.snapshot.value ?? [];
  }

  find(id: string | null | undefined): Team | undefined {
    return id ? this.list.find((t) => t.id === id) : undefined;
  }

  /** Asks the store for the teams, once per store; call it when the host has something to name. */
  want(): void {
    const store = this.getStore();
    if (!store || store === this.asked) return;
    this.asked = store;
    store.loadTeams().catch(() => {
      if (this.asked === store) this.asked = undefined;
    });
  }
}
