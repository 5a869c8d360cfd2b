import type { Deps } from '../deps.js';
import { Change } from '../storage/change.js';

/**
 * Runs one command as one unit of work (state + timeline + outbox, all or nothing), then wakes the
 * outbox relay. The unit may share its transaction with concurrent commands (group commit); it
 * resolves only once that transaction has committed. Side effects never run inside: if the unit
 * rolls back, nothing was announced.
 */
export async function runChange<T>(deps: Deps, workspaceId: string, fn: (change: Change) => Promise<T>): Promise<T> {
  const result = await deps.storage.write(async (trx) => {
    // The clock is read when the unit starts, not when it was queued, so times follow commit order.
    const change = new Change(trx, workspaceId, deps.clock.now());
    const value = await fn(change);
    await change.finish();
    return value;
  });
  deps.relay.kick();
  return result;
}
