import type pg from 'pg';

/** How long a node waits for PostgreSQL to answer by default, in real time (`postgresTimeoutMs`). */
export const POSTGRES_TIMEOUT_MS = 10_000;

/**
 * What every connection of a node shares, the pool's and the serving lock's (serving-lock.ts):
 * - a server that does not answer at all (a dropped route) fails a connect after `timeoutMs`,
 *   instead of holding the caller (and a shutdown waiting for it) for the system's two minutes;
 * - a connection cut without a word (a partition) is probed by TCP keepalive from 10 s of silence,
 *   not the system's default two hours.
 */
export function connectionOptions(url: string, timeoutMs: number): pg.ClientConfig {
  return { connectionString: url, connectionTimeoutMillis: timeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
}

/**
 * Drops a `pg` client's connection now, as if the network had cut it: its queries fail with
 * "Connection terminated unexpectedly" and it emits `end`. For a server that does not answer
 * (a partition), where `client.end()` would wait for a goodbye that never comes.
 *
 * `pg` has no public call for this; its client keeps the socket at `connection.stream` (a
 * `net.Socket`), which is what is destroyed here.
 */
export function dropConnection(client: pg.Client): void {
  const { connection } = client as unknown as { connection?: { stream?: { destroy(): void } } };
  connection?.stream?.destroy();
}
