import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { sql } from 'kysely';
import type { WorkspacePrincipal } from '../src/auth/principal.js';
import { createConversation, markConversationRead, postMessage, postNote, setStatus, viewCounts } from '../src/services/conversations.js';
import { listView, type PageCursor } from '../src/storage/conversations.js';
import { ReadBands, type Band } from '../src/storage/read-bands.js';
import { TestServer, tempDbFile, expectStatus as ok } from '../src/testing.js';
import { prng } from '../bench/prng.js';

/**
 * The Unread view skips per-agent read bands (src/storage/read-bands.ts) and walks the gaps between
 * them in chunks (src/storage/unread-walk.ts). These tests drive real commands through the services
 * and check, after each one, that the view with bands (warmed by the walks before it) lists exactly
 * what the plain definition gives, and the count says how many: open, has an inbound message, and
 * no read mark at or past it.
 */

type AgentPrincipal = WorkspacePrincipal & { kind: 'agent' };

async function setup(t: TestContext, agentNames = ['ana', 'ben', 'cy']) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const agents: AgentPrincipal[] = [];
  for (const name of agentNames) {
    const agent = await ws.addAgent(name);
    agents.push({ kind: 'agent', workspaceId: ws.id, agentId: agent.id, role: 'agent', tokenExp: Number.MAX_SAFE_INTEGER });
  }
  const deps = server.server.deps;
  const clock = server.clock!;
  const host: WorkspacePrincipal = { kind: 'apiKey', workspaceId: ws.id };
  const db = deps.storage.db;

  /** The brute-force definition, written out by hand: no bands, no shared query code. */
  const expectedUnread = async (agentId: string): Promise<string[]> => {
    const { rows } = await sql<{ id: string }>`
      SELECT c.id FROM conversations AS c
      WHERE c.workspace_id = ${ws.id} AND c.status = 'open' AND c.last_inbound_seq IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM read_states AS r
                        WHERE r.conversation_id = c.id AND r.agent_id = ${agentId} AND r.last_read_seq >= c.last_inbound_seq)
      ORDER BY c.last_message_at DESC, c.id DESC`.execute(db);
    return rows.map((r) => r.id);
  };

  /** Every page of Unread through the cursor, with the given bands. */
  const unreadPages = async (bands: ReadBands, agentId: string, limit: number): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: PageCursor | null = null;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 1000, 'pagination does not end');
      const page = await listView(db, ws.id, agentId, 'unread', limit, cursor, bands);
      ids.push(...page.rows.map((r) => r.id));
      if (!page.next) break;
      assert.equal(page.rows.length, limit, 'a page with a next cursor is full');
      cursor = page.next;
    }
    return ids;
  };

  const inbound = (body = 'Hi') => createConversation(deps, host, { contact: { name: 'Dana' }, channel: 'sms', message: { body } });
  return { server, ws, deps, clock, host, db, agents, expectedUnread, unreadPages, inbound };
}

const SEEDS = process.env.READ_BANDS_SEED ? [Number(process.env.READ_BANDS_SEED)] : [1, 2, 3];
const STEPS = Number(process.env.READ_BANDS_STEPS ?? 220);

for (const seed of SEEDS) {
  test(`random commands: Unread with read bands equals the plain definition after every step (seed ${seed})`, async (t) => {
    const { ws, clock, host, deps, db, agents, expectedUnread, unreadPages, inbound } = await setup(t);
    const random = prng(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    // Small bands and few of them, so that a few dozen conversations exercise learning, merging and
    // eviction; and small chunks, so that walks cross chunk edges (and yield) inside every gap.
    const chunks = [{ first: 1, max: 1 }, { first: 1, max: 4 }, { first: 2, max: 16 }][seed % 3]!;
    const bands = new ReadBands({ minRows: 2, maxBandsPerAgent: 3, chunks });
    const ids: string[] = [];
    const openIds = async () =>
      (await db.selectFrom('conversations').select('id').where('workspace_id', '=', ws.id).where('status', '=', 'open').orderBy('last_message_at', 'desc').orderBy('id', 'desc').execute()).map(
        (r) => r.id,
      );
    let bandsSeen = 0;
    const log: string[] = [];

    for (let step = 0; step < STEPS; step++) {
      // Time mostly creeps (many changes share a millisecond), sometimes jumps, now and then steps back.
      const r = random();
      clock.advance(r < 0.05 ? -Math.floor(random() * 60_000) : r < 0.15 ? Math.floor(random() * 60_000) : Math.floor(random() * 3));
      const agent = pick(agents);
      const op = random();
      if (ids.length < 4 || op < 0.14) {
        ids.push((await inbound(`hello ${step}`)).id);
        log.push(`${step}: inbound create`);
      } else if (op < 0.17) {
        ids.push((await createConversation(deps, agent, { contact: { name: 'Eve' }, channel: 'email', message: { body: 'outreach' } })).id);
        log.push(`${step}: ${agent.agentId} outbound create`);
      } else if (op < 0.32) {
        const id = pick(ids);
        await postMessage(deps, host, id, { direction: 'inbound', body: 'more' });
        log.push(`${step}: inbound on ${id}`);
      } else if (op < 0.4) {
        const id = pick(ids);
        await postMessage(deps, agent, id, { direction: 'outbound', body: 'reply' });
        log.push(`${step}: ${agent.agentId} replies on ${id}`);
      } else if (op < 0.46) {
        const id = pick(ids);
        await postNote(deps, agent, id, 'a note for @ben');
        log.push(`${step}: ${agent.agentId} notes on ${id}`);
      } else if (op < 0.6) {
        const id = pick(ids);
        await markConversationRead(deps, agent, id);
        log.push(`${step}: ${agent.agentId} reads ${id}`);
      } else if (op < 0.74) {
        // Reads a stretch of the open list, which is what makes long read runs (and bands).
        const open = await openIds();
        const from = Math.floor(random() * open.length);
        const stretch = open.slice(from, from + 2 + Math.floor(random() * 10));
        for (const id of stretch) await markConversationRead(deps, agent, id);
        log.push(`${step}: ${agent.agentId} reads ${stretch.length} from ${from}`);
      } else if (op < 0.87) {
        const id = pick(ids);
        await setStatus(deps, agent, id, 'resolved', undefined);
        log.push(`${step}: ${agent.agentId} resolves ${id}`);
      } else {
        const id = pick(ids);
        await setStatus(deps, agent, id, 'open', undefined);
        log.push(`${step}: ${agent.agentId} reopens ${id}`);
      }

      for (const { agentId } of agents) {
        const expected = await expectedUnread(agentId);
        const context = () => `seed ${seed}, step ${step}, agent ${agentId}\n${log.slice(-8).join('\n')}`;
        const walk = async () => {
          // Sometimes only the first page, so different walks warm different bands.
          const limit = pick([1, 2, 3, 7, 50]);
          if (random() < 0.3) {
            const first = await listView(db, ws.id, agentId, 'unread', limit, null, bands);
            assert.deepEqual(first.rows.map((c) => c.id), expected.slice(0, limit), `first page of ${limit}: ${context()}`);
            assert.equal(first.next !== null, expected.length > limit, `next cursor: ${context()}`);
          } else {
            assert.deepEqual(await unreadPages(bands, agentId, limit), expected, `all pages of ${limit}: ${context()}`);
          }
        };
        await walk();
        assert.equal((await viewCounts(deps, ws.id, agentId)).unread, expected.length, `Unread count: ${context()}`);
        bandsSeen += bands.bandsOf(ws.id, agentId).length;
      }
    }
    // Otherwise the comparisons above would not have tested the skipping at all.
    assert.ok(bandsSeen > STEPS, `read bands were learned and used (${bandsSeen} band-steps)`);
  });
}

/**
 * A few conversations at distinct times, all read by `reader` except those in `skipRead`, and a
 * walk that learns the band over them. Returns the band for the test to check it is there.
 */
async function bandOver(s: Awaited<ReturnType<typeof setup>>, count: number, options: { skipRead?: (i: number) => boolean } = {}) {
  const [reader] = s.agents;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    s.clock.advance(1000);
    ids.push((await s.inbound(`message ${i}`)).id);
  }
  for (let i = 0; i < count; i++) if (!options.skipRead?.(i)) await markConversationRead(s.deps, reader!, ids[i]!);
  const bands = new ReadBands({ minRows: 2 });
  await listView(s.db, s.ws.id, reader!.agentId, 'unread', 50, null, bands);
  return { reader: reader!, ids, bands };
}

test('a new inbound message on a conversation inside a band makes it unread again, even in the same millisecond as the last change', async (t) => {
  const s = await setup(t);
  const { reader, ids, bands } = await bandOver(s, 8);
  assert.equal(bands.bandsOf(s.ws.id, reader.agentId).length, 1, 'the walk learned a band over the read conversations');
  assert.deepEqual(await s.unreadPages(bands, reader.agentId, 50), []);

  // No clock movement: the message gets the millisecond of the newest activity, which the band stays below.
  const conversation = ids[3]!;
  await postMessage(s.deps, s.host, conversation, { direction: 'inbound', body: 'one more thing' });
  assert.deepEqual(await s.expectedUnread(reader.agentId), [conversation]);
  assert.deepEqual(await s.unreadPages(bands, reader.agentId, 50), [conversation]);
  assert.equal((await viewCounts(s.deps, s.ws.id, reader.agentId)).unread, 1);

  // And once read again, it goes.
  await markConversationRead(s.deps, reader, conversation);
  assert.deepEqual(await s.unreadPages(bands, reader.agentId, 50), []);
  assert.equal((await viewCounts(s.deps, s.ws.id, reader.agentId)).unread, 0);
});

test('a manual reopen of an unread resolved conversation inside a band shows it in Unread', async (t) => {
  const s = await setup(t);
  const [, ben] = s.agents;
  // The reader never read conversation 4; Ben resolved it, so the reader's band spans it.
  const { reader, ids, bands } = await bandOver(s, 8, { skipRead: (i) => i === 4 });
  await setStatus(s.deps, ben!, ids[4]!, 'resolved', undefined);
  assert.deepEqual(await s.unreadPages(bands, reader.agentId, 50), []);
  const [band] = bands.bandsOf(s.ws.id, reader.agentId);
  assert.ok(band && band.lo === null, `one band over every conversation: ${JSON.stringify(band)}`);

  s.clock.advance(-5000); // and the clock has stepped back meanwhile
  const reopened = await setStatus(s.deps, ben!, ids[4]!, 'open', undefined);
  assert.equal(reopened.status, 'open');
  assert.deepEqual(await s.expectedUnread(reader.agentId), [ids[4]]);
  assert.deepEqual(await s.unreadPages(bands, reader.agentId, 50), [ids[4]]);
  assert.equal((await viewCounts(s.deps, s.ws.id, reader.agentId)).unread, 1);
});

test('with the clock stepped back, new activity still lands above every band', async (t) => {
  const s = await setup(t);
  const { reader, ids, bands } = await bandOver(s, 8);
  const newest = Math.max(...(await s.db.selectFrom('conversations').select('last_message_at').where('workspace_id', '=', s.ws.id).execute()).map((r) => Number(r.last_message_at)));
  assert.equal(bands.bandsOf(s.ws.id, reader.agentId).length, 1);

  s.clock.advance(-3_600_000); // an NTP step, or another node an hour behind
  const old = ids[1]!;
  const { conversation } = await postMessage(s.deps, s.host, old, { direction: 'inbound', body: 'still there?' });
  assert.ok(Date.parse(conversation.lastMessageAt) >= newest, 'activity times do not go backwards in a workspace');
  const created = await s.inbound('a new customer');
  assert.ok(Date.parse(created.lastMessageAt) >= Date.parse(conversation.lastMessageAt));

  const expected = await s.expectedUnread(reader.agentId);
  assert.deepEqual(new Set(expected), new Set([old, created.id]));
  assert.deepEqual(await s.unreadPages(bands, reader.agentId, 1), expected);
  assert.equal((await viewCounts(s.deps, s.ws.id, reader.agentId)).unread, 2);
});

test('bands are learned between unread rows, extended when a walk reaches their edge, and merged when the gap between them empties', async (t) => {
  const s = await setup(t);
  // Unread: 2, 9 and 14 of 18 (oldest first); the runs between them are read.
  const unread = new Set([2, 9, 14]);
  const { reader, ids, bands } = await bandOver(s, 18, { skipRead: (i) => unread.has(i) });
  const newestFirst = [14, 9, 2].map((i) => ids[i]!);
  assert.deepEqual(await s.unreadPages(bands, reader.agentId, 50), newestFirst);
  const learned = bands.bandsOf(s.ws.id, reader.agentId);
  assert.equal(learned.length, 4, `a band above 14, between 14 and 9, 9 and 2, and below 2: ${JSON.stringify(learned)}`);

  // Reading 9 empties the gap between two bands: the next walk joins them.
  await markConversationRead(s.deps, reader, ids[9]!);
  assert.equal((await viewCounts(s.deps, s.ws.id, reader.agentId)).unread, 2);
  assert.equal(bands.bandsOf(s.ws.id, reader.agentId).length, 4, 'nothing learned without a walk');
  assert.deepEqual(await s.unreadPages(bands, reader.agentId, 50), [ids[14], ids[2]]);
  assert.equal(bands.bandsOf(s.ws.id, reader.agentId).length, 3);
  await markConversationRead(s.deps, reader, ids[14]!);
  await markConversationRead(s.deps, reader, ids[2]!);
  assert.deepEqual(await s.unreadPages(bands, reader.agentId, 50), []);
  assert.equal((await viewCounts(s.deps, s.ws.id, reader.agentId)).unread, 0);
  assert.deepEqual(
    bands.bandsOf(s.ws.id, reader.agentId).map((b: Band) => b.lo),
    [null],
    'everything read: one band down to the oldest conversation',
  );
});

test('a walk past a long run of read conversations goes in chunks, giving the event loop a turn between them, and finds the same rows', async (t) => {
  const s = await setup(t);
  // Only the oldest of 40 is unread: a first walk passes 39 read ones, 4 at most per query.
  const { reader, ids } = await bandOver(s, 40, { skipRead: (i) => i === 0 });
  let turns = 0;
  let walking = true;
  const turn = () => {
    turns++;
    if (walking) setImmediate(turn);
  };
  setImmediate(turn);
  const chunked = new ReadBands({ minRows: 2, chunks: { first: 1, max: 4 } });
  const page = await listView(s.db, s.ws.id, reader.agentId, 'unread', 50, null, chunked);
  walking = false;
  assert.deepEqual(page.rows.map((r) => r.id), [ids[0]]);
  // Chunks of 1, 2, 4, 4, … over 40 conversations: at least 10 of them, each after a turn of the loop.
  assert.ok(turns >= 10, `the loop turned ${turns} times during the walk`);
  assert.equal(chunked.bandsOf(s.ws.id, reader.agentId).length, 1, 'and the walk learned the band over the read run');
});

test('the band list merges overlapping runs, keeps touching ones apart, and stays within its bounds', () => {
  const key = (at: number) => ({ at, id: 'conv_x' });
  const bands = new ReadBands({ maxBandsPerAgent: 2, maxAgents: 2 });
  bands.learn('ws', 'a', [{ lo: key(10), hi: key(20) }], []);
  bands.learn('ws', 'a', [{ lo: key(20), hi: key(30) }], []); // touches at 20, which may be unread
  assert.deepEqual(bands.bandsOf('ws', 'a').map((b) => [b.lo?.at, b.hi.at]), [[20, 30], [10, 20]]);
  bands.learn('ws', 'a', [{ lo: key(15), hi: key(25) }], []); // covers 20: all three are one
  assert.deepEqual(bands.bandsOf('ws', 'a').map((b) => [b.lo?.at, b.hi.at]), [[10, 30]]);
  bands.learn('ws', 'a', [{ lo: key(40), hi: key(50) }], []);
  const used = bands.bandsOf('ws', 'a').find((b) => b.hi.at === 30)!;
  bands.learn('ws', 'a', [{ lo: key(60), hi: key(70) }], [used]);
  assert.deepEqual(bands.bandsOf('ws', 'a').map((b) => [b.lo?.at, b.hi.at]), [[60, 70], [10, 30]], 'the least recently used band goes');
  bands.learn('ws', 'b', [{ lo: null, hi: key(5) }], []);
  bands.learn('ws', 'c', [{ lo: null, hi: key(5) }], []);
  assert.equal(bands.bandsOf('ws', 'a').length, 0, 'the least recently used agent goes');
  assert.equal(bands.bandsOf('ws', 'c').length, 1);
});

test('the server learns read bands from Unread requests over HTTP', async (t) => {
  const s = await setup(t, ['ana']);
  const { reader, ids } = await bandOver(s, 70, { skipRead: (i) => i === 0 });
  const token = (await ok(s.ws.api('POST', '/v1/tokens', { agentId: reader.agentId }), 201)).token;
  const page = await ok(s.server.request('GET', '/v1/conversations?view=unread&limit=10', { token }), 200);
  assert.deepEqual(page.items.map((c: { id: string }) => c.id), [ids[0]]);
  assert.equal(s.deps.readBands.bandsOf(s.ws.id, reader.agentId).length, 1, 'a band over the 69 read conversations (64 or more)');
  const counts = await ok(s.server.request('GET', '/v1/conversations/counts', { token }), 200);
  assert.equal(counts.unread, 1);
});

test('read bands are saved and a restarted server walks with them instead of learning them again', async (t) => {
  const db = tempDbFile(t, 'read-bands');
  const first = await TestServer.start({ db });
  let current = first;
  t.after(() => current.close());
  const ws = await first.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const reader: AgentPrincipal = { kind: 'agent', workspaceId: ws.id, agentId: ana.id, role: 'agent', tokenExp: Number.MAX_SAFE_INTEGER };
  const host: WorkspacePrincipal = { kind: 'apiKey', workspaceId: ws.id };
  const ids: string[] = [];
  for (let i = 0; i < 70; i++) {
    first.clock!.advance(1000);
    ids.push((await createConversation(first.server.deps, host, { contact: { name: 'Dana' }, channel: 'sms', message: { body: `message ${i}` } })).id);
  }
  for (const id of ids.slice(1)) await markConversationRead(first.server.deps, reader, id);
  const unread = async (server: TestServer) => (await ok(server.request('GET', '/v1/conversations?view=unread&limit=10', { token: ana.token }), 200)).items.map((c: { id: string }) => c.id);
  assert.deepEqual(await unread(first), [ids[0]]);
  const learned = first.server.deps.readBands.bandsOf(ws.id, ana.id);
  assert.equal(learned.length, 1, 'a band over the 69 read conversations');
  await first.close(); // waits for the save, which rides the next group commit

  const second = await TestServer.start({ db });
  current = second;
  assert.equal(second.server.deps.readBands.bandsOf(ws.id, ana.id).length, 0, 'nothing in memory yet');
  assert.deepEqual(await second.server.deps.readBands.bandsFor(ws.id, ana.id), learned.map((b) => ({ lo: b.lo, hi: b.hi, used: 0 })));
  assert.deepEqual(await unread(second), [ids[0]]);
  // Still true after the restart: a new inbound message moves a conversation from inside the band to "now".
  await postMessage(second.server.deps, host, ids[30]!, { direction: 'inbound', body: 'one more thing' });
  assert.deepEqual(await unread(second), [ids[30], ids[0]]);
});
