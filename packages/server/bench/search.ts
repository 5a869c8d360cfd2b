/**
 * Full-text search at the storage layer (storage/search.ts) on a large timeline.
 *
 *   node --import tsx bench/search.ts               1,000,000 messages and notes (built once, then cached)
 *   BENCH_ROWS=100000 node --import tsx bench/search.ts
 *
 * Environment: BENCH_ROWS (messages + notes, default 1000000), BENCH_BUDGET_MS (time per case,
 * default 3000). The fixture is cached in the temp dir by row count.
 *
 * Each case times `searchTimeline` (Kysely → libsql, the join to the timeline, snippets and
 * highlights, one page of 25) interleaved with its baseline: the same MATCH expression as raw SQL
 * on the same libsql handle, returning rowids only. The ratio is what the page costs beyond the
 * index lookup itself. Prints tables only; writes nothing into the repository.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kysely, SqliteDialect } from 'kysely';
import Sqlite from 'libsql';
import { openSqlite } from '../src/storage/db.js';
import { INDEX_BATCH, indexNextBatch } from '../src/storage/search-index.js';
import type { Database } from '../src/storage/schema.js';
import { matchExpression, searchTerms, searchTimeline } from '../src/storage/search.js';
import { ms, ratio, summarize, table, timeInterleaved } from './stats.js';
import { prng } from './prng.js';

/** Bump when the generated data changes shape, so stale cached files are not reused. */
const FIXTURE_VERSION = 1;
const PAGE = 25;
const TARGET_P95_MS = 20;
const NOW = Date.parse('2026-01-05T09:00:00Z');
const SPAN_MS = 3 * 365 * 86_400_000;
const START = NOW - SPAN_MS;

/** A handful of tenants of uneven size; the benchmark searches the largest. */
const WORKSPACES = [0.4, 0.25, 0.15, 0.12, 0.08].map((share, i) => ({ id: `ws_search${String(i).padStart(14, '0')}`, share }));
const BIG_WORKSPACE = WORKSPACES[0]!.id;

// Support-chat words, roughly most frequent first; they take the top Zipf ranks.
const COMMON = `the to i my and a you is for it of on in this that have can be me please with your we
not order was at are but what do will just if thanks hi hello so get no there an as know how would
when all from up or they out there could about need did help any still like has been can't time
one account back today hey yes ok received good email get number now send sent week new day
delivery address phone payment package card charged working app update problem issue shipping
tracking customer service support store price item items return cancel subscription invoice bill
login password reset code message call tomorrow monday friday morning afternoon evening urgent
again already waiting wait days hours minutes never check checked confirm confirmation question
change changed wrong missing broken damaged late size color blue black red green white small
large replace replacement exchange available stock warehouse courier driver door left box label
pickup store's website link page error screen button click download install version iphone
android laptop printer router wifi internet slow fast speed contract plan upgrade downgrade fee
fees discount coupon promo free trial month monthly annual yearly renew renewal expired expire
card's bank transfer paypal receipt statement balance credit debit pending processed approved
declined verify verification identity document photo upload form name surname birthday profile
settings notification notifications privacy delete remove add added team manager supervisor
agent colleague escalate escalated ticket case reference note notes internal follow followup
spanish english french german italian portuguese translate language speak calling called voicemail`
  .split(/\s+/)
  .filter((w, i, all) => w && all.indexOf(w) === i);
const NAMES = ['María', 'José', 'Zoë', 'Françoise', 'Müller', 'Ñuñez', 'Jürgen', 'Łukasz', 'Søren', 'Chloé', 'André', 'Inês'];
/** Placed at fixed Zipf ranks so the prefix query `refun` has a known family of words behind it. */
const REFUND_FAMILY: [string, number][] = [
  ['refund', 120],
  ['refunded', 400],
  ['refunds', 700],
  ['refunding', 1500],
];
const VOCABULARY_SIZE = 5000;
/** Planted in one row of every 100,000: the rarest query. */
const NEEDLE = 'xylophone';
const NEEDLE_EVERY = 100_000;

function vocabulary(): string[] {
  const random = prng(0x5ea2c4);
  const syllables = 'ba be bi bo bu da de di do du fa fe fi fo ga ge go ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zi zo'.split(' ');
  const taken = new Set<string>([...COMMON, ...NAMES.map((n) => n.toLowerCase()), ...REFUND_FAMILY.map(([w]) => w), NEEDLE]);
  const words: string[] = [...COMMON];
  while (words.length < VOCABULARY_SIZE) {
    let w = '';
    const n = 2 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) w += syllables[Math.floor(random() * syllables.length)];
    if (random() < 0.3) w += 'n';
    // "re…"/"ref…" pseudo-words would blur what the prefix query measures.
    if (taken.has(w) || w.startsWith('ref')) continue;
    taken.add(w);
    words.push(w);
  }
  for (const [word, rank] of REFUND_FAMILY) words.splice(rank - 1, 0, word);
  return words.slice(0, VOCABULARY_SIZE);
}

/** Zipf (s = 1) sampler over ranks 1..n by binary search on the cumulative distribution. */
function zipf(n: number, random: () => number) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) cdf[k - 1] = sum += 1 / k;
  for (let k = 0; k < n; k++) cdf[k]! /= sum;
  return () => {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** The shape of ids.ts newId (prefix, 10 time chars, 10 more) with a counter tail: unique and reproducible. */
function fixtureId(prefix: string, time: number, counter: number): string {
  let head = '';
  let tail = '';
  for (let i = 0, t = time; i < 10; i++, t = Math.floor(t / 32)) head = ALPHABET[t % 32] + head;
  for (let i = 0, c = counter; i < 10; i++, c = Math.floor(c / 32)) tail = ALPHABET[c % 32] + tail;
  return `${prefix}_${head}${tail}`;
}

export function searchFixturePath(rows: number): string {
  return join(tmpdir(), 'baton-bench', `search-v${FIXTURE_VERSION}-${rows}.db`);
}

/**
 * Messages and notes in conversations of several workspaces, written through libsql prepared
 * statements in large transactions into a database migrated by `openSqlite`. The index is then
 * fed by the server's own after-commit indexer, batch by batch, so its segments look like a live
 * server's.
 */
export async function ensureSearchFixture(rows: number, log: (line: string) => void): Promise<{ file: string; built: boolean; buildMs: number }> {
  const file = searchFixturePath(rows);
  if (existsSync(file)) return { file, built: false, buildMs: 0 };
  mkdirSync(join(tmpdir(), 'baton-bench'), { recursive: true });
  const building = `${file}.building-${process.pid}`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(building + suffix, { force: true });
  const t0 = performance.now();
  log(`building search fixture: ${rows.toLocaleString('en')} messages and notes → ${file}`);
  await (await openSqlite(building)).close();

  const db = new Sqlite(building, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // a fixture lost to a crash is rebuilt
  db.pragma('cache_size = -262144');
  db.pragma('foreign_keys = OFF'); // every reference is written valid; checking them only slows the build
  try {
    generate(db, rows, log);
  } finally {
    db.close();
  }
  const storage = await openSqlite(building);
  try {
    let indexed = 0;
    let batch: number;
    do {
      batch = await storage.write((trx) => indexNextBatch(trx));
      indexed += batch;
    } while (batch === INDEX_BATCH);
    log(`  indexed: ${indexed.toLocaleString('en')} timeline rows`);
  } finally {
    await storage.close();
  }
  const checkpoint = new Sqlite(building, { timeout: 5000 });
  checkpoint.pragma('wal_checkpoint(TRUNCATE)');
  checkpoint.close();
  renameSync(building, file);
  for (const suffix of ['-wal', '-shm']) rmSync(building + suffix, { force: true });
  const buildMs = performance.now() - t0;
  log(`fixture built in ${(buildMs / 1000).toFixed(1)} s`);
  return { file, built: true, buildMs };
}

function generate(db: Sqlite.Database, rows: number, log: (line: string) => void): void {
  const random = prng(0x5ea2c4 ^ rows);
  const words = vocabulary();
  const word = zipf(words.length, random);
  const BATCH = 50_000;

  const insertWorkspace = db.prepare('INSERT INTO workspaces (id, name, time_zone, allowed_origins, seq, created_at) VALUES (?, ?, ?, ?, 0, ?)');
  const insertAgent = db.prepare(
    `INSERT INTO agents (id, workspace_id, name, username, username_lower, email, role, skills, capacity, availability, last_assigned_at, created_at)
     VALUES (?, ?, ?, ?, ?, NULL, 'agent', '[]', 25, 'online', NULL, ?)`,
  );
  const insertContact = db.prepare(
    `INSERT INTO contacts (id, workspace_id, name, phone, email, language, tags, external_id, created_at) VALUES (?, ?, ?, NULL, NULL, NULL, '[]', NULL, ?)`,
  );
  const insertConversation = db.prepare(
    `INSERT INTO conversations (id, workspace_id, contact_id, channel, source, subject, status, assignee_id, team_id, tags, priority,
       version, created_at, last_message_at, last_inbound_at, last_inbound_seq, resolved_at, waiting_since, preview)
     VALUES (?, ?, ?, 'sms', NULL, NULL, ?, ?, NULL, '[]', 'normal', 2, ?, ?, ?, ?, NULL, NULL, NULL)`,
  );
  const insertItem = db.prepare(
    `INSERT INTO timeline (id, workspace_id, conversation_id, seq, kind, direction, channel, body, mentions, event_type, actor_type, actor_id, data, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, ?)`,
  );
  const updateSeq = db.prepare('UPDATE workspaces SET seq = ? WHERE id = ?');

  const agents = WORKSPACES.map((w) => Array.from({ length: 10 }, (_, k) => `agt_${w.id.slice(3)}${k}`));
  db.transaction(() => {
    WORKSPACES.forEach((w, i) => {
      insertWorkspace.run(w.id, `Search tenant ${i}`, 'UTC', '[]', START);
      agents[i]!.forEach((a, k) => insertAgent.run(a, w.id, `Agent ${k}`, `agent${k}`, `agent${k}`, START));
    });
  })();

  const seqs = WORKSPACES.map(() => 0);
  const pickWorkspace = () => {
    let u = random();
    for (let i = 0; i < WORKSPACES.length; i++) if ((u -= WORKSPACES[i]!.share) < 0) return i;
    return WORKSPACES.length - 1;
  };
  const body = () => {
    // 3 to ~60 words, mean ~14: short chat lines with the odd long email.
    const n = Math.min(60, 3 + Math.floor(-Math.log(1 - random()) * 11));
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (random() < 0.01) parts.push(NAMES[Math.floor(random() * NAMES.length)]!);
      else parts.push(words[word()]!);
      if (random() < 0.08) parts[parts.length - 1] += random() < 0.5 ? ',' : '.';
    }
    parts[0] = parts[0]![0]!.toUpperCase() + parts[0]!.slice(1);
    return `${parts.join(' ')}${random() < 0.3 ? '?' : '.'}`;
  };

  let written = 0;
  let conversations = 0;
  while (written < rows) {
    db.transaction(() => {
      const end = Math.min(rows, written + BATCH);
      while (written < end) {
        const w = pickWorkspace();
        const ws = WORKSPACES[w]!.id;
        const created = START + Math.floor((written / rows) * SPAN_MS);
        const convId = fixtureId('conv', created, conversations);
        const contactId = fixtureId('ctc', created, conversations);
        conversations++;
        insertContact.run(contactId, ws, `Customer ${conversations}`, created);
        const items = Math.min(end - written, 1 + Math.floor(random() * 9)); // 1–9, mean 5
        let lastInboundSeq: number | null = null;
        let at = created;
        for (let k = 0; k < items; k++) {
          at += Math.floor(random() * 3_600_000);
          const seq = ++seqs[w]!;
          const isNote = random() < 0.2;
          const inbound = !isNote && random() < 0.55;
          if (inbound) lastInboundSeq = seq;
          let text = body();
          if (written % NEEDLE_EVERY === NEEDLE_EVERY / 2) text = `${text} ${NEEDLE}`;
          const agent = agents[w]![Math.floor(random() * 10)]!;
          insertItem.run(
            fixtureId(isNote ? 'note' : 'msg', at, written),
            ws,
            convId,
            seq,
            isNote ? 'note' : 'message',
            isNote ? null : inbound ? 'inbound' : 'outbound',
            isNote ? null : 'sms',
            text,
            isNote ? '[]' : null,
            inbound ? 'api' : 'agent',
            inbound ? null : agent,
            at,
          );
          written++;
        }
        insertConversation.run(
          convId,
          ws,
          contactId,
          random() < 0.7 ? 'resolved' : 'open',
          agents[w]![Math.floor(random() * 10)]!,
          created,
          at,
          lastInboundSeq === null ? null : at,
          lastInboundSeq,
        );
      }
      WORKSPACES.forEach((ws, i) => updateSeq.run(seqs[i]!, ws.id));
    })();
    if ((written / BATCH) % 4 === 0 || written === rows) log(`  messages and notes: ${written.toLocaleString('en')}`);
  }
  log(`  conversations: ${conversations.toLocaleString('en')}`);
}

export interface SearchBenchOptions {
  rows: number;
  budgetMs: number;
  log: (line: string) => void;
}

interface Case {
  name: string;
  q: string;
  order: 'newest' | 'relevance';
  /** Selective cases are the ones the p95 target applies to. */
  selective: boolean;
}

export async function runSearchBench(options: SearchBenchOptions) {
  const fixture = await ensureSearchFixture(options.rows, options.log);
  const words = vocabulary();
  const rare = words[2999]!;
  const rarer = words[4499]!;
  const [twoA, twoB] = [words[59]!, words[89]!];

  // One libsql handle for both sides, so they share the page cache; Kysely wired as openSqlite does.
  const raw = new Sqlite(fixture.file, { timeout: 5000 });
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw as never }) });

  const fileMb = statSync(fixture.file).size / 2 ** 20;
  const sizes = raw
    .prepare(
      `SELECT CASE WHEN name LIKE 'timeline_fts%' THEN 'fts' WHEN name = 'timeline' OR tbl_name = 'timeline' THEN 'timeline' ELSE 'other' END AS part,
              SUM(pgsize) AS bytes
       FROM dbstat JOIN sqlite_schema USING (name) GROUP BY part`,
    )
    .all() as { part: string; bytes: number }[];
  const mb = (part: string) => (sizes.find((s) => s.part === part)?.bytes ?? 0) / 2 ** 20;

  const cases: Case[] = [
    { name: `rare word (rank 3,000)`, q: rare, order: 'newest', selective: true },
    { name: `rare word, relevance`, q: rare, order: 'relevance', selective: true },
    { name: `rarer word (rank 4,500)`, q: rarer, order: 'newest', selective: true },
    { name: `needle (1 in 100,000)`, q: NEEDLE, order: 'newest', selective: true },
    { name: `needle, relevance`, q: NEEDLE, order: 'relevance', selective: true },
    { name: `two common words`, q: `${twoA} ${twoB}`, order: 'newest', selective: true },
    { name: `two common words, relevance`, q: `${twoA} ${twoB}`, order: 'relevance', selective: true },
    { name: `prefix "refun"`, q: 'refun', order: 'newest', selective: true },
    { name: `prefix "refun", relevance`, q: 'refun', order: 'relevance', selective: false },
    { name: `2-char prefix "pa" (prefix index)`, q: 'pa', order: 'newest', selective: false },
    { name: `very common word "order"`, q: 'order', order: 'newest', selective: false },
    { name: `very common word "order", relevance`, q: 'order', order: 'relevance', selective: false },
  ];

  const rowsOut: (string | number)[][] = [];
  const loadBefore = loadavg()[0]!;
  let worstSelectiveP95 = 0;
  for (const c of cases) {
    const terms = searchTerms(c.q);
    const scoped = matchExpression(BIG_WORKSPACE, terms);
    const matches = (raw.prepare('SELECT COUNT(*) AS n FROM timeline_fts WHERE timeline_fts MATCH ?').get(scoped) as { n: number }).n;
    // The MATCH searchTimeline runs, bare: rowids only, no snippet. Ranked searches leave the
    // workspace to the join (storage/search.ts says why), so their baseline keeps that join.
    const baseline =
      c.order === 'newest'
        ? raw.prepare('SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ? ORDER BY rowid DESC LIMIT ?')
        : raw.prepare(
            `SELECT f.rowid FROM timeline_fts AS f JOIN timeline AS t ON t.rowid = f.rowid
             WHERE timeline_fts MATCH ? AND f.rank MATCH 'bm25(0.0, 1.0)' AND t.workspace_id = ? ORDER BY f.rank LIMIT ?`,
          );
    const viaStorage = () => searchTimeline(db, { workspaceId: BIG_WORKSPACE, terms, order: c.order, limit: PAGE, after: null });
    const viaRaw = () =>
      c.order === 'newest' ? baseline.all(scoped, PAGE + 1) : baseline.all(matchExpression(null, terms), BIG_WORKSPACE, PAGE + 1);

    // Same rows in the same order, or the baseline is not a baseline.
    const a = (await viaStorage()).hits.map((h) => h.row.id);
    const b = (viaRaw() as { rowid: number }[]).slice(0, PAGE).map((r) => r.rowid);
    const ids = b.length ? (raw.prepare(`SELECT rowid, id FROM timeline WHERE rowid IN (${b.map(() => '?').join(',')})`).all(...b) as { rowid: number; id: string }[]) : [];
    const byRowid = new Map(ids.map((r) => [r.rowid, r.id]));
    if (JSON.stringify(a) !== JSON.stringify(b.map((r) => byRowid.get(r)))) throw new Error(`${c.name}: storage and baseline disagree`);

    const [storage, base] = await timeInterleaved([viaStorage, viaRaw], {
      warmup: 5,
      maxIterations: 1000,
      minIterations: 30,
      budgetMs: options.budgetMs,
    });
    const s = summarize(storage!);
    const r = summarize(base!);
    if (c.selective) worstSelectiveP95 = Math.max(worstSelectiveP95, s.p95);
    rowsOut.push([c.name, c.order, matches, s.n, ms(s.median), ms(s.p95), ms(r.median), ms(r.p95), ratio(s.median / r.median), c.selective ? (s.p95 < TARGET_P95_MS ? 'yes' : 'NO') : '–']);
  }
  await db.destroy();

  console.log(
    `Search · ${options.rows.toLocaleString('en')} messages and notes in ${WORKSPACES.length} workspaces · searching the largest (${(WORKSPACES[0]!.share * 100).toFixed(0)}%) · page ${PAGE} · warm cache`,
  );
  console.log(
    `fixture ${fixture.built ? `built in ${(fixture.buildMs / 1000).toFixed(0)} s` : 'cached'}: file ${fileMb.toFixed(0)} MiB, timeline + indexes ${mb('timeline').toFixed(0)} MiB, FTS index ${mb('fts').toFixed(0)} MiB`,
  );
  console.log(`words: rare = "${rare}", rarer = "${rarer}", two common = "${twoA} ${twoB}"`);
  console.log(
    table(
      ['case', 'order', 'matches', 'runs', 'median ms', 'p95 ms', 'raw MATCH median', 'raw p95', 'storage/raw', `p95 < ${TARGET_P95_MS} ms`],
      rowsOut,
    ),
  );
  console.log(`load average (1 min) before/after: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
  console.log(`worst selective p95: ${ms(worstSelectiveP95)} ms (target < ${TARGET_P95_MS} ms) · ${worstSelectiveP95 < TARGET_P95_MS ? 'met' : 'NOT met'}`);
  return { worstSelectiveP95 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
  const budgetMs = Number(process.env.BENCH_BUDGET_MS ?? 3000);
  if (!Number.isInteger(rows) || rows < 1000) throw new Error('BENCH_ROWS must be an integer ≥ 1000');
  console.log(`node ${process.version} · ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}`);
  await runSearchBench({ rows, budgetMs, log: (line) => console.error(line) });
}
