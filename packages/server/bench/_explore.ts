import Sqlite from 'libsql';
import { fixturePath, WORKSPACE_ID, TYPICAL_AGENT, CAUGHT_UP_AGENT } from './fixture.js';
const file = fixturePath(Number(process.env.BENCH_ROWS ?? 1000000));
const db = new Sqlite(file);
db.pragma('journal_mode = WAL');
const time = (label: string, sqlText: string, params: unknown[], n = 5) => {
  const st = db.prepare(sqlText);
  st.all(...params);
  const t: number[] = [];
  let rows = 0;
  for (let i = 0; i < n; i++) { const t0 = performance.now(); rows = st.all(...params).length; t.push(performance.now() - t0); }
  t.sort((a, b) => a - b);
  console.log(label.padEnd(60), t[Math.floor(n / 2)]!.toFixed(2), 'ms', rows, 'rows');
  if (process.env.EQP) for (const r of db.prepare('EXPLAIN QUERY PLAN ' + sqlText).all(...params) as any[]) console.log('      ', r.detail);
};
const base = `select c.* from conversations c where c.workspace_id = ? and c.status = 'open'`;
const order = ` order by c.last_message_at desc, c.id desc limit 51`;
const mentioned = ` and exists (select 1 from mentions m where m.conversation_id = c.id and m.agent_id = ?)`;
const mentionedIn = ` and c.id in (select conversation_id from mentions m where m.agent_id = ?)`;
const unread = ` and c.last_inbound_seq is not null and not exists (select 1 from read_states r where r.conversation_id = c.id and r.agent_id = ? and r.last_read_seq >= c.last_inbound_seq)`;
const cur = ` and (c.last_message_at < ? or (c.last_message_at = ? and c.id < ?))`;
const curRV = ` and (c.last_message_at, c.id) < (?, ?)`;
const curLe = ` and c.last_message_at <= ? and (c.last_message_at < ? or (c.last_message_at = ? and c.id < ?))`;
// halfway cursor for 'all'
const n = (db.prepare(`select count(*) n from conversations where workspace_id=? and status='open'`).get(WORKSPACE_ID) as any).n;
const mid = db.prepare(`select last_message_at l, id from conversations c where workspace_id=? and status='open' order by last_message_at desc, id desc limit 1 offset ?`).get(WORKSPACE_ID, Math.floor(n/2)) as any;
console.log('open', n, mid);
time('all first', base + order, [WORKSPACE_ID]);
time('all mid OR', base + cur + order, [WORKSPACE_ID, mid.l, mid.l, mid.id]);
time('all mid rowvalue', base + curRV + order, [WORKSPACE_ID, mid.l, mid.id]);
time('all mid lma<= + OR', base + curLe + order, [WORKSPACE_ID, mid.l, mid.l, mid.l, mid.id]);
for (const a of [TYPICAL_AGENT, CAUGHT_UP_AGENT]) {
  time(`mentioned exists ${a.slice(-2)}`, base + mentioned + order, [WORKSPACE_ID, a]);
  time(`mentioned IN ${a.slice(-2)}`, base + mentionedIn + order, [WORKSPACE_ID, a]);
  time(`unread first ${a.slice(-2)}`, base + unread + order, [WORKSPACE_ID, a]);
  time(`unread mid OR ${a.slice(-2)}`, base + unread + cur + order, [WORKSPACE_ID, a, mid.l, mid.l, mid.id]);
  time(`unread mid lma<= ${a.slice(-2)}`, base + unread + curLe + order, [WORKSPACE_ID, a, mid.l, mid.l, mid.l, mid.id]);
}
time('count all', `select count(*) from conversations c where c.workspace_id=? and c.status='open'`, [WORKSPACE_ID]);
time('count unread typical', `select count(*) from conversations c where c.workspace_id=? and c.status='open'` + unread, [WORKSPACE_ID, TYPICAL_AGENT], 3);
time('count mentioned typical', `select count(*) from conversations c where c.workspace_id=? and c.status='open'` + mentioned, [WORKSPACE_ID, TYPICAL_AGENT], 3);
time('count mentioned IN typical', `select count(*) from conversations c where c.workspace_id=? and c.status='open'` + mentionedIn, [WORKSPACE_ID, TYPICAL_AGENT], 3);
