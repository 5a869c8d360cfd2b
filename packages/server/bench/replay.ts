/**
 * `BENCH=replay`: do sockets replaying a long backlog after a reconnect hold up another tenant's
 * live events (DESIGN §7a)? A busy workspace (10 agents, 10 conversations, ~3,000 changes) and a
 * quiet one with one agent's socket open. The quiet workspace creates a conversation, waits for its
 * `conversation:created`, and repeats (a closed loop), twice:
 *
 *   baseline  nothing else runs;
 *   replaying 50 sockets of the busy workspace's agents connect with `since: 0` and replay it all.
 *
 * The figures are from the request to the event, ms; the target is p99 ≤ 250 ms while replaying
 * (replay inside the relay's lock, as it once was, gave 4,426 ms). The server, the probe and the 50
 * replaying sockets share this process, as a test's would. test/replay.test.ts checks the same
 * scenario for correctness (every change replayed once, the quiet tenant served during the replays)
 * without timing it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { startServer } from '../src/server.js';
import { ADMIN_TOKEN, callApi, createWorkspace } from './http.js';
import { percentile, table } from './stats.js';

export interface ReplayBenchOptions {
  /** Changes in the busy workspace each replaying socket receives (default ~3,000). */
  changes: number;
  /** Replaying sockets (default 50, five per agent). */
  sockets: number;
  /** Probes in the baseline loop. */
  baselineProbes: number;
  log: (line: string) => void;
}

const TARGET_P99_MS = 250;

async function agentToken(url: string, apiKey: string, username: string): Promise<string> {
  const { agent } = await callApi(url, apiKey, 'POST', '/v1/agents', { name: username, username });
  return ((await callApi(url, apiKey, 'POST', '/v1/tokens', { agentId: agent.id })) as { token: string }).token;
}

function openSocket(url: string, token: string, since?: number): Socket {
  return io(url, { auth: since === undefined ? { token } : { token, since }, transports: ['websocket'], reconnection: false, forceNew: true });
}

const readyOf = (socket: Socket) =>
  new Promise<{ replayed: number; resync: boolean }>((resolve, reject) => {
    socket.once('ready', resolve);
    socket.once('connect_error', reject);
  });

export async function runReplayBench(options: ReplayBenchOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-replay-'));
  const server = await startServer({ db: join(dir, 'baton.db'), adminToken: ADMIN_TOKEN, host: '127.0.0.1', port: 0, maxReplay: options.changes * 2 });
  const sockets: Socket[] = [];
  try {
    const busy = await createWorkspace(server.url, 'Busy');
    const agentCount = 10;
    const tokens: string[] = [];
    for (let i = 0; i < agentCount; i++) tokens.push(await agentToken(server.url, busy.apiKey, `agent${i}`));
    const conversations: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { conversation } = await callApi(server.url, busy.apiKey, 'POST', '/v1/conversations', { contact: { name: `Customer ${i}` }, channel: 'sms', message: { body: 'Hi' } });
      conversations.push(conversation.id);
    }
    const messages = Math.max(0, options.changes - conversations.length);
    options.log(`  writing ${messages.toLocaleString('en')} messages into the busy workspace`);
    let next = 0;
    const writer = async () => {
      while (next < messages) {
        const i = next++;
        await callApi(server.url, busy.apiKey, 'POST', `/v1/conversations/${conversations[i % conversations.length]}/messages`, { direction: 'inbound', body: `message ${i}` });
      }
    };
    await Promise.all(Array.from({ length: 25 }, writer));

    const quiet = await createWorkspace(server.url, 'Quiet');
    const watcher = openSocket(server.url, await agentToken(server.url, quiet.apiKey, 'zed'));
    sockets.push(watcher);
    await readyOf(watcher);
    const arrived = new Map<string, number>();
    const waiting = new Map<string, () => void>();
    watcher.on('conversation:created', (e: { conversation: { subject: string | null } }) => {
      const subject = e.conversation.subject ?? '';
      arrived.set(subject, performance.now());
      waiting.get(subject)?.();
    });
    let probeCount = 0;
    /** One create in the quiet workspace, timed to its event on the watcher's socket. */
    const probe = async (): Promise<number> => {
      const subject = `probe ${probeCount++}`;
      const sent = performance.now();
      const got = new Promise<void>((resolve) => waiting.set(subject, resolve));
      await callApi(server.url, quiet.apiKey, 'POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', subject, message: { body: 'Hi' } });
      await got;
      waiting.delete(subject);
      return arrived.get(subject)! - sent;
    };

    for (let i = 0; i < 20; i++) await probe(); // warm-up
    const baseline: number[] = [];
    for (let i = 0; i < options.baselineProbes; i++) baseline.push(await probe());

    options.log(`  ${options.sockets} sockets replay the busy workspace from its start`);
    let pending = options.sockets;
    const replays = Array.from({ length: options.sockets }, (_, i) => {
      const socket = openSocket(server.url, tokens[i % tokens.length]!, 0);
      sockets.push(socket);
      return readyOf(socket).finally(() => pending--);
    });
    const started = performance.now();
    const replaying: number[] = [];
    while (pending > 0) replaying.push(await probe());
    const done = await Promise.all(replays);
    const replaySeconds = (performance.now() - started) / 1000;
    const resynced = done.filter((r) => r.resync).length;

    baseline.sort((a, b) => a - b);
    replaying.sort((a, b) => a - b);
    const row = (name: string, sorted: number[]) => [name, sorted.length, ...[percentile(sorted, 50), percentile(sorted, 99), sorted.at(-1) ?? Number.NaN].map((ms) => ms.toFixed(1))];
    console.log();
    console.log("Replay after a reconnect: another tenant's live create → conversation:created, ms");
    console.log(table(['quiet tenant', 'probes', 'p50', 'p99', 'max'], [row('baseline (nothing else)', baseline), row(`while ${options.sockets} sockets replay`, replaying)]));
    console.log(
      `replays: ${done.length} sockets, ${Math.min(...done.map((r) => r.replayed)).toLocaleString('en')}–${Math.max(...done.map((r) => r.replayed)).toLocaleString('en')} changes each, all done in ${replaySeconds.toFixed(1)} s` +
        (resynced ? `; ${resynced} got resync instead` : ''),
    );
    const p99 = percentile(replaying, 99);
    console.log(`p99 while replaying: ${p99.toFixed(1)} ms (${(p99 / percentile(baseline, 99)).toFixed(1)}× the baseline's); target ≤ ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}`);
  } finally {
    for (const socket of sockets) socket.disconnect();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
