import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { compareKeys, type ActivityKey, type Band, type ReadBands } from './read-bands.js';
import type { ConversationRow, Database } from './schema.js';

/**
 * The Unread view's walk: an agent's unread open conversations, newest activity first, found by
 * querying the gaps between the agent's read bands (storage/read-bands.ts, which says why skipping
 * them is exact) and learning new bands from what it passes.
 *
 * libsql runs a query synchronously on the event loop, and a gap can be long: an agent's first walk
 * ever passes their whole run of read conversations (140,000 for the benchmark's caught-up agent at
 * 1M conversations, ~180 ms as one query). So a gap is walked in chunks of a bounded number of open
 * conversations, with a turn of the event loop between them: no step holds the loop for more than a
 * few ms (docs/benchmarks.md), and the rows are the same as the one query's. Writes that land
 * between two chunks do not change that: they can only move a conversation to "now", above where
 * the walk is, or resolve it, or move a read mark forward, which is what bands rely on already.
 */

// `{}` is Kysely's own type for "nothing selected yet".
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type ConvQuery = SelectQueryBuilder<Database & { c: ConversationRow }, 'c', {}>;
type Q = Kysely<Database>;

/** Restricts a query over `conversations as c` to the open conversations unread by the agent. */
export function unreadBy(q: ConvQuery, agentId: string): ConvQuery {
  // Unread: the latest inbound message is newer than this agent's read mark (or no mark yet).
  return q
    .where('c.status', '=', 'open')
    .where('c.last_inbound_seq', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('read_states as r')
            .select(sql.lit(1).as('one'))
            .whereRef('r.conversation_id', '=', 'c.id')
            .where('r.agent_id', '=', agentId)
            .whereRef('r.last_read_seq', '>=', 'c.last_inbound_seq'),
        ),
      ),
    );
}

/** Where a walk's next gap starts: below (or at, when `inclusive`) `key`. */
interface Upper {
  key: ActivityKey;
  inclusive: boolean;
  /** The band the walk has just skipped, whose lower end `key` is. */
  band: Band | null;
}

const keyOf = (row: Pick<ConversationRow, 'last_message_at' | 'id'>): ActivityKey => ({ at: Number(row.last_message_at), id: row.id });

/** Restricts `q` to keys below `upper` and at or above `lower`: row-value ranges, which the index seeks to. */
function between(q: ConvQuery, upper: Upper | null, lower: ActivityKey | null): ConvQuery {
  let r = q;
  if (upper) r = r.where((eb) => eb(eb.refTuple('c.last_message_at', 'c.id'), upper.inclusive ? '<=' : '<', eb.tuple(upper.key.at, upper.key.id)));
  if (lower) r = r.where((eb) => eb(eb.refTuple('c.last_message_at', 'c.id'), '>=', eb.tuple(lower.at, lower.id)));
  return r;
}

const conversationsOf = (db: Q, workspaceId: string) => db.selectFrom('conversations as c').where('c.workspace_id', '=', workspaceId) as unknown as ConvQuery;

/**
 * The highest upper end a band learned now may have: just below every key at the highest activity
 * millisecond handed out so far (an empty id sorts first). Read before the walk's queries, so what
 * any later change does lands at or above it. Null when the workspace is gone: nothing is learned.
 */
async function ceilingOf(db: Q, workspaceId: string): Promise<ActivityKey | null> {
  const row = await db.selectFrom('workspaces').select('last_activity_at').where('id', '=', workspaceId).executeTakeFirst();
  return row ? { at: Number(row.last_activity_at), id: '' } : null;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The key of the `n`th open conversation of a range, from the top; null when the range holds fewer. */
async function nthOpen(db: Q, workspaceId: string, upper: Upper | null, lower: ActivityKey | null, n: number): Promise<ActivityKey | null> {
  const row = await between(conversationsOf(db, workspaceId).where('c.status', '=', 'open'), upper, lower)
    .select(['c.last_message_at', 'c.id'])
    .orderBy('c.last_message_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(1)
    .offset(n - 1)
    .executeTakeFirst();
  return row ? keyOf(row) : null;
}

/**
 * Up to `want` unread rows below `upper` and at or above `lower` (null: down to the oldest), newest
 * first, walked in chunks (`ReadBands.chunks`); `exhausted` when the range held fewer than `want`.
 */
async function unreadInRange(
  db: Q,
  chunks: { first: number; max: number },
  workspaceId: string,
  agentId: string,
  upper: Upper | null,
  lower: ActivityKey | null,
  want: number,
): Promise<{ rows: ConversationRow[]; exhausted: boolean }> {
  const rows: ConversationRow[] = [];
  let top = upper;
  for (let chunk = chunks.first; ; chunk = Math.min(2 * chunk, chunks.max)) {
    // The chunk ends at its `chunk`th open conversation, or at the range's own end if that comes first.
    const edge = await nthOpen(db, workspaceId, top, lower, chunk);
    const found = (await between(unreadBy(conversationsOf(db, workspaceId), agentId), top, edge ?? lower)
      .selectAll('c')
      .orderBy('c.last_message_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(want - rows.length)
      .execute()) as ConversationRow[];
    rows.push(...found);
    if (rows.length >= want) return { rows, exhausted: false };
    if (!edge) return { rows, exhausted: true };
    top = { key: edge, inclusive: false, band: null };
    await nextTurn();
  }
}

/** Counts the open conversations strictly between two keys, stopping at `cap`. */
async function countOpen(db: Q, workspaceId: string, lo: ActivityKey | null, hi: ActivityKey, cap: number): Promise<number> {
  let q = conversationsOf(db, workspaceId)
    .where('c.status', '=', 'open')
    .where((eb) => eb(eb.refTuple('c.last_message_at', 'c.id'), '<', eb.tuple(hi.at, hi.id)));
  if (lo) q = q.where((eb) => eb(eb.refTuple('c.last_message_at', 'c.id'), '>', eb.tuple(lo.at, lo.id)));
  const row = await db
    .selectFrom(q.select(sql.lit(1).as('one')).limit(cap).as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

interface Run extends Band {
  /** Touches a band the walk skipped, so it extends (or joins) that band whatever its size. */
  anchored: boolean;
}

/** Collects what one walk passes through, and turns it into bands when the walk is done. */
class Learner {
  private readonly runs: Run[][] = [];
  readonly used: Band[] = [];

  constructor(private readonly ceiling: ActivityKey | null) {}

  /**
   * One gap's result: the unread rows found below `upper` (newest first), and, when the gap was
   * exhausted, the band below it (null: the gap reached the oldest conversation). Between the top,
   * each found row and the bottom, every open conversation is read: those are the runs.
   */
  gap(upper: Upper | null, found: ActivityKey[], exhausted: { below: Band | null } | null): void {
    const ceiling = this.ceiling;
    if (!ceiling) return;
    const runs: Run[] = [];
    // The first run's top: the skipped band's upper end (the gap adds to that band), the cursor, or
    // no end at all, which the ceiling cuts below.
    let top = upper?.band ? upper.band.hi : (upper?.key ?? ceiling);
    let anchored = !!upper?.band;
    for (const key of found) {
      runs.push({ lo: key, hi: top, anchored });
      top = key;
      anchored = false;
    }
    if (exhausted) runs.push({ lo: exhausted.below?.lo ?? null, hi: top, anchored: anchored || !!exhausted.below });
    // Bands stay strictly below the ceiling; runs above it shrink or go.
    const clamped: Run[] = [];
    for (const run of runs) {
      const hi = compareKeys(run.hi, ceiling) > 0 ? ceiling : run.hi;
      if (run.lo === null || compareKeys(run.lo, hi) < 0) clamped.push({ ...run, hi });
    }
    this.runs.push(clamped);
  }

  skipped(band: Band): void {
    this.used.push(band);
  }

  /**
   * The bands to record: every anchored run, and every other run that holds at least `minRows`
   * open conversations. Counting is capped, and done by halves over a gap's consecutive runs: one
   * count over them all shows whether any can be that long, which in a dense stretch of unread
   * rows (the common case) settles the page with one small query.
   */
  async bands(db: Q, workspaceId: string, minRows: number): Promise<Band[]> {
    const out: Band[] = [];
    for (const runs of this.runs) {
      const free = runs.filter((r) => !r.anchored);
      for (const r of runs) if (r.anchored) out.push({ lo: r.lo, hi: r.hi });
      if (free.length === 0) continue;
      // Consecutive: free[k].lo is free[k + 1].hi, an unread row; points are the chain's ends.
      const points: (ActivityKey | null)[] = [free[0]!.hi, ...free.map((r) => r.lo)];
      const search = async (top: number, bottom: number): Promise<void> => {
        const unreadInside = bottom - top - 1;
        const lo = points[bottom] ?? null;
        const hi = points[top]!; // only the last point can be open-ended
        const n = await countOpen(db, workspaceId, lo, hi, unreadInside + minRows);
        if (n < unreadInside + minRows) return;
        if (bottom - top === 1) {
          out.push({ lo, hi });
          return;
        }
        const middle = (top + bottom) >> 1;
        await search(top, middle);
        await search(middle, bottom);
      };
      await search(0, points.length - 1);
    }
    return out;
  }
}

/**
 * Up to `want` open conversations unread by the agent, newest activity first, below `cursor`:
 * the same rows as the plain walk (`unreadBy` ordered by key), skipping the agent's bands.
 */
export async function walkUnread(
  db: Q,
  readBands: ReadBands,
  workspaceId: string,
  agentId: string,
  want: number,
  cursor: ActivityKey | null,
): Promise<ConversationRow[]> {
  const learner = new Learner(await ceilingOf(db, workspaceId));
  const bands = await readBands.bandsFor(workspaceId, agentId);
  const rows: ConversationRow[] = [];
  let upper: Upper | null = cursor ? { key: cursor, inclusive: false, band: null } : null;
  for (let i = 0; rows.length < want; ) {
    // Bands wholly above where the walk is have nothing more to skip.
    while (upper && i < bands.length && bands[i]!.lo !== null && compareKeys(bands[i]!.lo!, upper.key) >= 0) i++;
    const band = bands[i] ?? null;
    const startsInside = band && upper && compareKeys(upper.key, band.hi) < (upper.inclusive ? 0 : 1);
    if (!startsInside) {
      const gap = await unreadInRange(db, readBands.chunks, workspaceId, agentId, upper, band?.hi ?? null, want - rows.length);
      rows.push(...gap.rows);
      learner.gap(upper, gap.rows.map(keyOf), gap.exhausted ? { below: band } : null);
      if (rows.length >= want) break;
    }
    if (!band?.lo) {
      if (band) learner.skipped(band);
      break;
    }
    learner.skipped(band);
    upper = { key: band.lo, inclusive: true, band };
    i++;
  }
  readBands.learn(workspaceId, agentId, await learner.bands(db, workspaceId, readBands.minRows), learner.used);
  return rows;
}
