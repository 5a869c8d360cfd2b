import { VIEWS, type View } from '@baton/protocol';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import Sqlite from 'libsql';
import type { OutboxRecord } from '../src/outbox/changes.js';
import { LiveCounts } from '../src/realtime/live-counts.js';
import { listView, type ListOptions, type PageCursor } from '../src/storage/conversations.js';
import { openSqlite } from '../src/storage/db.js';
import { ReadBands } from '../src/storage/read-bands.js';
import type { Database } from '../src/storage/schema.js';
import { countsOf, readCounters } from '../src/storage/view-counters.js';
import { AGENT_COUNT, agentId, CAUGHT_UP_AGENT, ensureFixture, TYPICAL_AGENT, WORKSPACE_ID } from './fixture.js';
import { loopStalls, ms, ratio, stall, summarize, table, timeInterleavedCpu, type Stall } from './stats.js';

export interface ViewsOptions {
  rows: number;
  /** Time spent per case (all variants together) before it stops iterating. */
  budgetMs: number;
  maxIterations: number;
  /** Print EXPLAIN QUERY PLAN of the SQL Kysely generates for each view. */
  explain: boolean;
  log: (line: string) => void;
}

const PAGE = 50;
/** "Page 101": the cursor a client holds after scrolling through 100 pages. */
const SCROLLED = 100 * PAGE;
const TARGET_MS = 5;
/** The longest the event loop may be held by one step of a view or count (docs/benchmarks.md). */
const STALL_TARGET_MS = 50;
/** Agents online for the fan-out case (the load that made counts the bottleneck: 1,000 agents, docs/benchmarks.md). */
const ONLINE_AGENTS = 1000;
/** What counts were capped at before they were kept as counters: the old way, timed for comparison. */
const OLD_COUNT_CAP = 10_000;

// The page query, hand-written: the same SQL listView builds (checked below: same rows, same plan),
// run as a prepared statement on the raw libsql handle, so Kysely/raw is Kysely's own overhead.
// Except for Unread: listView skips the agent's read bands (src/storage/read-bands.ts) with one
// query per gap between them, and the SQL here is the plain walk over every open conversation, the
// brute-force definition. There the rows are checked against it, and Kysely/raw is bands vs plain.
const VIEW_SQL: Record<View, { where: string; agentParam: boolean }> = {
  mine: { where: 'c.status = ? AND c.assignee_id = ?', agentParam: true },
  unassigned: { where: 'c.status = ? AND c.assignee_id IS NULL', agentParam: false },
  all: { where: 'c.status = ?', agentParam: false },
  resolved: { where: 'c.status = ?', agentParam: false },
  snoozed: { where: 'c.status = ?', agentParam: false },
  mentioned: { where: 'c.status = ?', agentParam: false },
  unread: {
    where:
      'c.status = ? AND c.last_inbound_seq IS NOT NULL AND NOT EXISTS (SELECT 1 AS one FROM read_states AS r ' +
      'WHERE r.conversation_id = c.id AND r.agent_id = ? AND r.last_read_seq >= c.last_inbound_seq)',
    agentParam: true,
  },
};
const statusOf = (view: View) => (view === 'resolved' || view === 'snoozed' ? view : 'open');
const ORDER = ' ORDER BY c.last_message_at DESC, c.id DESC';

function pageQuery(view: View, agent: string, cursor: PageCursor | null, limit: number) {
  const { where, agentParam } = VIEW_SQL[view];
  const mentioned = view === 'mentioned';
  const params: unknown[] = [...(mentioned ? [agent] : []), WORKSPACE_ID, statusOf(view), ...(agentParam ? [agent] : [])];
  let text = mentioned
    ? `SELECT c.* FROM mentions AS m CROSS JOIN conversations AS c WHERE c.id = m.conversation_id AND m.agent_id = ? AND c.workspace_id = ? AND ${where}`
    : `SELECT c.* FROM conversations AS c WHERE c.workspace_id = ? AND ${where}`;
  if (cursor) {
    text += ' AND (c.last_message_at, c.id) < (?, ?)';
    params.push(cursor.lastMessageAt, cursor.id);
  }
  return { text: `${text}${ORDER} LIMIT ?`, params: [...params, limit] };
}

/**
 * The rewrite this benchmark proposes (docs/benchmarks.md), timed beside the current query:
 * the cursor as a row value, which SQLite turns into an index range instead of a filter over
 * every row before it; and Mentioned driven from the agent's mentions instead of from every
 * open conversation (CROSS JOIN pins that join order in SQLite).
 */
function rewrittenPageQuery(view: View, agent: string, cursor: PageCursor | null, limit: number) {
  const params: unknown[] = [];
  let text: string;
  if (view === 'mentioned') {
    text = 'SELECT c.* FROM mentions AS m CROSS JOIN conversations AS c WHERE m.agent_id = ? AND c.id = m.conversation_id AND c.workspace_id = ? AND c.status = ?';
    params.push(agent, WORKSPACE_ID, 'open');
  } else {
    const { where, agentParam } = VIEW_SQL[view];
    text = `SELECT c.* FROM conversations AS c WHERE c.workspace_id = ? AND ${where}`;
    params.push(WORKSPACE_ID, statusOf(view), ...(agentParam ? [agent] : []));
  }
  if (cursor) {
    text += ' AND (c.last_message_at, c.id) < (?, ?)';
    params.push(cursor.lastMessageAt, cursor.id);
  }
  return { text: `${text}${ORDER} LIMIT ?`, params: [...params, limit] };
}

interface Case {
  agentLabel: string;
  agent: string;
  view: View;
  position: string;
  cursor: PageCursor | null;
  viewRows: number;
}

type Summary = ReturnType<typeof summarize>;
interface CaseResult extends Case {
  /** Unread only: the first call, before the agent has any read band (an agent's first walk ever: the server saves bands, so a restart does not repeat it). */
  cold: { median: number; max: number; cpuMedian: number } | null;
  kysely: Summary;
  kyselyCpu: Summary;
  raw: Summary;
  rawCpu: Summary;
  rewrite: Summary;
  /** Longest event-loop stall while calling listView, and while running the raw SQL; `cold` for first walks (Unread). */
  loop: { baton: Stall; raw: Stall; cold: Stall | null };
}

/** Calls enough to see the worst stretch without spending more than ~1 s on a slow baseline. */
const loopCalls = (medianMs: number) => Math.max(3, Math.min(20, Math.floor(1000 / Math.max(medianMs, 1))));

export async function runViewsBench(options: ViewsOptions): Promise<void> {
  const { log } = options;
  const fixture = await ensureFixture(options.rows, log);
  log(`views: ${options.rows.toLocaleString('en')} conversations in one workspace, ${fixture.built ? 'fixture just built' : 'cached fixture'} ${fixture.file}`);

  const raw = new Sqlite(fixture.file, { timeout: 5000 });
  const migrationsBefore = new Set((raw.prepare('SELECT version FROM baton_migrations').all() as { version: number }[]).map((r) => Number(r.version)));
  // The real storage, as the server opens it (pragmas, and any migration the cached file lacks).
  const t0 = performance.now();
  const storage = await openSqlite(fixture.file);
  const applied = (raw.prepare('SELECT version FROM baton_migrations').all() as { version: number }[])
    .map((r) => Number(r.version))
    .filter((v) => !migrationsBefore.has(v));
  if (applied.length) log(`openSqlite applied migration(s) ${applied.join(', ')} to the fixture in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // Same pragmas as openSqlite, so the only difference between the two columns is Kysely.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('cache_size = -65536'); // openSqlite's 64 MiB: with SQLite's default 2 MiB the raw side thrashed and slowed both
  const db = storage.db;

  const statements = new Map<string, Sqlite.Statement<unknown[]>>();
  const run = (q: { text: string; params: unknown[] }) => {
    let st = statements.get(q.text);
    if (!st) statements.set(q.text, (st = raw.prepare(q.text)));
    return st.all(...q.params) as { id: string; last_message_at: number }[];
  };

  // Kysely over the same raw handle with a query log: only to capture the SQL listView builds.
  const captured: CompiledQuery[] = [];
  const capturing = new Kysely<Database>({
    dialect: new SqliteDialect({ database: raw as never }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  const plan = (text: string, params: readonly unknown[]) =>
    (raw.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' / ');

  // Where each view is read from: the first page, page 101, and the middle of the view.
  log('finding cursors (counts every view once; slow on big fixtures)…');
  const cases: Case[] = [];
  const profiles = [
    { agentLabel: 'typical', agent: TYPICAL_AGENT, views: VIEWS },
    // Only the personal views differ for the second agent.
    { agentLabel: 'caught-up', agent: CAUGHT_UP_AGENT, views: ['mine', 'mentioned', 'unread'] as const },
  ];
  for (const { agentLabel, agent, views } of profiles) {
    for (const view of views) {
      const whole = pageQuery(view, agent, null, -1);
      const all = run({ ...whole, text: whole.text.replace('SELECT c.*', 'SELECT c.last_message_at, c.id') });
      const cursorAfter = (n: number): PageCursor => ({ lastMessageAt: Number(all[n - 1]!.last_message_at), id: all[n - 1]!.id });
      const base = { agentLabel, agent, view, viewRows: all.length };
      cases.push({ ...base, position: 'first', cursor: null });
      if (all.length > SCROLLED + PAGE) cases.push({ ...base, position: `page 101`, cursor: cursorAfter(SCROLLED) });
      const middle = Math.floor(all.length / 2);
      if (middle > 0) cases.push({ ...base, position: `middle (row ${middle.toLocaleString('en')})`, cursor: cursorAfter(middle) });
    }
  }

  const results: CaseResult[] = [];
  const explained = new Set<string>();
  const ids = (rows: { id: string }[]) => rows.slice(0, PAGE).map((r) => r.id).join();
  for (const c of cases) {
    const same = pageQuery(c.view, c.agent, c.cursor, PAGE + 1);
    const rewrite = rewrittenPageQuery(c.view, c.agent, c.cursor, PAGE + 1);
    // Each case learns its own bands from nothing, so the cases do not warm each other.
    const bands = new ReadBands();
    let cold: CaseResult['cold'] = null;
    if (c.view === 'unread') {
      // The first call: no bands yet, so it walks past every read row before the first unread one
      // (and learns the bands later calls skip). Timed a few times, each with no bands; page cache
      // and JIT are warm from the cursor search.
      const first = await listView(db, WORKSPACE_ID, c.agent, c.view, PAGE, c.cursor, bands);
      if (ids(first.rows) !== ids(run(same))) throw new Error(`unread/${c.position}: listView's first call (no bands) does not return the plain walk's rows`);
      const fresh = await timeInterleavedCpu([() => listView(db, WORKSPACE_ID, c.agent, c.view, PAGE, c.cursor, new ReadBands())], {
        warmup: 0,
        maxIterations: 5,
        minIterations: 5,
        budgetMs: 0,
      });
      cold = { median: summarize(fresh.wall[0]!).median, max: Math.max(...fresh.wall[0]!), cpuMedian: summarize(fresh.cpu[0]!).median };
    }
    // The baselines must be the same query: same rows, and the hand-written SQL the same plan as Kysely's.
    captured.length = 0;
    const viaKysely = (await listView(capturing, WORKSPACE_ID, c.agent, c.view, PAGE, c.cursor, bands)).rows.map((r) => r.id);
    if (ids(run(same)) !== viaKysely.join() || ids(run(rewrite)) !== viaKysely.join()) {
      throw new Error(`${c.view}/${c.position}: the SQL baselines do not return the rows listView returns`);
    }
    if (c.view === 'unread') {
      // One query per gap (plus the ceiling read and capped counts while learning), so there is no
      // single plan to compare; each must be an index seek, never a scan of conversations or a sort.
      for (const q of captured) {
        const p = plan(q.sql, q.parameters);
        if (/\bSCAN c\b|TEMP B-TREE/.test(p)) throw new Error(`unread: a query of the band walk scans or sorts: ${p}\n${q.sql}`);
        if (options.explain && !explained.has(q.sql)) {
          explained.add(q.sql);
          log(`\nunread (read bands), ${c.position}\n  SQL     ${q.sql}\n  plan    ${p}\n`);
        }
      }
    } else {
      const kyselySql = captured[0]!;
      const kyselyPlan = plan(kyselySql.sql, kyselySql.parameters);
      if (plan(same.text, same.params) !== kyselyPlan) throw new Error(`${c.view}: hand-written SQL plans differently from Kysely's:\n${kyselySql.sql}`);
      if (options.explain && !explained.has(kyselySql.sql)) {
        explained.add(kyselySql.sql);
        log(`\n${c.view}, ${c.cursor ? 'with a cursor' : 'first page'}\n  SQL     ${kyselySql.sql}\n  plan    ${kyselyPlan}\n  rewrite ${plan(rewrite.text, rewrite.params)}\n`);
      }
    }

    const loop = { warmup: 3, maxIterations: options.maxIterations, minIterations: 5, budgetMs: options.budgetMs };
    let wall: number[][];
    let cpu: number[][];
    if (c.view === 'unread') {
      // The plain-walk baselines can be 50× slower than the band walk; interleaved, they would leave
      // it a handful of samples. Each gets its own budget instead.
      const bandWalk = await timeInterleavedCpu([() => listView(db, WORKSPACE_ID, c.agent, c.view, PAGE, c.cursor, bands)], loop);
      const plain = await timeInterleavedCpu([() => run(same), () => run(rewrite)], loop);
      wall = [...bandWalk.wall, ...plain.wall];
      cpu = [...bandWalk.cpu, ...plain.cpu];
    } else {
      ({ wall, cpu } = await timeInterleavedCpu([() => listView(db, WORKSPACE_ID, c.agent, c.view, PAGE, c.cursor, bands), () => run(same), () => run(rewrite)], loop));
    }
    const kysely = summarize(wall[0]!);
    const raw = summarize(wall[1]!);
    // Event-loop stalls: listView (its Unread walk yields between chunks) against the same query as one statement.
    const stalls = {
      baton: await loopStalls(() => listView(db, WORKSPACE_ID, c.agent, c.view, PAGE, c.cursor, bands), loopCalls(kysely.median)),
      raw: await loopStalls(() => run(same), loopCalls(raw.median)),
      cold: cold ? await loopStalls(() => listView(db, WORKSPACE_ID, c.agent, c.view, PAGE, c.cursor, new ReadBands()), 3) : null,
    };
    const result = { ...c, cold, kysely, kyselyCpu: summarize(cpu[0]!), raw, rawCpu: summarize(cpu[1]!), rewrite: summarize(wall[2]!), loop: stalls };
    results.push(result);
    log(`  ${c.agentLabel} ${c.view} ${c.position}: ${ms(result.kysely.median)} ms${cold ? ` (first call, no bands: ${ms(cold.median)} ms)` : ''}, loop held ≤ ${stall(stalls.baton)} ms (raw SQL ${stall(stalls.raw)} ms)`);
  }

  console.log();
  const met = (v: number) => (v < TARGET_MS ? 'met' : 'MISSED');
  console.log(`listView, page of ${PAGE}, ${options.rows.toLocaleString('en')} conversations. Times in ms: wall clock, and CPU time`);
  console.log(`(which leaves out waiting for a CPU on a busy machine). Kysely / raw compares CPU medians. Target: p95 < ${TARGET_MS} ms.`);
  console.log('Unread: timed calls skip the read bands learned by an earlier call. "First call" is a call with no bands yet');
  console.log("(an agent's first Unread walk ever: the server saves its bands, so restarts do not repeat it; median and max of 5). Raw SQL and rewrite are the plain walk.");
  console.log(`Loop max: the longest the event loop was held (monitorEventLoopDelay max, ms) by listView / by the raw SQL (one statement); target < ${STALL_TARGET_MS} ms.`);
  console.log('In brackets: the most CPU time one turn of the loop used (ms), which neighbours on a busy machine do not inflate.');
  console.log('For Unread, "first" is the first walk ever (no bands yet), against the plain walk.');
  console.log(
    table(
      ['agent', 'view', 'page', 'rows in view', 'n', 'median', 'p95', 'CPU median', 'CPU p95', 'first call (wall / CPU)', 'raw SQL median', 'Kysely / raw', 'rewrite median', 'target (wall / CPU p95)', 'loop max: Baton / raw', 'first call loop max'],
      results.map((x) => [
        x.agentLabel,
        x.view,
        x.position,
        x.viewRows.toLocaleString('en'),
        x.kysely.n,
        ms(x.kysely.median),
        ms(x.kysely.p95),
        ms(x.kyselyCpu.median),
        ms(x.kyselyCpu.p95),
        x.cold ? `${ms(x.cold.median)} (max ${ms(x.cold.max)}) / ${ms(x.cold.cpuMedian)}` : '–',
        ms(x.raw.median),
        ratio(x.kyselyCpu.median / x.rawCpu.median),
        ms(x.rewrite.median),
        `${met(x.kysely.p95)} / ${met(x.kyselyCpu.p95)}`,
        `${stall(x.loop.baton)} / ${stall(x.loop.raw)}`,
        x.loop.cold === null ? '–' : stall(x.loop.cold),
      ]),
    ),
  );
  const missed = results.filter((x) => x.kysely.p95 >= TARGET_MS);
  const missedCpu = results.filter((x) => x.kyselyCpu.p95 >= TARGET_MS);
  console.log(
    `${results.length - missed.length} of ${results.length} cases meet the target on wall-clock p95, ${results.length - missedCpu.length} on CPU p95` +
      (missedCpu.length ? `; over it even in CPU time: ${missedCpu.map((x) => `${x.agentLabel} ${x.view} ${x.position}`).join(', ')}` : ''),
  );
  const stalls = results.flatMap((x) => [
    ...(x.loop.baton.wall >= STALL_TARGET_MS ? [`${x.agentLabel} ${x.view} ${x.position} ${stall(x.loop.baton)} ms`] : []),
    ...(x.loop.cold && x.loop.cold.wall >= STALL_TARGET_MS ? [`${x.agentLabel} ${x.view} ${x.position} (first walk) ${stall(x.loop.cold)} ms`] : []),
  ]);
  const worst = (pick: (x: CaseResult) => (Stall | null)[], of: keyof Stall) => Math.max(...results.flatMap((x) => pick(x).map((s) => s?.[of] ?? 0)));
  const baton = (x: CaseResult) => [x.loop.baton, x.loop.cold];
  const plain = (x: CaseResult) => [x.loop.raw];
  console.log(
    `${stalls.length ? `Event loop held over ${STALL_TARGET_MS} ms: ${stalls.join(', ')}. ` : ''}` +
      `Longest any view call held the loop, first walks included: ${ms(worst(baton, 'wall'))} ms (${ms(worst(baton, 'cpu'))} ms of CPU in one turn); ` +
      `raw SQL: ${ms(worst(plain, 'wall'))} ms (${ms(worst(plain, 'cpu'))} ms). Target < ${STALL_TARGET_MS} ms.`,
  );
  const slowFirst = results.filter((x) => x.cold && x.cold.median >= TARGET_MS);
  if (slowFirst.length) {
    console.log(
      `First calls over the target (once per agent, until the walk has learned its bands; they are saved): ` +
        slowFirst.map((x) => `${x.agentLabel} ${x.view} ${x.position} ${ms(x.cold!.median)} ms`).join(', '),
    );
  }

  // List filters and sorts (DESIGN §5, migration 0022): the first page and page 101 of a few views,
  // filtered, newest and oldest first, through listView. The fixture's channels, priorities and
  // `vip` tag (10% of conversations) are what there is to filter on; it has no teams.
  const filterCases: { label: string; options: ListOptions }[] = [
    { label: 'channel=email', options: { filters: { channel: 'email' } } },
    { label: 'priority=urgent', options: { filters: { priority: 'urgent' } } },
    { label: 'tag=vip', options: { filters: { tag: 'vip' } } },
    { label: 'channel=sms&priority=high', options: { filters: { channel: 'sms', priority: 'high' } } },
    { label: 'channel=email, oldest first', options: { filters: { channel: 'email' }, sort: 'oldest_waiting' } },
    { label: 'tag=vip, oldest first', options: { filters: { tag: 'vip' }, sort: 'oldest_waiting' } },
    { label: 'oldest first', options: { sort: 'oldest_waiting' } },
  ];
  const filterRows: (string | number)[][] = [];
  let filterMissed = 0;
  for (const view of ['all', 'mine', 'resolved'] as const) {
    for (const { label, options: listOptions } of filterCases) {
      const deep = await listView(db, WORKSPACE_ID, TYPICAL_AGENT, view, SCROLLED, null, undefined, listOptions);
      const positions: [string, PageCursor | null][] = [['first', null]];
      if (deep.next) positions.push(['page 101', deep.next]);
      for (const [position, cursor] of positions) {
        const { wall } = await timeInterleavedCpu([() => listView(db, WORKSPACE_ID, TYPICAL_AGENT, view, PAGE, cursor, undefined, listOptions)], {
          warmup: 3,
          maxIterations: options.maxIterations,
          minIterations: 20,
          budgetMs: Math.min(options.budgetMs, 1000),
        });
        const t = summarize(wall[0]!);
        if (t.p95 >= TARGET_MS) filterMissed += 1;
        filterRows.push([view, label, position, t.n, ms(t.median), ms(t.p95), t.p95 < TARGET_MS ? 'met' : 'MISSED']);
      }
    }
  }
  console.log(`\nList filters and sorts (typical agent), page of ${PAGE}. Target: p95 < ${TARGET_MS} ms.`);
  console.log(table(['view', 'filter / sort', 'page', 'n', 'median', 'p95', 'target'], filterRows));
  console.log(`${filterRows.length - filterMissed} of ${filterRows.length} filter cases meet the target.`);

  // Counts: kept as counters (src/storage/view-counters.ts). An agent's counts are one read when they
  // connect (and for GET /v1/conversations/counts); after that the socket fan-out computes them in
  // memory from the counters each change carries. Checked here against plain COUNT(*) at this size.
  const countRows: (string | number)[][] = [];
  const counterSql =
    'SELECT w.seq, w.open_count, w.open_unassigned_count, w.resolved_count, w.open_inbound_count, a.mine, a.mentioned, a.caught_up ' +
    'FROM workspaces AS w LEFT JOIN agent_view_counts AS a ON a.workspace_id = w.id AND a.agent_id = ? WHERE w.id = ?';
  const counterStatement = raw.prepare(counterSql);
  for (const { agentLabel, agent } of profiles) {
    const stored = await readCounters(db, WORKSPACE_ID, agent);
    if (!stored) throw new Error('the fixture has no workspace row');
    const counts = countsOf(stored.workspace, stored.agent);
    const exact: Record<string, number> = {};
    const plainRows: (string | number)[][] = [];
    const oldWay: (() => unknown)[] = [];
    for (const view of VIEWS) {
      const { text, params } = pageQuery(view, agent, null, 0);
      const where = text.replace('SELECT c.*', 'SELECT 1').replace(`${ORDER} LIMIT ?`, '');
      const countAll = raw.prepare(`SELECT count(*) AS n FROM (${where})`);
      const capped = raw.prepare(`SELECT count(*) AS n FROM (${where} LIMIT ${OLD_COUNT_CAP})`);
      const args = params.slice(0, -1);
      const t0 = performance.now();
      exact[view] = Number((countAll.get(...args) as { n: number }).n);
      plainRows.push([agentLabel, `  ${view}: COUNT(*), not capped (raw SQL, once)`, 1, ms(performance.now() - t0), '–', '–', '–', exact[view]!.toLocaleString('en')]);
      oldWay.push(() => capped.get(...args));
    }
    if (VIEWS.some((v) => counts[v] !== exact[v])) throw new Error(`${agentLabel}: counters ${JSON.stringify(counts)} differ from COUNT(*) ${JSON.stringify(exact)}`);

    const loop = { warmup: 3, maxIterations: options.maxIterations, minIterations: 5, budgetMs: options.budgetMs };
    const countsNow = async () => {
      const now = (await readCounters(db, WORKSPACE_ID, agent))!;
      return countsOf(now.workspace, now.agent);
    };
    const read = await timeInterleavedCpu([countsNow, () => counterStatement.get(agent, WORKSPACE_ID)], loop);
    const r = summarize(read.wall[0]!);
    const rr = summarize(read.wall[1]!);
    const readLoop = await loopStalls(countsNow, 50);
    const rawReadLoop = await loopStalls(() => counterStatement.get(agent, WORKSPACE_ID), 50);
    countRows.push([
      agentLabel,
      "an agent's counts: one read of the counters (connect, GET /counts)",
      r.n,
      ms(r.median),
      ms(r.p95),
      ms(summarize(read.cpu[0]!).median),
      `${stall(readLoop)} / ${stall(rawReadLoop)}`,
      VIEWS.map((v) => `${v} ${counts[v].toLocaleString('en')}`).join(', '),
    ]);
    countRows.push([agentLabel, '  the same read as raw SQL', rr.n, ms(rr.median), ms(rr.p95), ms(summarize(read.cpu[1]!).median), '', '']);
    const before = await timeInterleavedCpu([() => oldWay.forEach((count) => count())], { warmup: 1, maxIterations: 10, minIterations: 3, budgetMs: options.budgetMs });
    const b = summarize(before.wall[0]!);
    const beforeLoop = await loopStalls(() => sequential(oldWay.map((count) => async () => count())), 3);
    countRows.push([
      agentLabel,
      `  before counters: six COUNT(*) capped at ${OLD_COUNT_CAP.toLocaleString('en')} (raw SQL; Unread the plain walk)`,
      b.n,
      ms(b.median),
      ms(b.p95),
      ms(summarize(before.cpu[0]!).median),
      stall(beforeLoop),
      '',
    ]);
    countRows.push(...plainRows);
  }

  // The fan-out after a batch: every online agent's counts from the counters the changes carry, in
  // memory. 1,000 agents online (the fixture's 50, and more with no counters of their own); each
  // batch moves the workspace's counters, so every agent's Unread moves and every agent gets an update.
  const live = new LiveCounts(db);
  const agents = Array.from({ length: ONLINE_AGENTS }, (_, k) => (k < AGENT_COUNT ? agentId(k) : `agt_online${String(k).padStart(15, '0')}`));
  for (const agent of agents) await live.forAgent(WORKSPACE_ID, agent);
  const base = (await readCounters(db, WORKSPACE_ID, TYPICAL_AGENT))!;
  let seq = base.seq;
  const batch = (): OutboxRecord[] => {
    seq++;
    const workspace = { ...base.workspace, openInbound: base.workspace.openInbound + (seq % 2) };
    const payload = { items: [], notifications: [], conversation: {} as never, counters: { workspace, agents: {} } };
    return [{ id: seq, workspaceId: WORKSPACE_ID, seq, type: 'conversation.created', conversationId: null, payload, createdAt: 0 }];
  };
  const online = () => agents;
  let sent = 0;
  const fanOut = await timeInterleavedCpu([async () => (sent += (await live.afterBatch(batch(), online)).length)], {
    warmup: 10,
    maxIterations: 2000,
    minIterations: 100,
    budgetMs: options.budgetMs,
  });
  if (sent === 0) throw new Error('the fan-out sent no counts');
  const f = summarize(fanOut.wall[0]!);
  const fanOutLoop = await loopStalls(() => live.afterBatch(batch(), online), 50);
  countRows.push([
    `${ONLINE_AGENTS.toLocaleString('en')} online`,
    `fan-out after a batch, in memory (per agent: ${((f.median * 1000) / ONLINE_AGENTS).toFixed(2)} µs)`,
    f.n,
    ms(f.median),
    ms(f.p95),
    ms(summarize(fanOut.cpu[0]!).median),
    stall(fanOutLoop),
    `each of the ${ONLINE_AGENTS.toLocaleString('en')} agents gets new counts`,
  ]);

  console.log();
  console.log(`Counts, ${options.rows.toLocaleString('en')} conversations (ms). The counters equal COUNT(*) for every view (checked above).`);
  console.log(`Loop max: the longest the event loop was held (ms; in brackets CPU ms in one turn), Baton / the same query as raw SQL; target < ${STALL_TARGET_MS} ms, and an agent's counts ≤ 1 ms.`);
  console.log(table(['agent', 'query', 'n', 'median', 'p95', 'CPU median', 'loop max', 'counts'], countRows));

  await storage.close();
  raw.close(); // also the handle under `capturing`, which holds no other resource
}

async function sequential<T>(steps: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (const step of steps) out.push(await step());
  return out;
}
