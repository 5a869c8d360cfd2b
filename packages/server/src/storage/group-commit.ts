import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { withOwnedConnection, type StatementSource } from './direct.js';
import type { Database } from './schema.js';

export type Work<T> = (trx: Transaction<Database>) => Promise<T>;

/**
 * Which queue a unit waits in. `background` is work nobody is waiting on a response for (rule runs,
 * timers, indexing, delivery bookkeeping): it fills groups behind the requests' units, so a burst of
 * it cannot hold a create behind a whole group of rule runs (docs/decisions.md, session 5).
 */
export type Lane = 'request' | 'background';

interface Pending {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit for the embedded database: the units of work that arrive while one transaction is
 * running are committed together in the next one, each inside its own savepoint.
 *
 * Why: on SQLite in WAL mode a commit appends every page the transaction dirtied to the log, and
 * the create path dirties ~25 pages (three tables and their indexes, the outbox).
 * Committed one by one that was two thirds of the SQL time of a request; a group shares the pages
 * and the commit (docs/benchmarks.md). SQLite has one writer at a time anyway, so grouping costs
 * no concurrency.
 *
 * What callers see does not change: a unit's promise settles only after the COMMIT that holds it
 * (nothing is acknowledged before it is durable); a unit that throws rejects alone, and none of its
 * writes commit; units run one after another, so each sees the writes of the ones before it. If
 * the transaction itself fails (disk full, I/O error), every unit of the group rejects, since none
 * of them was committed.
 *
 * Savepoints only when a unit has failed: a group first runs its units bare, which saves the
 * SAVEPOINT and RELEASE per unit (~12 µs of a 0.19 ms create, docs/benchmarks.md). If a unit
 * throws, that transaction is rolled back, the unit rejects with its error, and the group runs
 * again without it, this time each unit in its own savepoint. Nothing of the first try was
 * acknowledged, and each unit that runs again sees the same writes before it as the first time
 * (the units before it, in the same order), so it decides the same way. A unit may therefore run
 * twice: it must keep its effects inside `trx` (units build their state afresh on each call, as
 * `runChange` does with its `Change`), and must not count on being called once.
 *
 * A unit must not wait for another unit (it would wait for a group that cannot start): write
 * through the `trx` it is given, never through the outer database.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private background: Pending[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly db: Kysely<Database>,
    /** The connection's statements, for units to run prepared queries on directly (storage/direct.ts); none on other engines. */
    private readonly statements: StatementSource | null = null,
    /** Most units in one transaction; bounds how long one commit keeps readers waiting. */
    private readonly maxGroup = 64,
    /**
     * Background units in a group while request units wait: enough that background work always
     * moves, few enough that a group stays short for the requests in it. With no request waiting,
     * background units fill the whole group.
     */
    private readonly backgroundShare = 8,
  ) {}

  run<T>(work: Work<T>, lane: Lane = 'request'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (lane === 'background' ? this.background : this.queue).push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Settles once every unit handed in so far has committed or failed (for shutdown). */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.background.length > 0 || this.running || this.scheduled) await new Promise((resolve) => setImmediate(resolve));
  }

  /** The next group: waiting requests first, then background units up to their share (or all room left). */
  private nextGroup(): Pending[] {
    const requests = this.queue.splice(0, this.maxGroup - Math.min(this.background.length, this.backgroundShare));
    const room = requests.length > 0 ? Math.min(this.backgroundShare, this.maxGroup - requests.length) : this.maxGroup;
    return requests.concat(this.background.splice(0, room));
  }

  /**
   * Starts the next group on `setImmediate`, which runs after the event loop has read the sockets:
   * every request that arrived meanwhile gets to join, instead of the first one committing alone.
   */
  private schedule(): void {
    if (this.running || this.scheduled || (this.queue.length === 0 && this.background.length === 0)) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.commitNextGroup();
    });
  }

  private async commitNextGroup(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const group = this.nextGroup();
    let outcomes: Outcome[] | null = null;
    let failure: unknown = null;
    try {
      const bare = await this.runBare(group);
      if ('outcomes' in bare) outcomes = bare.outcomes;
      else {
        // The refused unit keeps its error; the others run again, each in its own savepoint.
        outcomes = await this.transaction(async (trx) => {
          const results: Outcome[] = [];
          for (const unit of group) results.push(unit === bare.refused ? { ok: false, error: bare.error } : await runInSavepoint(trx, unit.work));
          return results;
        });
      }
    } catch (error) {
      failure = error;
    } finally {
      this.running = false;
    }
    group.forEach((unit, i) => {
      const outcome = outcomes?.[i];
      if (!outcome) unit.reject(failure);
      else if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
    this.schedule();
  }

  /** A transaction whose units may run prepared queries straight on its connection (storage/direct.ts). */
  private transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    const statements = this.statements;
    const group = async (trx: Transaction<Database>) => {
      committerRun.add(trx);
      const value = await fn(trx);
      await writeDeferred(trx);
      return value;
    };
    return this.db.transaction().execute((trx) => (statements ? withOwnedConnection(trx, statements, () => group(trx)) : group(trx)));
  }

  /**
   * Runs the group without savepoints: the units' outcomes once the transaction has committed, or
   * the first unit that threw (its transaction rolled back, nothing of the group committed). A
   * failure of the transaction itself (COMMIT) is thrown.
   */
  private async runBare(group: Pending[]): Promise<{ outcomes: Outcome[] } | { refused: Pending; error: unknown }> {
    const refusal = Symbol('unit refused');
    let refused: { refused: Pending; error: unknown } | null = null;
    try {
      const outcomes = await this.transaction(async (trx) => {
        const values: Outcome[] = [];
        for (const unit of group) {
          try {
            values.push({ ok: true, value: await unit.work(trx) });
          } catch (error) {
            refused = { refused: unit, error };
            throw refusal; // rolls the transaction back
          }
        }
        return values;
      });
      return { outcomes };
    } catch (error) {
      if (error !== refusal || !refused) throw error;
      return refused;
    }
  }
}

interface TransactionState {
  memo: Map<string, unknown>;
  deferred: Map<string, () => Promise<unknown>>;
}
const states = new WeakMap<Transaction<Database>, TransactionState>();
/** Transactions this committer runs: only they write what is deferred before their COMMIT. */
const committerRun = new WeakSet<Transaction<Database>>();

function stateOf(trx: Transaction<Database>): TransactionState {
  let state = states.get(trx);
  if (!state) states.set(trx, (state = { memo: new Map(), deferred: new Map() }));
  return state;
}

/**
 * Values the units of one transaction may hand on to the units after them (a row one read and
 * wrote, so the next need not read it again: storage/change.ts). A write of such a row outside the
 * unit that memoized it must drop its entry (after `writeDeferredNow`). When a unit's writes are
 * rolled back to its savepoint, the memo and the deferred writes are put back as they were before
 * that unit; a transaction rolled back whole takes both with it (the retry runs in a new one).
 */
export function transactionMemo(trx: Transaction<Database>): Map<string, unknown> {
  return stateOf(trx).memo;
}

/**
 * Defers `write` to just before the transaction commits, after its last unit, in place of an earlier
 * write deferred under the same `key`: several units that write the same row write it once (the
 * workspace row, storage/change.ts). `write` must read what it writes when it runs (from the memo),
 * not when it was deferred. Returns false for a transaction this committer does not run, which has
 * no such moment: the caller writes now. A failing deferred write fails the whole group's commit.
 */
export function deferUntilCommit(trx: Transaction<Database>, key: string, write: () => Promise<unknown>): boolean {
  if (!committerRun.has(trx)) return false;
  const { deferred } = stateOf(trx);
  deferred.delete(key); // re-added last: deferred writes run in the order they were last deferred
  deferred.set(key, write);
  return true;
}

/** Runs the write deferred under `key` now, if any (before something else writes the same row). */
export async function writeDeferredNow(trx: Transaction<Database>, key: string): Promise<void> {
  const state = states.get(trx);
  const write = state?.deferred.get(key);
  if (!write) return;
  state!.deferred.delete(key);
  await write();
}

async function writeDeferred(trx: Transaction<Database>): Promise<void> {
  const state = states.get(trx);
  if (!state) return;
  for (const [key, write] of [...state.deferred]) {
    state.deferred.delete(key);
    await write();
  }
}

/**
 * Runs one unit between SAVEPOINT and RELEASE. On its error the savepoint is rolled back and the
 * group goes on; if even that fails, the transaction is unusable and the error ends the group.
 */
async function runInSavepoint(trx: Transaction<Database>, work: Work<unknown>): Promise<Outcome> {
  const state = stateOf(trx);
  const before = { memo: new Map(state.memo), deferred: new Map(state.deferred) };
  await trx.executeQuery(SAVEPOINT);
  try {
    const value = await work(trx);
    await trx.executeQuery(RELEASE);
    return { ok: true, value };
  } catch (error) {
    // Memo entries are replaced, never changed in place, so copies of the maps are the state before the unit.
    states.set(trx, before);
    await trx.executeQuery(ROLLBACK_TO);
    await trx.executeQuery(RELEASE);
    return { ok: false, error };
  }
}

// Compiled once: these run twice per unit. The same words work on SQLite and PostgreSQL.
const SAVEPOINT = CompiledQuery.raw('SAVEPOINT unit');
const RELEASE = CompiledQuery.raw('RELEASE SAVEPOINT unit');
const ROLLBACK_TO = CompiledQuery.raw('ROLLBACK TO SAVEPOINT unit');
