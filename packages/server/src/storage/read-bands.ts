import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Clock } from '../clock.js';
import type { Storage } from './db.js';
import type { ConversationRow, Database } from './schema.js';

/**
 * Read bands: the Unread view's skip list.
 *
 * Unread (open, latest inbound message newer than my read mark) is listed newest activity first
 * by walking the open conversations in (last_message_at, id) order and probing each one's read
 * mark. For an agent who has read everything recent, the first unread row lies behind a long run
 * of read ones: 140,000 probes, ~190 ms, for a lead at 1M conversations (docs/benchmarks.md).
 *
 * A band remembers such a run: a range of activity keys in which every open conversation is read
 * by the agent. Walks query only the gaps between an agent's bands (each gap a row-value range, so
 * SQLite seeks to it), and they learn bands from what they pass: the run above the first unread row
 * they find and the runs between unread rows, when a run holds at least `minRows` open
 * conversations; and they grow a band when they reach its edge through read rows only, which also
 * merges two bands whose gap turns out to hold no unread row.
 *
 * Why a band stays true once learned, without ever being invalidated:
 * - A conversation becomes unread only through a new inbound message, which moves its activity key
 *   to "now". Change times never go backwards in a workspace (the workspace's activity clock,
 *   `workspaces.last_activity_at`, see storage/change.ts), and bands are only learned strictly below
 *   the highest activity millisecond handed out before the walk began, so "now" is above every band.
 *   (Strictly below: a later change may get that same millisecond, and among equal times the order
 *   is by id, so it could land between the rows of a band.)
 * - A conversation joins the open set only when created (at "now") or reopened, and both kinds of
 *   reopen, by message and by hand, move it to "now" as well. Resolving only removes it.
 * - Read marks only move forward (storage/timeline.ts markRead), so a read row stays read.
 * Anything new that could put an unread open conversation below "now" (importing history, "mark
 * as unread", editing times) must keep to these rules or clear the bands on every node.
 *
 * Bands are derived data, kept in memory per server and bounded. Every node learns its own; they
 * hold across nodes because the rules above are about the database, not about this process, and a
 * restarted server relearns them on its first walks.
 */

/** A conversation's place in the views' order: newest activity first, ties by id. */
export interface ActivityKey {
  at: number;
  id: string;
}

/**
 * Every open conversation whose key lies strictly between `lo` and `hi` is read by the agent.
 * Both ends are exclusive (they are usually unread rows); `lo` null means no lower end.
 */
export interface Band {
  readonly lo: ActivityKey | null;
  readonly hi: ActivityKey;
}

/**
 * Ids are ASCII, where JavaScript's string order, SQLite's BINARY collation and PostgreSQL's "C"
 * collation agree; the bands' arithmetic here must order keys exactly as the queries do.
 */
export function compareKeys(a: ActivityKey, b: ActivityKey): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Compares lower ends, null being below every key. */
const compareLo = (a: ActivityKey | null, b: ActivityKey | null) => (a === null ? (b === null ? 0 : -1) : b === null ? 1 : compareKeys(a, b));

export interface ReadBandsOptions {
  /** Agents whose bands are kept (per workspace); the least recently used are dropped first. */
  maxAgents?: number;
  /** Bands kept per agent; the one a walk used least recently is dropped first. */
  maxBandsPerAgent?: number;
  /**
   * A run of read conversations becomes a band only when it holds at least this many open ones.
   * Smaller runs are cheap to walk (a page passes at most ~limit × minRows read rows outside bands,
   * ~3,000 probes, a few ms, and only in the unlikely case that every run is just below this size),
   * and skipping them would crowd out the bands that matter.
   */
  minRows?: number;
  /** Where bands outlive the process (`readBandsTable`); without one they live in memory only. */
  store?: BandStore;
}

/**
 * Keeps each agent's bands across restarts and nodes. Loaded once per agent per process, on its
 * first walk; saved (without waiting) whenever a walk changes them.
 */
export interface BandStore {
  load(workspaceId: string, agentId: string): Promise<Band[]>;
  save(workspaceId: string, agentId: string, bands: readonly Band[]): void;
}

interface StoredBand extends Band {
  used: number;
}

/** Every agent's bands, in memory, bounded. Owned by the server's deps. */
export class ReadBands {
  readonly minRows: number;
  private readonly maxAgents: number;
  private readonly maxBands: number;
  /** By workspace and agent; a Map iterates in insertion order, which makes it an LRU list. */
  private readonly agents = new Map<string, readonly StoredBand[]>();
  private tick = 0;
  private readonly store: BandStore | null;

  constructor(options: ReadBandsOptions = {}) {
    this.store = options.store ?? null;
    // 10,000 agents × 16 bands is a few MB at most.
    this.maxAgents = options.maxAgents ?? 10_000;
    this.maxBands = options.maxBandsPerAgent ?? 16;
    this.minRows = options.minRows ?? 64;
  }

  /** The agent's bands, newest first, loading them from the store on the agent's first walk. */
  async bandsFor(workspaceId: string, agentId: string): Promise<readonly Band[]> {
    const key = `${workspaceId} ${agentId}`;
    if (!this.agents.has(key) && this.store) {
      const loaded = await this.store.load(workspaceId, agentId);
      // A walk that finished meanwhile has the newer list.
      if (!this.agents.has(key)) this.remember(key, loaded.map((band) => ({ lo: band.lo, hi: band.hi, used: 0 })));
    }
    return this.bandsOf(workspaceId, agentId);
  }

  /** The agent's bands in memory, newest first. The list is never changed in place, so a walk can hold it. */
  bandsOf(workspaceId: string, agentId: string): readonly Band[] {
    const key = `${workspaceId} ${agentId}`;
    const bands = this.agents.get(key);
    if (!bands) return [];
    this.agents.delete(key);
    this.agents.set(key, bands);
    return bands;
  }

  /**
   * Adds what a walk found: `runs` hold no unread open conversation (each is merged with the bands
   * it overlaps), and `used` are bands the walk skipped (kept longer when there are too many).
   */
  learn(workspaceId: string, agentId: string, runs: readonly Band[], used: readonly Band[]): void {
    const key = `${workspaceId} ${agentId}`;
    const before = this.agents.get(key) ?? [];
    let bands = before;
    if (runs.length === 0 && bands.length === 0) return;
    const tick = ++this.tick;
    for (const band of bands) if (used.includes(band)) band.used = tick;
    for (const run of runs) bands = merge(bands, run, tick);
    if (bands.length > this.maxBands) {
      const kept = [...bands];
      while (kept.length > this.maxBands) {
        // Least recently used first; among equals the oldest, which only deep scrolling reaches.
        let victim = kept.length - 1;
        for (let i = kept.length - 1; i >= 0; i--) if (kept[i]!.used < kept[victim]!.used) victim = i;
        kept.splice(victim, 1);
      }
      bands = kept;
    }
    this.remember(key, bands);
    if (this.store && !sameRanges(before, bands)) this.store.save(workspaceId, agentId, bands);
  }

  private remember(key: string, bands: readonly StoredBand[]): void {
    this.agents.delete(key);
    this.agents.set(key, bands);
    while (this.agents.size > this.maxAgents) this.agents.delete(this.agents.keys().next().value!);
  }
}

const sameKey = (a: ActivityKey | null, b: ActivityKey | null) => (a === null || b === null ? a === b : compareKeys(a, b) === 0);
const sameRanges = (a: readonly Band[], b: readonly Band[]) =>
  a.length === b.length && a.every((band, i) => sameKey(band.lo, b[i]!.lo) && sameKey(band.hi, b[i]!.hi));

/**
 * Bands kept in the `read_bands` table, one JSON row per agent. Saves are units of work of their own
 * (they join the next group commit); a failed save only means the next process walks that run again.
 */
export function readBandsTable(storage: Storage, clock: Clock, onError: (error: unknown) => void): BandStore {
  return {
    async load(workspaceId, agentId) {
      const row = await storage.db
        .selectFrom('read_bands')
        .select('bands')
        .where('workspace_id', '=', workspaceId)
        .where('agent_id', '=', agentId)
        .executeTakeFirst();
      return row ? (JSON.parse(row.bands) as Band[]) : [];
    },
    save(workspaceId, agentId, bands) {
      const json = JSON.stringify(bands.map((band) => ({ lo: band.lo, hi: band.hi })));
      const row = { workspace_id: workspaceId, agent_id: agentId, bands: json, updated_at: clock.now() };
      storage
        .write((trx) =>
          trx
            .insertInto('read_bands')
            .values(row)
            .onConflict((oc) => oc.columns(['workspace_id', 'agent_id']).doUpdateSet({ bands: json, updated_at: row.updated_at }))
            .execute(),
        )
        .catch(onError);
    },
  };
}

/** Adds a run to a band list (newest first), merging it with every band it overlaps. */
function merge(bands: readonly StoredBand[], run: Band, tick: number): readonly StoredBand[] {
  if (run.lo !== null && compareKeys(run.lo, run.hi) >= 0) return bands;
  let { lo, hi } = run;
  const kept: StoredBand[] = [];
  for (const band of bands) {
    // Open intervals overlap when the higher lower end is below the lower upper end. Bands that
    // only touch share an end no band covers, which may be unread: they stay apart.
    const maxLo = compareLo(band.lo, run.lo) >= 0 ? band.lo : run.lo;
    const minHi = compareKeys(band.hi, run.hi) <= 0 ? band.hi : run.hi;
    if (maxLo === null || compareKeys(maxLo, minHi) < 0) {
      if (compareLo(band.lo, lo) < 0) lo = band.lo;
      if (compareKeys(band.hi, hi) > 0) hi = band.hi;
    } else {
      kept.push(band);
    }
  }
  kept.push({ lo, hi, used: tick });
  return kept.sort((a, b) => compareKeys(b.hi, a.hi));
}

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
      const limit = want - rows.length;
      const found = (await between(unreadBy(conversationsOf(db, workspaceId), agentId), upper, band?.hi ?? null)
        .selectAll('c')
        .orderBy('c.last_message_at', 'desc')
        .orderBy('c.id', 'desc')
        .limit(limit)
        .execute()) as ConversationRow[];
      rows.push(...found);
      learner.gap(upper, found.map(keyOf), found.length < limit ? { below: band } : null);
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

/**
 * How many open conversations the agent has unread, up to `cap`: the same number as counting the
 * plain walk's rows. A one-row walk first finds the newest unread conversation (and learns the band
 * above it, which is the long one for an agent who keeps up); the count then runs from there
 * through the gaps between bands, and joins bands whose gap turns out to be empty.
 */
export async function countUnread(db: Q, readBands: ReadBands, workspaceId: string, agentId: string, cap: number): Promise<number> {
  const [newest] = await walkUnread(db, readBands, workspaceId, agentId, 1, null);
  if (!newest) return 0;
  const bands = readBands.bandsOf(workspaceId, agentId);
  const runs: Band[] = [];
  const used: Band[] = [];
  let upper: Upper = { key: keyOf(newest), inclusive: true, band: null };
  let total = 0;
  for (let i = 0; total < cap; ) {
    while (i < bands.length && bands[i]!.lo !== null && compareKeys(bands[i]!.lo!, upper.key) >= 0) i++;
    const band = bands[i] ?? null;
    const startsInside = band && compareKeys(upper.key, band.hi) < (upper.inclusive ? 0 : 1);
    if (!startsInside) {
      const capped = between(unreadBy(conversationsOf(db, workspaceId), agentId), upper, band?.hi ?? null)
        .select(sql.lit(1).as('one'))
        .limit(cap - total);
      const row = await db
        .selectFrom(capped.as('capped'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      const n = Number(row?.n ?? 0);
      // Nothing unread between the band above and the one below (or the oldest conversation): one band.
      if (n === 0 && upper.band) runs.push({ lo: band ? band.lo : null, hi: upper.band.hi });
      total += n;
      if (total >= cap) break;
    }
    if (!band?.lo) {
      if (band) used.push(band);
      break;
    }
    used.push(band);
    upper = { key: band.lo, inclusive: true, band };
    i++;
  }
  readBands.learn(workspaceId, agentId, runs, used);
  return Math.min(total, cap);
}
