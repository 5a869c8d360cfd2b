import type { Clock } from '../clock.js';
import { openSqlite, type SqliteSynchronous, type Storage } from './db.js';
import { openPostgres } from './postgres.js';

/** Whether `target` names a PostgreSQL database (a `postgres://` or `postgresql://` URL) rather than a file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/**
 * Opens the database `target` names: a PostgreSQL URL, or a libsql file (`:memory:` for tests).
 * `serving: false` for a tool that opens it beside the node serving it (postgres.ts);
 * `onServingLost` hears that another node took a PostgreSQL database over, and `postgresTimeoutMs`
 * bounds each wait for the server to answer a connect or the heartbeat (serving-lock.ts);
 * `postgresPoolSize` caps the node's pooled connections (the serving lock holds one more);
 * `sqliteSynchronous` is how a file syncs at commit (db.ts).
 */
export function openStorage(
  target: string,
  options: {
    clock?: Clock;
    serving?: boolean;
    onServingLost?: (error: Error) => void;
    postgresTimeoutMs?: number;
    postgresPoolSize?: number;
    sqliteSynchronous?: SqliteSynchronous;
  } = {},
): Promise<Storage> {
  return isPostgresUrl(target)
    ? openPostgres(target, {
        serving: options.serving ?? true,
        clock: options.clock,
        onServingLost: options.onServingLost,
        timeoutMs: options.postgresTimeoutMs,
        poolSize: options.postgresPoolSize,
      })
    : openSqlite(target, { clock: options.clock, synchronous: options.sqliteSynchronous });
}
