import { seedRules } from '@baton/rules/examples';
import { startServer } from '../src/server.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'zzl-'));
const server = await startServer({ db: join(dir, 'db.sqlite'), adminToken: 'adm', host: '127.0.0.1', port: 0 });
const url = server.url;
const call = async (method: string, path: string, body: unknown, token: string) => {
  const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const j = (await res.json()) as any; if (!res.ok) throw new Error(JSON.stringify(j)); return j;
};
const { apiKey } = await call('POST', '/v1/workspaces', { name: 'B' }, 'adm');
const agent = async (u: string, extra = {}) => (await call('POST', '/v1/agents', { name: u, username: u, availability: 'online', capacity: 10000, ...extra }, apiKey)).agent.id;
const boss = await agent('boss', { role: 'admin', availability: 'away' });
const { token } = await call('POST', '/v1/tokens', { agentId: boss }, apiKey);
const support: string[] = [];
for (let i = 1; i <= 29; i++) support.push(await agent(`a${i}`));
support.push(await agent('tom', { skills: ['technical', 'senior'] }));
const bil = [await agent('maria', { skills: ['es'] }), await agent('luis', { skills: ['es'] })];
const s = (await call('POST', '/v1/teams', { name: 'Support', memberIds: support }, apiKey)).team.id;
const b = (await call('POST', '/v1/teams', { name: 'Bilingual', memberIds: bil }, apiKey)).team.id;
for (const r of seedRules({ support: s, bilingual: b })) { const { workflow } = await call('POST', '/v1/workflows', r, token); await call('POST', `/v1/workflows/${workflow.id}/publish`, undefined, token); }
const relay = server.deps.relay as any;
const stats = new Map<string, { n: number; ms: number; max: number; recs: number }>();
for (const e of relay.consumers) {
  const h = e.consumer.handle.bind(e.consumer);
  e.consumer.handle = async (recs: unknown[]) => { const t = performance.now(); try { return await h(recs); } finally { const d = performance.now() - t; const st = stats.get(e.consumer.name) ?? { n: 0, ms: 0, max: 0, recs: 0 }; st.n++; st.ms += d; st.max = Math.max(st.max, d); st.recs += recs.length; stats.set(e.consumer.name, st); } };
}
writeFileSync('/tmp/zzl.json', JSON.stringify({ url, apiKey }));
process.on('SIGUSR2', () => { for (const [k, v] of stats) console.log(k, v.n, 'calls', (v.ms / v.n).toFixed(2), 'ms avg', v.max.toFixed(1), 'max', (v.recs / v.n).toFixed(1), 'recs/call'); stats.clear(); });
console.log('ready');
