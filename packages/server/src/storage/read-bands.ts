import type { Clock } from '../clock.js';
import type { Storage } from './db.js';

/**
 * Read bands: the Unread view's skip list.
 *
 * Unread (open, latest inbound message newer than my read mark) is listed newest activity first
 * by walking the open conversations in (last_message_at, id) order and probing each one's read
 * mark. For an agent who has read everything recent, the first unread row lies behind a long run
 * of read ones: 140,000 probes, ~190 ms, for a lead at 1M conversations (docs/benchmarks.md).
 *
 * A band remembers such a run: a range of activity keys in which every open conversation is read
 * by the agent. Walks (storage/unread-walk.ts) query only the gaps between an agent's bands (each
 * gap a row-value range, so SQLite seeks to it), and they learn bands from what they pass: the run
 * above the first unread row they find and the runs between unread rows, when a run holds at least
 * `minRows` open conversations; and they grow a band when they reach its edge through read rows
 * only, which also merges two bands whose gap turns out to hold no unread row.
 *
 * This file holds the bands themselves: their order and arithmetic, the bounded per-agent lists in
 * memory (`ReadBands`) and where they are kept between processes (`readBandsTable`).
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
 * Bands are derived data, kept in memory per server and bounded, and saved per agent in `read_bands`
 * (migration 0009). They hold across nodes and restarts because the rules above are about the
 * database, not about this process.
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
  /**
   * How many open conversations one query of a walk may pass (storage/unread-walk.ts): the first
   * chunk of a gap is small, so a walk that finds its rows at once (the common case) costs little
   * more than its query; each next chunk doubles, up to `max`, which takes ~4–5 ms at ~1–1.3 µs a
   * read-mark probe on the benchmark's machine (docs/benchmarks.md), a tenth of the 50 ms budget
   * for holding the event loop, so a busy machine stays well within it.
   */
  chunks?: { first: number; max: number };
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
  readonly chunks: { readonly first: number; readonly max: number };
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
    this.chunks = options.chunks ?? { first: 256, max: 4096 };
    if (!(this.chunks.first >= 1 && this.chunks.max >= this.chunks.first)) throw new Error('read bands: chunks need 1 <= first <= max');
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
