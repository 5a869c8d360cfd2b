import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { MAX_REPLAY } from '../src/realtime/replay.js';
import { TestServer, type BatonTestSocket, type LiveSocket, type TestWorkspace } from '../src/testing.js';

/**
 * Replay after a reconnect (DESIGN §7a): bounded per socket, and outside the live fan-out's
 * critical section, so replaying sockets never hold up anyone's live events. The exactly-once and
 * restart cases are in realtime.test.ts.
 */

async function inbound(ws: TestWorkspace, subject?: string) {
  const res = await ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', subject, message: { body: 'Hi' } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.conversation as { id: string; subject: string | null };
}

/** `count` inbound messages spread over the conversations, `concurrency` at a time (they share group commits). */
async function messages(ws: TestWorkspace, conversationIds: string[], count: number, concurrency = 25) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await ws.api('POST', `/v1/conversations/${conversationIds[i % conversationIds.length]}/messages`, { direction: 'inbound', body: `message ${i}` });
      assert.equal(res.status, 201);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const changeSeqs = (s: LiveSocket) => s.rec.log.filter((e) => e.event !== 'ready' && e.event !== 'presence:updated').map((e) => e.payload.seq as number);

test(`more missed changes than the cap (${MAX_REPLAY} by default) get ready { resync: true } at once, without events; up to it they are replayed`, async (t) => {
  const cap = 20;
  const server = await TestServer.startFor(t, { maxReplay: cap });
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const conv = await inbound(ws);
  await server.settle();
  const first = await server.live(ana.token);
  const since = first.ready.seq;
  first.socket.disconnect();

  // Exactly the cap: replayed, every one.
  await messages(ws, [conv.id], cap);
  await server.settle();
  const atCap = await server.live(ana.token, { since });
  assert.equal(atCap.ready.resync, false);
  assert.equal(atCap.ready.replayed, cap);
  const replayedItems = atCap.rec.of('timeline:added');
  assert.equal(replayedItems.length, cap);
  assert.ok(replayedItems.every((p) => p.seq > since && p.seq <= atCap.ready.seq));
  atCap.socket.disconnect();

  // One more than the cap: resync, and nothing replayed before `ready`.
  await messages(ws, [conv.id], 1);
  await server.settle();
  const past = await server.live(ana.token, { since });
  assert.equal(past.ready.resync, true);
  assert.equal(past.ready.replayed, 0);
  const beforeReady = past.rec.log.slice(0, past.rec.log.findIndex((e) => e.event === 'ready'));
  assert.deepEqual(beforeReady, []);
  assert.equal(MAX_REPLAY, 500);
});

test('changes committed while a long replay runs arrive once each, in seq order, after the replayed ones', async (t) => {
  const server = await TestServer.startFor(t, { maxReplay: 5000 });
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const convs = [await inbound(ws), await inbound(ws), await inbound(ws)];
  await server.settle();
  const since = (await server.live(ana.token)).ready.seq;

  await messages(ws, convs.map((c) => c.id), 400);
  await server.settle();
  // The replay takes several pages; these commits land before, during and after it.
  const [again] = await Promise.all([server.live(ana.token, { since }), messages(ws, convs.map((c) => c.id), 60, 3)]);
  assert.equal(again.ready.resync, false);
  assert.ok(again.ready.replayed >= 400, `replayed ${again.ready.replayed}`);
  await server.settle();
  await new Promise((resolve) => (again.socket.emit as any)('presence:viewing', { conversationId: null }, resolve));

  const got = again.rec.of('timeline:added').map((p) => p.item.id as string);
  assert.equal(new Set(got).size, got.length, 'an item arrived twice');
  const all: string[] = [];
  for (const c of convs) {
    const items = (await ana.call('GET', `/v1/conversations/${c.id}/timeline?limit=500`)).body.items as { id: string; seq: number }[];
    all.push(...items.filter((i) => i.seq > since).map((i) => i.id));
  }
  assert.equal(all.length, 460);
  assert.deepEqual([...got].sort(), all.sort());
  const seqs = changeSeqs(again);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! >= seqs[i - 1]!, `seq went back from ${seqs[i - 1]} to ${seqs[i]}`);
});

// How long the quiet tenant waits is a speed target (p99 ≤ 250 ms), measured by `BENCH=replay pnpm
// bench` against the same loop with nothing replaying; this test checks what must hold on any machine.
test("50 sockets replaying ~3,000 changes each: every change replayed once, and another tenant's live events served all the while", async (t) => {
  const server = await TestServer.start({ maxReplay: 5000 });
  const sockets: BatonTestSocket[] = [];
  t.after(async () => {
    for (const s of sockets) s.disconnect();
    await server.close();
  });
  const busy = await server.createWorkspace('Busy');
  const agents = [];
  for (let i = 0; i < 10; i++) agents.push(await busy.addAgent(`agent${i}`));
  const convs = [];
  for (let i = 0; i < 10; i++) convs.push(await inbound(busy));
  await messages(busy, convs.map((c) => c.id), 2990);
  await server.settle();

  const quiet = await server.createWorkspace('Quiet');
  const zed = await quiet.addAgent('zed');
  const watcher = await server.live(zed.token);
  const received = new Set<string>();
  watcher.socket.on('conversation:created', (e) => received.add(e.conversation.subject ?? ''));

  // 5 sockets for each of the 10 agents, all replaying the workspace from its start. Events are
  // counted, not kept: 50 × ~6,000 payloads would be most of the test's memory.
  let pending = 50;
  const replays = agents.flatMap((agent) =>
    Array.from({ length: 5 }, () => {
      const socket: BatonTestSocket = connect(server.url, { auth: { token: agent.token, since: 0 }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      let updates = 0;
      socket.on('conversation:updated', () => updates++);
      return new Promise<{ replayed: number; resync: boolean; updates: number }>((resolve, reject) => {
        socket.once('ready', (r) => {
          pending--;
          resolve({ replayed: r.replayed, resync: r.resync, updates });
        });
        socket.once('connect_error', reject);
      });
    }),
  );

  // Closed loop on the quiet tenant while the replays run: create, wait for the event, repeat. A
  // replay that held the live fan-out (it once ran inside the relay's lock) lets through one probe
  // or none until every replay is done; one that yields serves the quiet tenant between its pages.
  let served = 0;
  for (let i = 0; pending > 0; i++) {
    const subject = `probe ${i}`;
    const sent = performance.now();
    await inbound(quiet, subject);
    const deadline = sent + 5000;
    while (!received.has(subject)) {
      assert.ok(performance.now() < deadline, `${subject}: no conversation:created within 5 s`);
      await new Promise<void>((resolve) => watcher.socket.once('conversation:created', () => resolve()));
    }
    if (pending > 0) served++;
  }
  const done = await Promise.all(replays);
  for (const r of done) {
    assert.equal(r.resync, false);
    assert.ok(r.replayed >= 3000, `replayed ${r.replayed}`);
    assert.equal(r.updates, 2990, 'every message change replayed once');
  }
  t.diagnostic(`quiet tenant's creates delivered while sockets were still replaying: ${served}`);
  assert.ok(served >= 20, `only ${served} of the quiet tenant's events were delivered while the replays ran`);
});

test('only a single node skips rooms nobody is in; with a cluster adapter every event is sent', async (t) => {
  /** Rooms the adapter was asked to broadcast `conversation:created` to. */
  const spy = (adapter: { broadcast: (packet: any, opts: any) => void }, rooms: string[]) => {
    const original = adapter.broadcast.bind(adapter);
    adapter.broadcast = (packet, opts) => {
      if (packet.data?.[0] === 'conversation:created') rooms.push(...opts.rooms);
      original(packet, opts);
    };
  };
  // The in-memory adapter's class, subclassed as a cluster adapter would be (socket.io-adapter is not a direct dependency).
  const Base = new Server().of('/').adapter.constructor as new (nsp: unknown) => { broadcast: (packet: any, opts: any) => void };
  const clusterRooms: string[] = [];
  class ClusterAdapter extends Base {
    constructor(nsp: unknown) {
      super(nsp);
      spy(this, clusterRooms);
    }
  }

  for (const [label, options, rooms] of [
    ['single node', {}, [] as string[]],
    ['cluster adapter', { socketAdapter: ClusterAdapter as never }, clusterRooms],
  ] as const) {
    const server = await TestServer.startFor(t, options);
    if (label === 'single node') spy(server.server.realtime.io.of('/').adapter as never, rooms);
    const nobodyHere = await server.createWorkspace('Nobody online');
    const someone = await server.createWorkspace('Someone online');
    const amy = await someone.addAgent('amy');
    const live = await server.live(amy.token);
    await inbound(nobodyHere);
    const conv = await inbound(someone);
    await live.rec.waitFor('conversation:created', (p) => p.conversation.id === conv.id);
    await server.settle();
    assert.ok(rooms.includes(`ws:${someone.id}`), `${label}: the room with a socket`);
    assert.equal(rooms.includes(`ws:${nobodyHere.id}`), label === 'cluster adapter', `${label}: the room without one`);
  }
});
