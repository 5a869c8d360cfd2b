import type { Clock } from './clock.js';
import type { OutboxRelay } from './outbox/relay.js';
import type { Storage } from './storage/db.js';

export interface ServerConfig {
  /** Enables `POST /v1/workspaces` when set (BATON_ADMIN_TOKEN). */
  adminToken?: string;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  version: string;
}

/** Everything the app needs from outside; tests build it with an in-memory database and a manual clock. */
export interface Deps {
  storage: Storage;
  clock: Clock;
  relay: OutboxRelay;
  config: ServerConfig;
}
