import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import { runDirect } from './direct.js';
import type { Database } from './schema.js';

/** Stands in for an argument while a query's shape is compiled; each call puts the argument there. */
class Slot {
  constructor(readonly name: string) {}
}

type Shape<A, R> = (db: Kysely<Database>, args: A) => Compilable<R>;

/**
 * A query on the hot path whose SQL is compiled once per dialect: each call only fills in the
 * parameters. Kysely builds and compiles every query anew, which was ~15% of a create request's
 * CPU (docs/benchmarks.md); the same SQL string each time also makes the driver's statement cache
 * lookup cheap.
 *
 * `shape` builds the query from `args` as usual, but is called once with placeholders, so it must
 * not branch on argument values or inspect them (a shape that does fails loudly here or is
 * caught by the tests of the query that uses it). Every name in `names` must reach the query as a
 * parameter.
 */
export function prepared<A extends object, R = unknown>(names: readonly (keyof A & string)[], shape: Shape<A, R>) {
  // One compiled form per dialect adapter: a database and its transactions share the adapter.
  const compiled = new WeakMap<object, CompiledQuery<R>>();
  const compile = (db: Kysely<Database>) => {
    const slots = Object.fromEntries(names.map((name) => [name, new Slot(name)])) as unknown as A;
    const query = shape(db, slots).compile();
    const used = new Set(query.parameters.filter((p): p is Slot => p instanceof Slot).map((p) => p.name));
    const unused = names.filter((name) => !used.has(name));
    if (unused.length) throw new Error(`prepared query does not use ${unused.join(', ')}: ${query.sql}`);
    return query;
  };
  return (db: Kysely<Database>, args: A): Promise<QueryResult<R>> => {
    const adapter = db.getExecutor().adapter;
    let query = compiled.get(adapter);
    if (!query) compiled.set(adapter, (query = compile(db)));
    const parameters = query.parameters.map((p) => (p instanceof Slot ? (args as Record<string, unknown>)[p.name] : p));
    // Not `{ ...query, parameters }`: a property after a spread is a slow path on Node 20's V8.
    const compiledQuery: CompiledQuery<R> = { sql: query.sql, query: query.query, queryId: query.queryId, parameters };
    // Inside a unit of work on the embedded database, straight on its connection (storage/direct.ts).
    const direct = runDirect(db, compiledQuery);
    return direct ? Promise.resolve(direct) : db.executeQuery<R>(compiledQuery);
  };
}

/**
 * An insert of one whole row into `table`, prepared. `columns` names every column of the row type
 * (the compiler checks none is missing), so a row can never be written without one of its fields.
 * `Row` is the table's row unless a caller inserts fewer columns on purpose (the rest default).
 */
export function preparedInsert<T extends keyof Database, Row extends Partial<Database[T]> = Database[T]>(table: T, columns: Record<keyof Row & string, true>) {
  return prepared<Row>(Object.keys(columns) as (keyof Row & string)[], (db, row) => db.insertInto(table).values(row as never));
}
