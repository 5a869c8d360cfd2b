import Sqlite from 'libsql';
import { WORKSPACE_ID, TYPICAL_AGENT, CAUGHT_UP_AGENT } from './fixture.js';
const db = new Sqlite('/tmp/exp.db');
db.pragma('journal_mode = WAL');
const time = (label: string, sqlText: string, params: unknown[], n = 5) => {
  const st = db.prepare(sqlText);
  st.all(...params);
  const t: number[] = [];
  let rows: any[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); rows = st.all(...params); t.push(performance.now() - t0); }
  t.sort((a, b) => a - b);
  console.log(label.padEnd(50), t[Math.floor(n / 2)]!.toFixed(2).padStart(8), 'ms', rows.length, 'rows', rows.length === 1 ? JSON.stringify(rows[0]).slice(0, 40) : '');
  if (process.env.EQP) for (const r of db.prepare('EXPLAIN QUERY PLAN ' + sqlText).all(...params) as any[]) console.log('      ', r.detail);
};
const base = `select c.* from conversations c where c.workspace_id = ? and c.status = 'open'`;
const order = ` order by c.last_message_at desc, c.id desc limit 51`;
const mentioned = ` and exists (select 1 from mentions m where m.conversation_id = c.id and m.agent_id = ?)`;
const unread = ` and c.last_inbound_seq is not null and not exists (select 1 from read_states r where r.conversation_id = c.id and r.agent_id = ? and r.last_read_seq >= c.last_inbound_seq)`;
const cnt = `select count(*) n from conversations c where c.workspace_id = ? and c.status = 'open'`;
const suite = (tag: string) => {
  console.log('---', tag);
  for (const a of [TYPICAL_AGENT, CAUGHT_UP_AGENT]) {
    const w = a === TYPICAL_AGENT ? 'typical' : 'caughtup';
    time(`mentioned exists ${w}`, base + mentioned + order, [WORKSPACE_ID, a]);
    time(`mentioned join(cross) ${w}`, `select c.* from mentions m cross join conversations c on c.id = m.conversation_id where m.agent_id = ? and c.workspace_id = ? and c.status='open'` + order, [a, WORKSPACE_ID]);
    time(`mentioned join ${w}`, `select c.* from mentions m join conversations c on c.id = m.conversation_id where m.agent_id = ? and c.workspace_id = ? and c.status='open'` + order, [a, WORKSPACE_ID]);
    time(`unread first ${w}`, base + unread + order, [WORKSPACE_ID, a], 3);
  }
  time('count unread typical', cnt + unread, [WORKSPACE_ID, TYPICAL_AGENT], 3);
  time('count unread caughtup', cnt + unread, [WORKSPACE_ID, CAUGHT_UP_AGENT], 3);
  time('count mentioned typical', cnt + mentioned, [WORKSPACE_ID, TYPICAL_AGENT], 3);
  time('count mentioned join typical', `select count(*) n from mentions m join conversations c on c.id = m.conversation_id where m.agent_id = ? and c.workspace_id = ? and c.status='open'`, [TYPICAL_AGENT, WORKSPACE_ID], 3);
};
suite('as migrated');
let t0 = performance.now();
db.exec(`create index x_rs on read_states (conversation_id, agent_id, last_read_seq)`);
console.log('create read_states covering', (performance.now() - t0).toFixed(0));
suite('+ read_states covering');
t0 = performance.now();
db.exec(`create index x_st on conversations (workspace_id, status, last_message_at desc, id desc, last_inbound_seq)`);
console.log('create by_status+inbound', (performance.now() - t0).toFixed(0));
db.exec(`drop index conversations_by_status`);
suite('+ by_status incl last_inbound_seq');
t0 = performance.now();
db.exec('analyze');
console.log('analyze', (performance.now() - t0).toFixed(0));
suite('+ analyze');
