import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import Sqlite from 'libsql';
import { openSqlite } from '../src/storage/db.js';
import { fillViewCounters } from '../src/storage/view-counters.js';
import { prng } from './prng.js';

/**
 * A large single-workspace inbox for the views benchmark, written straight through libsql with
 * prepared statements in big transactions (it is a fixture, not a test of the write path). The
 * schema comes from the real migrations. Everything is derived from a seeded PRNG, so a given
 * row count always produces the same data, and the file is cached in the temp dir by row count.
 */

/** Bump when the generated data changes shape, so stale cached files are not reused. */
const FIXTURE_VERSION = 2; // 2: view counters filled after loading (migration 0011)

export const WORKSPACE_ID = `ws_bench${'0'.repeat(15)}`;
export const AGENT_COUNT = 50;
export const agentId = (k: number) => `agt_bench${String(k).padStart(15, '0')}`;
/** Reads what is assigned to them, is mentioned now and then (~0.1% of conversations). */
export const TYPICAL_AGENT = agentId(10);
/**
 * A lead who has read every conversation active in the most recent ~20% of the time span and is
 * almost never mentioned (~20 per million conversations): the worst case for Unread and Mentioned,
 * whose pages are sparse in the (last_message_at, id) order the views page by.
 */
export const CAUGHT_UP_AGENT = agentId(0);

export const NOW = Date.parse('2026-01-05T09:00:00Z');
const SPAN_MS = 2 * 365 * 86_400_000;
const START = NOW - SPAN_MS;
/** Share of the time span (the most recent part) that CAUGHT_UP_AGENT has read. */
const CAUGHT_UP_SHARE = 0.2;

const CHANNELS = ['sms', 'sms', 'sms', 'email', 'email', 'webchat', 'whatsapp'] as const;
const PRIORITIES = ['normal', 'normal', 'normal', 'normal', 'normal', 'normal', 'high', 'low', 'urgent'] as const;
const PREVIEWS = [
  'Hi, my order still has not arrived — can you check the tracking number for me please?',
  'Thanks, that fixed it!',
  'Can I change the delivery address on my last order?',
  'The app keeps logging me out every time I open it. I already reinstalled it twice.',
  'Is the store open on Sunday?',
  'I was charged twice for the same invoice, please refund one of them.',
  'ok',
  'When will the blue one be back in stock?',
];

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** Same shape as ids.ts newId (prefix, 10 time chars, 10 more), but the tail is a counter: unique and reproducible. */
function fixtureId(prefix: string, time: number, counter: number): string {
  let head = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[t % 32] + head;
    t = Math.floor(t / 32);
  }
  let tail = '';
  let c = counter;
  for (let i = 0; i < 10; i++) {
    tail = ALPHABET[c % 32] + tail;
    c = Math.floor(c / 32);
  }
  return `${prefix}_${head}${tail}`;
}

/** Workspace seq grows with time; ~4 timeline items per conversation on average. */
const seqAt = (rows: number, t: number) => Math.floor(((t - START) / SPAN_MS) * rows * 4) + 1;

export interface FixtureInfo {
  file: string;
  rows: number;
  built: boolean;
  buildMs: number;
}

export function fixturePath(rows: number): string {
  return join(tmpdir(), 'baton-bench', `views-v${FIXTURE_VERSION}-${rows}.db`);
}

/** Returns the cached fixture for this row count, building it first if there is none. */
export async function ensureFixture(rows: number, log: (line: string) => void = () => {}): Promise<FixtureInfo> {
  const file = fixturePath(rows);
  if (existsSync(file)) return { file, rows, built: false, buildMs: 0 };
  mkdirSync(join(tmpdir(), 'baton-bench'), { recursive: true });
  const building = `${file}.building-${process.pid}`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(building + suffix, { force: true });
  const t0 = performance.now();
  log(`building fixture: ${rows.toLocaleString('en')} conversations → ${file}`);

  // The real schema, exactly as the server would create it.
  const storage = await openSqlite(building);
  await storage.close();

  const db = new Sqlite(building, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  // A fixture that is thrown away on a crash needs no durability.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288'); // 512 MiB: the indexes are inserted out of order
  db.pragma('foreign_keys = OFF'); // contacts are written first; the references hold anyway
  try {
    generate(db, rows, log);
    // The rows went in around the write path, which keeps the view counters: count them once.
    const t1 = performance.now();
    await fillViewCounters(new Kysely({ dialect: new SqliteDialect({ database: db as never }) }));
    log(`  view counters filled in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  renameSync(building, file);
  for (const suffix of ['-wal', '-shm']) rmSync(building + suffix, { force: true });
  const buildMs = performance.now() - t0;
  log(`fixture built in ${(buildMs / 1000).toFixed(1)} s`);
  return { file, rows, built: true, buildMs };
}

function generate(db: Sqlite.Database, rows: number, log: (line: string) => void): void {
  const random = prng(0xba7011 ^ rows);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const contactCount = Math.max(1, Math.floor(rows / 4));
  const maxSeq = seqAt(rows, NOW) + 10;
  const BATCH = 50_000;

  // The activity clock is where the newest activity is (migration 0007 fills in the same on a
  // fixture cached before it existed).
  db.prepare('INSERT INTO workspaces (id, name, time_zone, allowed_origins, seq, last_activity_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    WORKSPACE_ID,
    'Bench Inc',
    'UTC',
    '[]',
    maxSeq,
    NOW,
    START,
  );
  const insertAgent = db.prepare(
    `INSERT INTO agents (id, workspace_id, name, username, username_lower, email, role, skills, capacity, availability, last_assigned_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, '[]', 20, 'online', NULL, ?)`,
  );
  db.transaction(() => {
    for (let k = 0; k < AGENT_COUNT; k++) {
      insertAgent.run(agentId(k), WORKSPACE_ID, `Agent ${k}`, `agent${k}`, `agent${k}`, `agent${k}@bench.test`, k < 2 ? 'admin' : 'agent', START);
    }
  })();

  const insertContact = db.prepare(
    `INSERT INTO contacts (id, workspace_id, name, phone, email, language, tags, external_id, created_at)
     VALUES (?, ?, ?, ?, NULL, 'en', '[]', ?, ?)`,
  );
  const contactIds: string[] = new Array(contactCount);
  for (let from = 0; from < contactCount; from += BATCH) {
    db.transaction(() => {
      for (let i = from; i < Math.min(contactCount, from + BATCH); i++) {
        const created = START + Math.floor((i / contactCount) * SPAN_MS);
        const id = fixtureId('ctc', created, i);
        contactIds[i] = id;
        insertContact.run(id, WORKSPACE_ID, `Customer ${i}`, `+1555${String(i).padStart(7, '0')}`, `crm-${i}`, created);
      }
    })();
  }
  log(`  contacts: ${contactCount.toLocaleString('en')}`);

  const insertConversation = db.prepare(
    `INSERT INTO conversations (id, workspace_id, contact_id, channel, source, subject, status, assignee_id, team_id, tags, priority,
       version, created_at, last_message_at, last_inbound_at, last_inbound_seq, resolved_at, waiting_since, preview)
     VALUES (?, ?, ?, ?, NULL, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertMention = db.prepare('INSERT INTO mentions (workspace_id, agent_id, conversation_id, last_seq) VALUES (?, ?, ?, ?)');
  const insertRead = db.prepare('INSERT INTO read_states (workspace_id, agent_id, conversation_id, last_read_seq) VALUES (?, ?, ?, ?)');

  const caughtUpFrom = NOW - CAUGHT_UP_SHARE * SPAN_MS;
  const typicalMentionRate = 0.05; // one of 49 agents mentioned in 5% of conversations: ~0.1% each
  const rareMentionRate = 20 / 1_000_000;
  let mentions = 0;
  let reads = 0;
  for (let from = 0; from < rows; from += BATCH) {
    db.transaction(() => {
      for (let i = from; i < Math.min(rows, from + BATCH); i++) {
        const created = START + Math.floor((i / rows) * SPAN_MS);
        // Activity lasts from minutes to weeks (exponential, mean 2 days), never past "now".
        const lastMessageAt = Math.min(NOW, created + Math.floor(-Math.log(1 - random()) * 2 * 86_400_000));
        const resolved = random() < 0.3;
        const assignee = random() < 0.2 ? null : agentId(Math.floor(random() * AGENT_COUNT));
        // 90% have an inbound message; in 60% of those the customer wrote last.
        let lastInboundAt: number | null = null;
        if (random() < 0.9) lastInboundAt = random() < 0.6 ? lastMessageAt : created + Math.floor(random() * (lastMessageAt - created));
        const lastInboundSeq = lastInboundAt === null ? null : seqAt(rows, lastInboundAt);
        const lastSeq = seqAt(rows, lastMessageAt);
        const channel = pick(CHANNELS);
        const id = fixtureId('conv', created, i);
        insertConversation.run(
          id,
          WORKSPACE_ID,
          contactIds[Math.floor(random() * contactCount)]!,
          channel,
          channel === 'email' ? 'Question about my order' : null,
          resolved ? 'resolved' : 'open',
          assignee,
          random() < 0.1 ? '["vip"]' : '[]',
          pick(PRIORITIES),
          2 + Math.floor(random() * 6),
          created,
          lastMessageAt,
          lastInboundAt,
          lastInboundSeq,
          resolved ? lastMessageAt + 60_000 : null,
          !resolved && assignee === null ? lastMessageAt : null,
          pick(PREVIEWS),
        );

        // Read marks: one per agent who has looked at the conversation.
        const readers = new Map<string, number>();
        if (assignee) {
          // The assignee has read it, except for half of the open ones where the customer wrote last.
          const unread = !resolved && lastInboundAt === lastMessageAt && random() < 0.5;
          readers.set(assignee, unread ? lastInboundSeq! - 1 : lastSeq);
        }
        let mentioned: string | null = null;
        if (random() < typicalMentionRate) mentioned = agentId(1 + Math.floor(random() * (AGENT_COUNT - 1)));
        else if (random() < rareMentionRate) mentioned = CAUGHT_UP_AGENT;
        if (mentioned) {
          const noteSeq = Math.max(1, lastSeq - Math.floor(random() * 3));
          insertMention.run(WORKSPACE_ID, mentioned, id, noteSeq);
          mentions++;
          // Being mentioned does not mark it read; opening it afterwards (70% do) does.
          if (!readers.has(mentioned) && random() < 0.7) readers.set(mentioned, lastSeq);
        }
        if (lastMessageAt >= caughtUpFrom) readers.set(CAUGHT_UP_AGENT, lastSeq);
        for (const [agent, seq] of readers) {
          insertRead.run(WORKSPACE_ID, agent, id, seq);
          reads++;
        }
      }
    })();
    if ((from / BATCH) % 4 === 3) log(`  conversations: ${Math.min(rows, from + BATCH).toLocaleString('en')}`);
  }
  log(`  conversations: ${rows.toLocaleString('en')}, mentions: ${mentions.toLocaleString('en')}, read states: ${reads.toLocaleString('en')}`);
}
