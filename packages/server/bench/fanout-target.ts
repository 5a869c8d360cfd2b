/**
 * The server side of the fan-out benchmark, run as a child process (`node --import tsx`) so neither
 * the load generator nor the 1,000 socket clients share its event loop or its CPU time.
 *
 *   baton  the real server (`startServer`) on a WAL file database in a temp dir
 *   baton-no-counts  the same, with counts:updated switched off (a what-if: the fan-out without the
 *          per-agent count queries, which maintained counters are to replace)
 *   bare   a bare Socket.IO server (the same socket.io as Baton's) on node:http: `POST /broadcast
 *          { room, event, payload }` emits the payload to the room, `GET /healthz` answers; a
 *          socket joins the rooms its handshake names (no token checks, no database)
 *
 * Usage (from fanout.ts): fork('fanout-target.ts', [kind, adminToken]). Sends `{ type: 'ready', url }`,
 * answers `cpu` (CPU time used so far), profiles between `profile-start` and `profile-stop`, and on
 * `stop` closes, deletes its files and exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'socket.io';
import type { Counts } from '@baton/protocol';
import type { CountsSource } from '../src/realtime/counts-source.js';
import { startServer } from '../src/server.js';
import { profiler } from './profile.js';

export type FanoutTargetKind = 'baton' | 'baton-no-counts' | 'bare';
export type ToFanoutTarget = { type: 'cpu' } | { type: 'stop' } | { type: 'profile-start' } | { type: 'profile-stop'; file: string };
export type FromFanoutTarget =
  | { type: 'ready'; url: string }
  | { type: 'cpu'; micros: number }
  | { type: 'stopped' }
  | { type: 'profile-started' }
  | { type: 'profile-written' };

interface Target {
  url: string;
  close(): Promise<void>;
}

const ZERO: Counts = { mine: 0, unassigned: 0, mentioned: 0, unread: 0, all: 0, resolved: 0, snoozed: 0 };
/** Counts that cost nothing: the first push says zero, batches push none. */
const noCounts: CountsSource = { forAgent: async () => ZERO, afterBatch: async () => [], forget: () => {} };

async function startBaton(file: string, adminToken: string, counts: boolean): Promise<Target> {
  const server = await startServer({ db: file, adminToken, host: '127.0.0.1', port: 0, ...(counts ? {} : { counts: noCounts }) });
  return { url: server.url, close: () => server.close() };
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/** The floor: HTTP in, one room broadcast out, with Baton's Socket.IO settings. */
async function startBare(): Promise<Target> {
  const http = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (req.method === 'POST' && req.url === '/broadcast') {
      const { room, event, payload } = JSON.parse(await readBody(req)) as { room: string; event: string; payload: unknown };
      (io.to(room).emit as (e: string, p: unknown) => void)(event, payload);
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    res.writeHead(404).end();
  });
  const io = new Server(http, { serveClient: false, cors: { origin: true }, maxHttpBufferSize: 64 * 1024 });
  io.on('connection', (socket) => {
    const { rooms } = socket.handshake.auth as { rooms?: string[] };
    void socket.join(rooms ?? []);
    socket.emit('ready', { seq: 0, replayed: 0, resync: false, agentId: '' });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        io.close(() => resolve());
      }),
  };
}

const [kind, adminToken] = process.argv.slice(2) as [FanoutTargetKind, string];
const dir = mkdtempSync(join(tmpdir(), 'baton-bench-fanout-'));
const target = kind === 'bare' ? await startBare() : await startBaton(join(dir, 'baton.db'), adminToken, kind === 'baton');
const send = (message: FromFanoutTarget) => process.send!(message);

let profiling: ReturnType<typeof profiler> | null = null;
process.on('message', async (message: ToFanoutTarget) => {
  if (message.type === 'profile-start') {
    profiling = profiler();
    await profiling.start();
    send({ type: 'profile-started' });
  } else if (message.type === 'profile-stop') {
    await profiling?.stop(message.file);
    profiling = null;
    send({ type: 'profile-written' });
  } else if (message.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    send({ type: 'cpu', micros: user + system });
  } else if (message.type === 'stop') {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
    send({ type: 'stopped' });
    process.disconnect();
  }
});
send({ type: 'ready', url: target.url });
