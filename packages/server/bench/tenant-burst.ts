/**
 * `BENCH=tenant-burst`: does one tenant's burst of creates delay another tenant's routing? Two
 * workspaces with the seed's three rules; a child process sends workspace A's creates flat out
 * (autocannon, `BENCH_CONNECTIONS` connections, `BENCH_SECONDS`, at most 5 by default) while this
 * process creates one conversation in workspace B every 200 ms, a trickle. Afterwards, from the
 * server's own clock: how long each workspace's conversations waited from creation to the rules'
 * assignment. A runner fair across tenants would place B's within milliseconds, as at low load
 * (`BENCH=placement`); B waiting as long as A means B queued behind A's backlog.
 *
 * The server runs in this process (B's requests are few); A's load comes from the child
 * (`tenant-burst-load.ts`). `BENCH_SMTP_URL` gives the server an email channel: the seeded agents
 * have no address, so each assignment's notification becomes a job recorded as skipped (no mail is
 * sent), which is what the notifier writes in a real deployment without the delivery.
 */
import { fork } from 'node:child_process';
import { io, type Socket } from 'socket.io-client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server.js';
import { ADMIN_TOKEN, callApi, createWorkspace, requestBody, seedRoutedWorkspace } from './http.js';
import { placementWaits } from './placement-waits.js';
import { percentile, table } from './stats.js';

/**
 * A live `conversation.unassigned_for` rule (15 minutes → the given agent): the routing-timers
 * consumer then keeps a timer row for every open conversation of the workspace, one unit of work
 * per relay batch.
 */
async function publishTimerRule(url: string, apiKey: string, agentId: string): Promise<void> {
  const call = (path: string, body?: unknown, token = apiKey) => callApi(url, token, 'POST', path, body);
  // Workflows are written by an admin (the API key may only read them).
  const { agent } = await call('/v1/agents', { name: 'Timer admin', username: 'timeradmin', role: 'admin', availability: 'away' });
  const { token } = await call('/v1/tokens', { agentId: agent.id });
  const { workflow } = await call('/v1/workflows', {
    name: 'Unassigned for 15 minutes',
    trigger: { event: 'conversation.unassigned_for', minutes: 15 },
    actions: [{ type: 'assign', onlyIfUnassigned: true, steps: [{ pool: { agents: [agentId] }, strategy: 'round_robin' }] }],
  }, token);
  await call(`/v1/workflows/${workflow.id}/publish`, undefined, token);
}

/** A socket of one agent, as the inbox opens it (the token minted with the workspace's API key). */
async function agentSocket(url: string, apiKey: string, agentId: string): Promise<Socket> {
  const { token } = (await callApi(url, apiKey, 'POST', '/v1/tokens', { agentId })) as { token: string };
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export async function runTenantBurstBench(options: { seconds: number; connections: number; smtpUrl?: string; timerRule?: boolean; log: (line: string) => void }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-tenants-'));
  // With an email server configured, every assignment the rules make is also a notifier job to write.
  const server = await startServer({ db: join(dir, 'baton.db'), adminToken: ADMIN_TOKEN, host: '127.0.0.1', port: 0, ...(options.smtpUrl ? { smtpUrl: options.smtpUrl } : {}) });
  try {
    // Each is the HTTP bench's routed workspace: the seed's three rules over 30 agents in Support.
    const tenant = async (name: string) => {
      const workspace = await createWorkspace(server.url, name);
      const agents = await seedRoutedWorkspace(server.url, workspace.apiKey, true);
      if (options.timerRule) await publishTimerRule(server.url, workspace.apiKey, agents[0]!);
      return { ...workspace, agents };
    };
    const a = await tenant('A');
    const b = await tenant('B');
    // One of B's agents with the inbox open: when does B's new conversation reach them?
    const arrived = new Map<string, number>();
    const socket = await agentSocket(server.url, b.apiKey, b.agents[0]!);
    socket.on('conversation:created', (e: { conversation: { id: string } }) => arrived.set(e.conversation.id, performance.now()));
    options.log(`  workspace A: ${options.seconds} s flat out over ${options.connections} connections; workspace B: one create every 200 ms`);
    const child = fork(join(import.meta.dirname, 'tenant-burst-load.ts'), [server.url, a.apiKey, requestBody, String(options.seconds), String(options.connections)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const started = performance.now();
    // How long B's own creates take to be answered while A floods (request fairness, issue 8).
    const answered: number[] = [];
    const sentAt = new Map<string, number>();
    while (performance.now() - started < (options.seconds + 1) * 1000) {
      const sent = performance.now();
      const res = await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers: { authorization: `Bearer ${b.apiKey}`, 'content-type': 'application/json' }, body: requestBody });
      if (res.status !== 201) throw new Error(`workspace B's create: ${res.status} ${await res.text()}`);
      answered.push(performance.now() - sent);
      sentAt.set(((await res.json()) as { conversation: { id: string } }).conversation.id, sent);
      await new Promise((r) => setTimeout(r, 200));
    }
    await exited;
    // Until the runner has placed every conversation (or a minute has passed).
    const db = server.deps.storage.db;
    const waits = (workspaceId: string) => placementWaits(db, { workspaceId });
    for (const deadline = performance.now() + 60_000; performance.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      if (![...(await waits(a.id)), ...(await waits(b.id))].includes(null)) break;
    }
    const rows = [];
    for (const [name, id] of [['A (burst)', a.id], ['B (trickle)', b.id]] as const) {
      const all = await waits(id);
      const placed = all.filter((w): w is number => w !== null).sort((x, y) => x - y);
      rows.push([name, all.length.toLocaleString('en'), percentile(placed, 50), percentile(placed, 90), percentile(placed, 99), placed.at(-1) ?? NaN, all.length - placed.length]);
    }
    console.log();
    console.log("One tenant's burst: creation to the rules' assignment per workspace, ms");
    console.log(table(['workspace', 'conversations', 'p50', 'p90', 'p99', 'max', 'not placed after 60 s'], rows));
    answered.sort((x, y) => x - y);
    console.log(`B's creates answered in p50 ${percentile(answered, 50).toFixed(1)} ms, max ${answered.at(-1)!.toFixed(1)} ms, while A flooded`);
    const live = [...sentAt].map(([id, sent]) => (arrived.get(id) ?? NaN) - sent).sort((x, y) => x - y);
    const missed = live.filter((ms) => Number.isNaN(ms)).length;
    console.log(
      `B's agent got conversation:created p50 ${percentile(live, 50).toFixed(1)} ms, max ${live.filter((ms) => !Number.isNaN(ms)).at(-1)!.toFixed(1)} ms after the request${missed ? ` (${missed} never arrived)` : ''}`,
    );
    socket.disconnect();
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
