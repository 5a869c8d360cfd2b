import type pg from 'pg';

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
