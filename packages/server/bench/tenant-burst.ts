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
 * (`tenant-burst-load.ts`).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { seedRules } from '@baton/rules/examples';
import { startServer } from '../src/server.js';
import { table } from './stats.js';

const ADMIN = 'bench-admin-token';
const message = { contact: { name: 'Dana Customer' }, channel: 'sms', message: { body: 'Hi, my order #4411 has not arrived yet.' } };

export async function runTenantBurstBench(options: { seconds: number; connections: number; log: (line: string) => void }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-tenants-'));
  const server = await startServer({ db: join(dir, 'baton.db'), adminToken: ADMIN, host: '127.0.0.1', port: 0 });
  try {
    const call = async (method: string, path: string, body: unknown, token: string) => {
      const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const json = (await res.json()) as any;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const tenant = async (name: string) => {
      const { apiKey, workspace } = await call('POST', '/v1/workspaces', { name }, ADMIN);
      const agent = async (username: string, extra: Record<string, unknown> = {}) =>
        (await call('POST', '/v1/agents', { name: username, username, availability: 'online', capacity: 10_000, ...extra }, apiKey)).agent.id as string;
      const boss = await agent('boss', { role: 'admin', availability: 'away' });
      const { token } = await call('POST', '/v1/tokens', { agentId: boss }, apiKey);
      const support = [];
      for (let i = 1; i <= 10; i++) support.push(await agent(`agent${i}`));
      const bilingual = [await agent('maria', { skills: ['es'] })];
      const teams = {
        support: (await call('POST', '/v1/teams', { name: 'Support', memberIds: support }, apiKey)).team.id,
        bilingual: (await call('POST', '/v1/teams', { name: 'Bilingual', memberIds: bilingual }, apiKey)).team.id,
      };
      for (const rule of seedRules(teams)) {
        const { workflow } = await call('POST', '/v1/workflows', rule, token);
        await call('POST', `/v1/workflows/${workflow.id}/publish`, undefined, token);
      }
      return { apiKey: apiKey as string, id: workspace.id as string };
    };
    const a = await tenant('A');
    const b = await tenant('B');
    options.log(`  workspace A: ${options.seconds} s flat out over ${options.connections} connections; workspace B: one create every 200 ms`);
    const child = fork(join(import.meta.dirname, 'tenant-burst-load.ts'), [server.url, a.apiKey, JSON.stringify(message), String(options.seconds), String(options.connections)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const started = performance.now();
    while (performance.now() - started < (options.seconds + 1) * 1000) {
      await call('POST', '/v1/conversations', message, b.apiKey);
      await new Promise((r) => setTimeout(r, 200));
    }
    await exited;
    // Until the runner has placed every conversation (or a minute has passed).
    const db = server.deps.storage.db;
    const waits = async (workspaceId: string) =>
      (
        await sql<{ wait: number | null }>`
          select (select min(t.created_at) from timeline t where t.conversation_id = c.id and t.event_type = 'assigned') - c.created_at as wait
          from conversations c where c.workspace_id = ${workspaceId}`.execute(db)
      ).rows.map((r) => (r.wait === null ? null : Number(r.wait)));
    for (const deadline = performance.now() + 60_000; performance.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      if (![...(await waits(a.id)), ...(await waits(b.id))].includes(null)) break;
    }
    const rows = [];
    for (const [name, id] of [['A (burst)', a.id], ['B (trickle)', b.id]] as const) {
      const all = await waits(id);
      const placed = all.filter((w): w is number => w !== null).sort((x, y) => x - y);
      const at = (q: number) => (placed.length === 0 ? '–' : String(placed[Math.min(placed.length - 1, Math.floor(q * placed.length))]));
      rows.push([name, all.length.toLocaleString('en'), at(0.5), at(0.9), at(0.99), String(placed.at(-1) ?? '–'), all.length - placed.length]);
    }
    console.log();
    console.log('One tenant\'s burst: creation to the rules\' assignment per workspace, ms');
    console.log(table(['workspace', 'conversations', 'p50', 'p90', 'p99', 'max', 'not placed after 60 s'], rows));
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
