import type { Deps } from '../deps.js';
import { Change } from '../storage/change.js';
import type { Lane, Work } from '../storage/group-commit.js';

/**
 * Runs one command as one unit of work, all or nothing. The unit may share its transaction with
 * concurrent commands (group commit); it resolves only once that transaction has committed.
 *
 * When the request holds an `Idempotency-Key`, the unit also stores the request's response as its
 * last statement (services/idempotent-reply.ts), so a change is never committed without the
 * response that answers its retries. A command therefore returns its unit's result as it is: the
 * route renders the response from it.
 */
export async function runCommand<T>(deps: Deps, work: Work<T>, lane: Lane = 'request'): Promise<T> {
  // Taken here, in the request's own call, not inside the unit: units run later, on the committer's turn.
  const reply = deps.reply?.take() ?? null;
  const result = await deps.storage.write(async (trx) => {
    const value = await work(trx);
    await reply?.store(trx, value);
    return value;
  }, lane);
  reply?.committed();
  return result;
}

/**
 * Runs a command that changes the domain: state + timeline + outbox in one unit of work
 * (`runCommand`), then wakes the outbox relay. Side effects never run inside: if the unit rolls
 * back, nothing was announced.
 */
export async function runChange<T>(deps: Deps, workspaceId: string, fn: (change: Change) => Promise<T>, lane: Lane = 'request'): Promise<T> {
  // The unit may run twice (storage/group-commit.ts); the last run is the one that committed.
  let committed: Change | null = null;
  const result = await runCommand(deps, async (trx) => {
    // The clock is read when the unit starts, not when it was queued, so times follow commit order.
    const change = new Change(trx, workspaceId, deps.clock.now());
    committed = change;
    const value = await fn(change);
    await change.finish();
    return value;
  }, lane);
  deps.relay.committed((committed as Change | null)?.published ?? []);
  deps.relay.kick();
  return result;
}

/** `runChange` for work no request waits on (rule runs, timers, queue drains): it yields to requests' units. */
export function runBackgroundChange<T>(deps: Deps, workspaceId: string, fn: (change: Change) => Promise<T>): Promise<T> {
  return runChange(deps, workspaceId, fn, 'background');
}
