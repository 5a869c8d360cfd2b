import type { Deps } from '../deps.js';
import { Change } from '../storage/change.js';

/**
 * Runs one command in one transaction (state + timeline + outbox), then wakes the outbox relay.
 * Side effects never run inside: if the transaction rolls back, nothing was announced.
 */
export async function runChange<T>(deps: Deps, workspaceId: string, fn: (change: Change) => Promise<T>): Promise<T> {
  const now = deps.clock.now();
  const result = await deps.storage.db.transaction().execute(async (trx) => {
    const change = new Change(trx, workspaceId, now);
    const value = await fn(change);
    await change.finish();
    return value;
  });
  deps.relay.kick();
  return result;
}
