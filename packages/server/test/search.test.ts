import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { SearchPage } from '@baton/protocol';
import { searchIndexBehind } from '../src/storage/search-index.js';
import { TestServer, tempDbFile, type TestAgent, type TestWorkspace } from '../src/testing.js';

/**
 * `GET /v1/search` through HTTP: what it finds (messages and notes, prefixes, any case or
 * accent, the whole history), what it never finds (another workspace's items), how it treats
 * query syntax (as text), and how results are ordered, paged and highlighted.
 */

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  return { server, ws, ana };
}

async function conversation(ws: TestWorkspace, body: string, contactName = 'Dana'): Promise<{ id: string; messageId: string }> {
  const res = await ws.api('POST', '/v1/conversations', { contact: { name: contactName }, channel: 'sms', message: { body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const timeline = await ws.api('GET', `/v1/conversations/${res.body.conversation.id}/timeline`);
  const message = timeline.body.items.find((i: any) => i.kind === 'message');
  return { id: res.body.conversation.id, messageId: message.id };
}

async function inbound(ws: TestWorkspace, conversationId: string, body: string): Promise<any> {
  const res = await ws.api('POST', `/v1/conversations/${conversationId}/messages`, { direction: 'inbound', body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.message;
}

async function note(agent: TestAgent, conversationId: string, body: string): Promise<any> {
  const res = await agent.call('POST', `/v1/conversations/${conversationId}/notes`, { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.note;
}

type Caller = Pick<TestAgent, 'call'> | TestWorkspace;
const callOf = (c: Caller) => ('call' in c ? c.call : c.api);

async function search(caller: Caller, q: string, params: Record<string, string> = {}) {
  const qs = new URLSearchParams({ q, ...params }).toString();
  const res = await callOf(caller)('GET', `/v1/search?${qs}`);
  assert.equal(res.status, 200, `search ${JSON.stringify(q)}: ${res.status} ${JSON.stringify(res.body)}`);
  // The response is what the contract (and so the OpenAPI document) says.
  SearchPage.parse(res.body);
  return res.body as { items: any[]; nextCursor: string | null };
}

const ids = (page: { items: any[] }) => page.items.map((h) => h.item.id);
// SQLite's index is written after commit, in batches; PostgreSQL's is kept by each write (migration 0054).
const sqliteOnly = process.env.BATON_TEST_POSTGRES ? 'the SQLite index alone is written after commit' : false;
const marked = (hit: { snippet: string; highlights: [number, number][] }) => hit.highlights.map(([s, e]) => hit.snippet.slice(s, e));

test('finds words in messages and in notes, with the conversation id and the full timeline item', async (t) => {
  const { ws, ana } = await setup(t);
  const a = await conversation(ws, 'My parcel has not arrived yet');
  const b = await conversation(ws, 'Hello there');
  const n = await note(ana, b.id, 'Asked billing about the duplicate charge');
  await conversation(ws, 'Unrelated question about opening hours');

  const byMessage = await search(ana, 'parcel');
  assert.deepEqual(ids(byMessage), [a.messageId]);
  assert.equal(byMessage.items[0].conversationId, a.id);
  const timeline = await ws.api('GET', `/v1/conversations/${a.id}/timeline`);
  assert.deepEqual(byMessage.items[0].item, timeline.body.items.find((i: any) => i.id === a.messageId));
  assert.equal(byMessage.nextCursor, null);

  const byNote = await search(ana, 'billing');
  assert.deepEqual(ids(byNote), [n.id]);
  assert.equal(byNote.items[0].conversationId, b.id);
  assert.equal(byNote.items[0].item.body, 'Asked billing about the duplicate charge');

  // Every word must match; words of one item in another item do not combine.
  assert.deepEqual(ids(await search(ana, 'parcel arrived')), [a.messageId]);
  assert.deepEqual(ids(await search(ana, 'parcel billing')), []);
  // The API key (host backend) may search too.
  assert.deepEqual(ids(await search(ws, 'parcel')), [a.messageId]);
});

test('notes come back marked internal, messages not; kind and conversationId filter', async (t) => {
  const { ws, ana } = await setup(t);
  const c1 = await conversation(ws, 'Customer wants a callback tomorrow');
  const n = await note(ana, c1.id, 'Callback scheduled by ana');
  const c2 = await conversation(ws, 'Please give me a callback');

  const all = await search(ana, 'callback');
  assert.equal(all.items.length, 3);
  for (const hit of all.items) {
    assert.equal(hit.item.internal, hit.item.kind === 'note', `${hit.item.kind} internal flag`);
    assert.ok(hit.item.kind === 'note' || hit.item.kind === 'message');
  }
  assert.deepEqual(all.items.filter((h) => h.item.internal).map((h) => h.item.id), [n.id]);

  assert.deepEqual(ids(await search(ana, 'callback', { kind: 'note' })), [n.id]);
  assert.deepEqual(new Set(ids(await search(ana, 'callback', { kind: 'message' }))), new Set([c1.messageId, c2.messageId]));
  assert.deepEqual(new Set(ids(await search(ana, 'callback', { conversationId: c1.id }))), new Set([c1.messageId, n.id]));
  assert.deepEqual(ids(await search(ana, 'callback', { conversationId: c2.id, kind: 'note' })), []);
});

test('prefix search: the start of a word finds the whole word, and the highlight covers it', async (t) => {
  const { ws, ana } = await setup(t);
  const a = await conversation(ws, 'I want a refund for order 1182');
  const b = await conversation(ws, 'Was the payment refunded already?');
  await conversation(ws, 'The reference number is wrong'); // "ref" but not "refun"

  const page = await search(ana, 'refun');
  assert.deepEqual(new Set(ids(page)), new Set([a.messageId, b.messageId]));
  const words = page.items.flatMap(marked).map((w) => w.toLowerCase()).sort();
  assert.deepEqual(words, ['refund', 'refunded']);
  // A prefix of the middle of a word does not match.
  assert.deepEqual(ids(await search(ana, 'fund')), []);
});

test('case and diacritics do not matter, either way round', async (t) => {
  const { ws, ana } = await setup(t);
  const a = await conversation(ws, 'Llamar a María Pérez mañana por la factura');
  const b = await conversation(ws, 'call MARIA about the CAFE order');

  assert.deepEqual(new Set(ids(await search(ana, 'maria'))), new Set([a.messageId, b.messageId]));
  assert.deepEqual(ids(await search(ana, 'PEREZ manana')), [a.messageId]);
  assert.deepEqual(ids(await search(ana, 'Café')), [b.messageId]);
  const hit = (await search(ana, 'perez')).items[0];
  assert.deepEqual(marked(hit), ['Pérez']);
});

test('ß and "ss" find each other, as German customers type both ("grosse" finds "Größe")', async (t) => {
  const { ws, ana } = await setup(t);
  const sharp = await conversation(ws, 'Die Größe passt nicht, bitte zur Straße liefern');
  const plain = await conversation(ws, 'Grosse Bestellung für die Hauptstrasse');
  assert.deepEqual(new Set(ids(await search(ana, 'grosse'))), new Set([sharp.messageId, plain.messageId]));
  assert.deepEqual(new Set(ids(await search(ana, 'GRÖSSE'))), new Set([sharp.messageId, plain.messageId]));
  assert.deepEqual(new Set(ids(await search(ana, 'straße'))), new Set([sharp.messageId]));
  assert.deepEqual(ids(await search(ana, 'hauptstraße')), [plain.messageId]);
  assert.deepEqual(marked((await search(ana, 'strasse')).items[0]), ['Straße']);
  // A word with "ss" that has no other spelling still finds itself once.
  assert.deepEqual(ids(await search(ana, 'passt')), [sharp.messageId]);
});

test('tenant isolation: identical text in another workspace is never returned', async (t) => {
  const { server, ws, ana } = await setup(t);
  const other = await server.createWorkspace('Globex');
  const bob = await other.addAgent('bob');
  const text = 'Confidential merger paperwork attached';
  const mine = await conversation(ws, text);
  const myNote = await note(ana, mine.id, `${text}, see note`);
  const theirs = await conversation(other, text);
  const theirNote = await note(bob, theirs.id, `${text}, see note`);

  for (const order of ['newest', 'relevance']) {
    for (const q of ['confidential', 'merger paperwork', 'conf', 'see note']) {
      const anaIds = new Set(ids(await search(ana, q, { order })));
      const bobIds = new Set(ids(await search(bob, q, { order })));
      assert.ok(anaIds.size > 0 && bobIds.size > 0, q);
      for (const id of anaIds) assert.ok([mine.messageId, myNote.id].includes(id), `ana sees only her workspace for ${q} (${order})`);
      for (const id of bobIds) assert.ok([theirs.messageId, theirNote.id].includes(id), `bob sees only his workspace for ${q} (${order})`);
      assert.deepEqual(new Set(ids(await search(other, q, { order }))), bobIds, `API key of Globex for ${q} (${order})`);
    }
  }
  // Naming the other workspace's conversation changes nothing.
  assert.deepEqual(ids(await search(ana, 'confidential', { conversationId: theirs.id })), []);
  // Nor does trying to address the index's workspace column from the query.
  assert.deepEqual(ids(await search(ana, `ws:"${other.id}" OR confidential`)), []);
});

test('FTS syntax in the input is text: never a 500, never an operator', async (t) => {
  const { ws, ana } = await setup(t);
  const a = await conversation(ws, 'Error: NEAR(5) - "quoted" text with a ^caret, a star* and OR else {body} col:umn');
  const b = await conversation(ws, 'refund please');

  const inputs = [
    '"', '""', '"quoted', 'quoted"', '*', 'star*', '**', 'OR', 'AND', 'NOT', 'NEAR', 'NEAR(', 'NEAR(5)', 'NEAR("quoted" text, 2)',
    '-', '-refund', ':', 'body:refund', 'ws:refund', '{body}:refund', '^', '^caret', '(', ')', '()', '(refund', 'refund)',
    'refund OR else', 'refund NOT please', 'a AND', '+', "'", '\\', '\u0000', '%', '_', '\u0301', '😀', 'x'.repeat(200),
  ];
  for (const q of inputs) {
    const res = await ana.call('GET', `/v1/search?${new URLSearchParams({ q })}`);
    assert.ok(res.status === 200 || res.status === 400, `${JSON.stringify(q)} → ${res.status} ${JSON.stringify(res.body)}`);
    if (res.status === 400) assert.equal(res.body.error.code, 'validation_failed');
  }

  // Only punctuation: nothing to search for.
  for (const q of ['"', '*', '()', '^', ':', '-', '"*"']) {
    const res = await ana.call('GET', `/v1/search?${new URLSearchParams({ q })}`);
    assert.equal(res.status, 400, JSON.stringify(q));
  }
  // Operators' words and punctuation are ordinary text, ANDed like any word.
  assert.deepEqual(ids(await search(ana, 'NEAR(5)')), [a.messageId]);
  assert.deepEqual(ids(await search(ana, '"quoted"')), [a.messageId]);
  assert.deepEqual(ids(await search(ana, '^caret')), [a.messageId]);
  assert.deepEqual(ids(await search(ana, 'star*')), [a.messageId]);
  assert.deepEqual(ids(await search(ana, 'col:umn')), [a.messageId]);
  assert.deepEqual(ids(await search(ana, '{body}')), [a.messageId]);
  assert.deepEqual(ids(await search(ana, 'OR else')), [a.messageId]);
  // As operators these would match b ("refund" OR …, "refund" minus "please", column filter).
  assert.deepEqual(ids(await search(ana, 'refund OR else')), []);
  assert.deepEqual(ids(await search(ana, 'refund NOT please')), []);
  assert.deepEqual(ids(await search(ana, 'body:refund')), []);
  assert.deepEqual(ids(await search(ana, '-refund')), [b.messageId]);
});

test('newest first by default; order=relevance puts the best match first', async (t) => {
  const { server, ws, ana } = await setup(t);
  const dense = await conversation(ws, 'warranty warranty warranty');
  server.clock!.advance(60_000);
  const middle = await conversation(ws, 'A long message that mentions the warranty once among many other words about shipping, sizes and colours');
  server.clock!.advance(60_000);
  const newest = await conversation(ws, 'What does the warranty cover, and for how many years after the purchase date?');

  const byDate = await search(ana, 'warranty');
  assert.deepEqual(ids(byDate), [newest.messageId, middle.messageId, dense.messageId]);
  const seqs = byDate.items.map((h) => h.item.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => y - x));
  assert.deepEqual(ids(await search(ana, 'warranty', { order: 'newest' })), ids(byDate));

  const byRelevance = await search(ana, 'warranty', { order: 'relevance' });
  assert.deepEqual(ids(byRelevance), [dense.messageId, newest.messageId, middle.messageId]);
});

test('pagination returns every match exactly once, in both orders', async (t) => {
  const { ws, ana } = await setup(t);
  const expected = new Set<string>();
  for (let c = 0; c < 3; c++) {
    const conv = await conversation(ws, `Order ${c}: the invoice is wrong`);
    expected.add(conv.messageId);
    for (let i = 0; i < 4; i++) expected.add((await inbound(ws, conv.id, `invoice copy ${c}-${i} ${'invoice '.repeat(i)}`)).id);
    for (let i = 0; i < 3; i++) expected.add((await note(ana, conv.id, `checked the invoice (${c}-${i})`)).id);
    await inbound(ws, conv.id, 'something else entirely');
  }
  assert.equal(expected.size, 24);

  for (const order of ['newest', 'relevance']) {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: any[]; nextCursor: string | null } = await search(ana, 'invoice', { order, limit: '5', ...(cursor ? { cursor } : {}) });
      assert.ok(page.items.length <= 5);
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    assert.equal(cursor, null, `${order}: ends with a null cursor`);
    assert.equal(pages, 5, `${order}: 24 matches in pages of 5`);
    assert.equal(seen.length, 24, `${order}: no duplicates`);
    assert.deepEqual(new Set(seen), expected, `${order}: every match`);
  }

  // A newest page of exactly the remaining size has no next cursor.
  assert.equal((await search(ana, 'invoice', { limit: '24' })).nextCursor, null);
  assert.notEqual((await search(ana, 'invoice', { limit: '23' })).nextCursor, null);
});

test('highlights are offsets of the matched words in a plain-text snippet', async (t) => {
  const { ws, ana } = await setup(t);
  await conversation(ws, 'I need a refund for invoice 42 <b>now</b>, a refund please');
  const hit = (await search(ana, 'refund invoice')).items[0];
  assert.equal(hit.snippet, 'I need a refund for invoice 42 <b>now</b>, a refund please');
  assert.deepEqual(hit.highlights, [
    [9, 15],
    [20, 27],
    [45, 51],
  ]);
  assert.deepEqual(marked(hit), ['refund', 'invoice', 'refund']);

  // A long body is cut around the match, with an ellipsis, and the offsets still hold.
  const filler = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
  await conversation(ws, `${filler} the tracking number is missing ${filler}`);
  const cut = (await search(ana, 'tracking')).items[0];
  assert.ok(cut.snippet.length < 400, 'snippet is a fragment');
  assert.ok(cut.snippet.startsWith('…') && cut.snippet.endsWith('…'), cut.snippet);
  assert.deepEqual(marked(cut), ['tracking']);

  // Text that contains the private-use characters used as markers is still highlighted right.
  await conversation(ws, 'odd \uE000 chars \uE001 around the parcel \uE000');
  const odd = (await search(ana, 'parcel')).items[0];
  assert.equal(odd.snippet, 'odd \uE000 chars \uE001 around the parcel \uE000');
  assert.deepEqual(marked(odd), ['parcel']);
});

test('query validation: empty, blank, too long, unknown parameters, bad cursor → 400; no credential → 401', async (t) => {
  const { server, ws, ana } = await setup(t);
  await conversation(ws, 'hello world');
  const bad = [
    '', 'q=', 'q=%20%20%20', `q=${'a'.repeat(201)}`, 'q=hello&foo=1', 'q=hello&order=oldest', 'q=hello&kind=event',
    'q=hello&limit=0', 'q=hello&limit=101', 'q=hello&limit=abc', 'q=hello&cursor=zzz', 'q=hello&conversationId=%27%3B--',
  ];
  for (const qs of bad) {
    const res = await ana.call('GET', `/v1/search?${qs}`);
    assert.equal(res.status, 400, `${qs}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'validation_failed');
  }
  assert.equal((await ana.call('GET', `/v1/search?q=${'a'.repeat(200)}`)).status, 200);

  // A cursor from one order is not valid for the other.
  for (let i = 0; i < 3; i++) await conversation(ws, 'hello again');
  const first = await search(ana, 'hello', { limit: '1' });
  assert.ok(first.nextCursor);
  const res = await ana.call('GET', `/v1/search?${new URLSearchParams({ q: 'hello', order: 'relevance', cursor: first.nextCursor! })}`);
  assert.equal(res.status, 400);

  assert.equal((await server.request('GET', '/v1/search?q=hello')).status, 401);
});

test('no time limit on history: items written years ago are found', async (t) => {
  const { server, ws } = await setup(t);
  const old = await conversation(ws, 'Serial number XJ-2291 for the old espresso machine');
  server.clock!.advance(6 * 365 * 86_400_000);
  const agent = await ws.addAgent('zoe'); // tokens are minted against the current clock
  const recent = await conversation(ws, 'Another espresso machine question');

  const page = await search(agent, 'espresso');
  assert.deepEqual(ids(page), [recent.messageId, old.messageId]);
  const years = (Date.parse(page.items[0].item.createdAt) - Date.parse(page.items[1].item.createdAt)) / (365 * 86_400_000);
  assert.ok(years >= 6, `found an item ${years.toFixed(1)} years older`);
  assert.deepEqual(ids(await search(agent, 'xj 2291')), [old.messageId]);
});

test('indexing runs after commit, and a search first indexes whatever is still pending', { skip: sqliteOnly }, async (t) => {
  const { server, ws, ana } = await setup(t);
  const { storage } = server.server.deps;
  // Commits no longer wake the relay (and so the indexer; its poll waits on the manual clock):
  // only the search's own catch-up is left.
  server.server.deps.relay.kick = () => {};
  const a = await conversation(ws, 'The courier left my parcel at the wrong door');
  const n = await note(ana, a.id, 'Courier complaint, second this week');
  assert.equal(await searchIndexBehind(storage.db), true, 'committed but not yet indexed');
  assert.deepEqual(new Set(ids(await search(ana, 'courier'))), new Set([a.messageId, n.id]));
  assert.equal(await searchIndexBehind(storage.db), false);
  // Indexed once: a second search (and a second catch-up) finds each item once.
  await server.server.deps.search.catchUp();
  assert.deepEqual(ids(await search(ana, 'courier')).length, 2);
});

test('indexing runs in batches on the clock: commits wake it once a quarter second, not each', { skip: sqliteOnly }, async (t) => {
  const { server, ws } = await setup(t);
  const { storage, search: indexer } = server.server.deps;
  for (let i = 0; i < 3; i++) await conversation(ws, `Parcel ${i} went to the neighbour`);
  await server.settle();
  assert.equal(await searchIndexBehind(storage.db), true, 'committed, and the wake-up is waiting for its delay');
  server.clock!.advance(249);
  await indexer.idle();
  assert.equal(await searchIndexBehind(storage.db), true, 'not before the delay');
  server.clock!.advance(1);
  await indexer.idle();
  assert.equal(await searchIndexBehind(storage.db), false, 'one pass indexed all three');
});

test('messages committed but not indexed before a restart are indexed at start', async (t) => {
  const db = tempDbFile(t, 'search-restart');
  const first = await TestServer.start({ db });
  const ws = await first.createWorkspace('Acme');
  first.server.deps.relay.kick = () => {}; // as if the process died right after these commits
  const a = await conversation(ws, 'Refund for the broken kettle please');
  assert.equal(await searchIndexBehind(first.server.deps.storage.db), true);
  await first.close();

  const second = await TestServer.startFor(t, { db });
  assert.equal(await searchIndexBehind(second.server.deps.storage.db), false, 'indexed during start');
  const api: TestWorkspace['api'] = (method, path) => second.request(method, path, { token: ws.apiKey });
  assert.deepEqual(ids(await search({ ...ws, api }, 'kettle')), [a.messageId]);
});
