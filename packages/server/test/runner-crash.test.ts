import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { http, tempDbFile } from '../src/testing.js';

// Issue 9: `kill -9` of a real server process while conversations stream in, then a restart on the
// same database file: no conversation is assigned twice, none is stranded. The runner's exactly-once
// (runs written with their actions; a replay finds them) is what this checks from the outside.

const ADMIN = 'crash-test-admin-token';

async function startChild(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--db', db], {
    env: { ...process.env, BATON_ADMIN_TOKEN: ADMIN },
    // Piped and copied, not inherited: a server that outlived this file (killed before its
    // `after` ran) would otherwise hold the test runner's output open, and the runner would wait on it.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.pipe(process.stderr, { end: false });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 30 s')), 30_000);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { child, url };
}

describe('kill -9 and restart', () => {
  it('mid-stream: every acknowledged conversation is assigned exactly once after the restart, none stranded', async (t) => {
    const db = tempDbFile(t, 'crash');
    const children: ChildProcess[] = [];
    t.after(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });

    const first = await startChild(db);
    children.push(first.child);
    const call = (url: string, token: string, method: string, path: string, body?: unknown) => http(url, method, path, { token, body });
    const ws = await call(first.url, ADMIN, 'POST', '/v1/workspaces', { name: 'Crash' });
    assert.equal(ws.status, 201);
    const apiKey: string = ws.body.apiKey;
    const agentIds: string[] = [];
    for (const username of ['a1', 'a2', 'a3', 'a4']) {
      const res = await call(first.url, apiKey, 'POST', '/v1/agents', { name: username, username, availability: 'online', capacity: 10_000 });
      agentIds.push(res.body.agent.id);
    }
    const boss = (await call(first.url, apiKey, 'POST', '/v1/agents', { name: 'Boss', username: 'boss', role: 'admin', availability: 'away' })).body.agent.id;
    const bossToken: string = (await call(first.url, apiKey, 'POST', '/v1/tokens', { agentId: boss })).body.token;
    const team = (await call(first.url, apiKey, 'POST', '/v1/teams', { name: 'Support', memberIds: agentIds })).body.team.id;
    const rule = {
      name: 'Everyone → Support',
      trigger: { event: 'conversation.created' },
      actions: [{ type: 'assign', steps: [{ pool: { team }, strategy: 'round_robin' }] }, { type: 'add_tag', tags: ['routed'] }],
    };
    const wf = (await call(first.url, bossToken, 'POST', '/v1/workflows', rule)).body.workflow.id;
    assert.equal((await call(first.url, bossToken, 'POST', `/v1/workflows/${wf}/publish`)).status, 200);

    // Stream creates from 8 clients; kill -9 once 150 are acknowledged (others are in flight).
    const acknowledged: string[] = [];
    let killed = false;
    const client = async () => {
      while (!killed) {
        try {
          const res = await call(first.url, apiKey, 'POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'where is my order?' } });
          if (res.status === 201) acknowledged.push(res.body.conversation.id);
        } catch {
          return; // the server is gone
        }
        if (acknowledged.length >= 150 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    // A process killed by a signal has a signalCode, not an exitCode; it may be gone already.
    if (first.child.exitCode === null && first.child.signalCode === null) await new Promise((resolve) => first.child.once('exit', resolve));
    assert.ok(acknowledged.length >= 150);

    const second = await startChild(db);
    children.push(second.child);
    const read = (method: string, path: string) => call(second.url, apiKey, method, path);
    // The restarted runner resumes from its stored place; wait (real time) until every conversation is assigned.
    const total = async () => {
      let count = 0;
      let cursor: string | null = null;
      do {
        const page: any = await call(second.url, bossToken, 'GET', `/v1/conversations?view=all&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        count += page.body.items.length;
        cursor = page.body.nextCursor;
      } while (cursor);
      return count;
    };
    let assigned = 0;
    let conversations = 0;
    for (let i = 0; i < 60; i++) {
      conversations = await total();
      assigned = (await read('GET', '/v1/agents')).body.items.reduce((sum: number, a: any) => sum + a.openAssigned, 0);
      if (assigned === conversations) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.equal(assigned, conversations, 'every conversation committed before the crash is assigned: none stranded');
    assert.ok(conversations >= acknowledged.length);

    for (const id of acknowledged) {
      const { conversation } = (await read('GET', `/v1/conversations/${id}`)).body;
      assert.ok(conversation.assigneeId, `${id} is assigned`);
      assert.deepEqual(conversation.tags, ['routed']);
      const { items } = (await read('GET', `/v1/conversations/${id}/timeline`)).body;
      assert.equal(items.filter((i: any) => i.kind === 'event' && i.type === 'assigned').length, 1, `${id} assigned exactly once`);
      const { items: runs } = (await read('GET', `/v1/conversations/${id}/routing`)).body;
      assert.equal(runs.length, 1, `${id} has one run`);
    }
  });
});
