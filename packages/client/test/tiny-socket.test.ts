import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { TestServer } from '@baton/server/testing';
import { io, type Socket } from '../src/tiny-socket/tiny-socket.js';
import { withTimeout } from './support.js';

/**
 * The tiny Socket.IO client on its own, against the real server: what realtime.test.ts (run a
 * second time with the tiny client by `pnpm test:tiny`) does not reach — the heartbeat, ack
 * timeouts, buffering before connect, the connect_error shape, and which closes end the socket.
 * Needs a global WebSocket: `node --experimental-websocket` on Node 20.
 */

type EngineConn = { on(event: string, fn: () => void): void; sendPacket: (type: string, ...rest: unknown[]) => void };
type EngineOpts = { pingInterval: number; pingTimeout: number };

async function start(t: TestContext) {
  const server = await TestServer.start();
  const sockets: Socket[] = [];
  t.after(async () => {
    for (const s of sockets) s.disconnect();
    await server.close();
  });
  const ws = await server.createWorkspace();
  const ana = await ws.addAgent('ana');
  const io_ = server.server.realtime.io;
  const engine = io_.engine as unknown as { opts: EngineOpts; on(event: 'connection', fn: (conn: EngineConn) => void): void };
  const open = (options: Parameters<typeof io>[1] = {}) => {
    const s = io(server.url, { auth: { token: ana.token }, reconnectionDelay: 1, reconnectionDelayMax: 1, ...options });
    sockets.push(s);
    return s;
  };
  return { server, ana, engine, open };
}

function once<T = unknown>(socket: Socket, event: string, label = event): Promise<T> {
  return withTimeout(new Promise<T>((resolve) => socket.on(event, (value: T) => resolve(value))), label);
}

test('answers the server’s pings, so a short heartbeat keeps the connection up', async (t) => {
  const { engine, open } = await start(t);
  // Read at the handshake: a ping every 100 ms, and 100 ms for the pong (short, yet wide enough
  // that a busy machine's event-loop stalls do not pass for a dead connection).
  engine.opts.pingInterval = 100;
  engine.opts.pingTimeout = 100;
  const pongs = new Promise<void>((resolve) => {
    engine.on('connection', (conn) => {
      let n = 0;
      conn.on('heartbeat', () => ++n === 5 && resolve());
    });
  });
  const s = open();
  const reasons: string[] = [];
  s.on('disconnect', (reason: string) => reasons.push(reason));
  await once(s, 'connect');
  // Five pong round trips is more than twice the 200 ms either side would wait for a missing one.
  await withTimeout(pongs, 'five pongs');
  assert.deepEqual(reasons, []);
  assert.equal(s.connected, true);
});

test('a server that stops pinging is a dead connection after pingInterval + pingTimeout: `ping timeout`, then a reconnect', async (t) => {
  const { engine, open } = await start(t);
  engine.opts.pingInterval = 20;
  engine.opts.pingTimeout = 20;
  let first = true;
  engine.on('connection', (conn) => {
    if (!first) return;
    first = false;
    // The client was told 20 + 20 ms; this connection now never pings, and the server itself
    // waits long for a pong so that it is the client that notices.
    engine.opts.pingTimeout = 60_000;
    const send = conn.sendPacket.bind(conn);
    conn.sendPacket = (type, ...rest) => (type === 'ping' ? undefined : send(type, ...rest));
  });
  const s = open();
  await once(s, 'connect', 'first connect');
  const reconnected = once(s, 'connect', 'reconnect');
  assert.equal(await once(s, 'disconnect'), 'ping timeout');
  assert.equal(s.active, true, 'a dead connection is retried');
  await reconnected;
  assert.equal(s.connected, true);
});

test('emits before connect go out on connect, and an ack with timeout() gets (null, …args)', async (t) => {
  const { open } = await start(t);
  const s = open({ autoConnect: false });
  assert.equal(s.active, false);
  const acked = new Promise<unknown[]>((resolve) => s.timeout(2000).emit('presence:viewing', { conversationId: null }, (...args: unknown[]) => resolve(args)));
  s.connect();
  assert.equal(s.active, true);
  assert.deepEqual(await withTimeout(acked, 'ack'), [null, { ok: true, data: null }]);
  assert.equal(typeof s.id, 'string');
});

test('an ack that does not come fails with a timeout error; one pending at a disconnect fails at once', async (t) => {
  const { server, ana, open } = await start(t);
  const s = open();
  await once(s, 'connect');
  // The server acks nothing for an event it has no handler for.
  const timedOut = new Promise<unknown>((resolve) => s.timeout(30).emit('no:such-event', {}, resolve));
  assert.match(String(await withTimeout(timedOut, 'the ack timeout')), /operation has timed out/);

  const pending = new Promise<unknown>((resolve) => s.timeout(60_000).emit('no:such-event', {}, resolve));
  server.server.realtime.io.in(`agent:${ana.id}`).disconnectSockets(true);
  assert.match(String(await withTimeout(pending, 'the ack failing on disconnect')), /socket has been disconnected/);
});

test('the server’s disconnect (`io server disconnect`) and the client’s own end the socket: no reconnect', async (t) => {
  const { server, ana, open } = await start(t);
  const s = open();
  await once(s, 'connect');
  const dropped = once<string>(s, 'disconnect');
  server.server.realtime.io.in(`agent:${ana.id}`).disconnectSockets(true);
  assert.equal(await dropped, 'io server disconnect');
  assert.equal(s.active, false);
  assert.equal(s.connected, false);

  const again = once(s, 'connect', 'connect() after the server’s disconnect');
  s.connect();
  await again;
  const closed = once<string>(s, 'disconnect');
  s.disconnect();
  assert.equal(await closed, 'io client disconnect');
  assert.equal(s.active, false);
});

test('a refused handshake is a connect_error with the server’s message and data, and the socket gives up', async (t) => {
  const { open } = await start(t);
  let asked = 0;
  const s = open({ auth: (cb: (data: object) => void) => (asked++, cb({ token: 'nope' })) });
  const error = await once<Error & { data?: unknown }>(s, 'connect_error');
  assert.equal(error.message, 'unauthorized');
  assert.ok('data' in error);
  assert.equal(s.active, false);
  assert.equal(s.connected, false);
  assert.equal(asked, 1);
});

test('a server that cannot be reached is a connect_error, and the socket keeps trying', async (t) => {
  // Port 1 on loopback: nothing listens there, the WebSocket fails to open.
  const s = io('http://127.0.0.1:1', { reconnectionDelay: 1, reconnectionDelayMax: 1 });
  t.after(() => void s.disconnect());
  const errors: Error[] = [];
  const twice = withTimeout(new Promise<void>((resolve) => s.on('connect_error', (e: Error) => errors.push(e) === 2 && resolve())), 'two connect errors');
  await twice;
  assert.equal(s.active, true);
  assert.equal(s.connected, false);
});
