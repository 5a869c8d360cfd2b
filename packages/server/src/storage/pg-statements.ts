import pg from 'pg';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import { isStalePlan } from './unavailable.js';

/**
 * How many SQL texts a node runs by name at most; every connection of its pool prepares at most
 * these, and the few a table change made stale (`forget`).
 */
export const NAMED_STATEMENTS_CAP = 256;

/** How many times a text runs unnamed before it is given a name: a one-off query is never prepared. */
const NAMED_AFTER_USES = 2;

/**
 * Which SQL texts a node runs as named prepared statements on PostgreSQL, so each connection parses
 * a text once and the server plans it from its cache. Kysely sends every query as a fresh unnamed
 * statement (parse, bind, describe, execute); named, a node served 31–43% more creates a second on
 * 16–21% less CPU each (docs/benchmarks.md, session 19).
 *
 * Bounded, because `pg` keeps a named statement for the connection's life and the server keeps one
 * per connection too, and Kysely writes an `in (…)` list of n values as a different text for each
 * n: at most `cap` texts are ever named, each only once it has run `after` times. The hot path's
 * texts repeat within a node's first requests, so they take the names; once the names are all given,
 * any other text runs unnamed, as before. The texts still counting are bounded the same way (cleared
 * when they reach four times the cap), so a stream of distinct texts holds no memory.
 */
export class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #uses = new Map<string, number>();
  #given = 0;

  constructor(
    readonly cap = NAMED_STATEMENTS_CAP,
    readonly after = NAMED_AFTER_USES,
  ) {}

  /** The name to run `text` under, or undefined to run it unnamed. */
  nameFor(text: string): string | undefined {
    const name = this.#names.get(text);
    if (name !== undefined || this.#names.size >= this.cap) return name;
    const uses = (this.#uses.get(text) ?? 0) + 1;
    if (uses < this.after) {
      if (this.#uses.size >= 4 * this.cap) this.#uses.clear();
      this.#uses.set(text, uses);
      return undefined;
    }
    this.#uses.delete(text);
    // A new name each time a text is named, never a name used before: a connection that prepared the
    // text's earlier name (see `forget`) still holds that statement.
    const given = `baton_${++this.#given}`;
    this.#names.set(text, given);
    return given;
  }

  /** `text` runs unnamed from now on, until it earns a new name. */
  forget(text: string): void {
    this.#names.delete(text);
  }

  /** How many texts have a name now. */
  get size(): number {
    return this.#names.size;
  }
}

/**
 * The pool Kysely queries through: `pool`'s clients, with every text `names` gives a name run as
 * that named statement. A stale plan (`isStalePlan`) makes its text unnamed again; outside a
 * transaction the query is run once more, unnamed, and answers. Inside one the transaction has
 * failed already, so the error goes to the unit of work, whose caller may retry (whyUnavailable).
 */
export function namingPool(pool: pg.Pool, names: StatementNames): PostgresPool {
  // One wrapper per `pg` client, for the client's life: Kysely keeps its connection object per
  // client it is handed (a new wrapper at each checkout would be a new Kysely connection each time).
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    connect: async () => {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = namingClient(client, names)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}

function namingClient(client: pg.PoolClient, names: StatementNames): PostgresPoolClient {
  async function run<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    const values = parameters as unknown[];
    const unnamed = () => client.query(text, values) as unknown as Promise<PostgresQueryResult<R>>;
    // Statements without parameters (begin, commit, savepoints) gain nothing from a name.
    const name = values.length > 0 ? names.nameFor(text) : undefined;
    if (name === undefined) return unnamed();
    try {
      return await runNamed<PostgresQueryResult<R>>(client, name, text, values);
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      names.forget(text);
      if (client.getTransactionStatus() !== 'I') throw error;
      return unnamed();
    }
  }
  return {
    query: ((textOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) =>
      typeof textOrCursor === 'string' ? run(textOrCursor, parameters ?? []) : client.query(textOrCursor as never)) as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
  };
}

/**
 * Runs `text` as the named statement `name`: a `pg` Query made from the text, its name set before
 * the client submits it. Not `client.query({ name, text, values })`, because `pg` copies a config
 * object through its property descriptors (`cloneQueryConfig`), which was 2.7% of the node's CPU
 * on a plain create and 4% with rules (docs/benchmarks.md, session 19); a text it takes as it is.
 * `name` is the field `pg`'s Query reads when it is submitted, as from a config.
 */
function runNamed<R>(client: pg.PoolClient, name: string, text: string, values: unknown[]): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const query = new pg.Query(text, values, (error, result) => (error ? reject(error) : resolve(result as unknown as R)));
    (query as unknown as { name: string }).name = name;
    client.query(query);
  });
}
