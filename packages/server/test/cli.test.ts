import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { io as connect } from 'socket.io-client';
import { running, serve } from './support/cli.js';

test('serve refuses what this build cannot honour, instead of quietly running on the embedded database', async () => {
  const redis = await serve({ REDIS_URL: 'redis://127.0.0.1:6379' }, null);
  assert.equal(redis.code, 1);
  assert.match(redis.stderr, /REDIS_URL is not supported by this build yet/);
  const mysql = await serve({ DATABASE_URL: 'mysql://baton@127.0.0.1/baton' }, null);
  assert.equal(mysql.code, 1);
  assert.match(mysql.stderr, /DATABASE_URL must be a PostgreSQL URL/);
  const both = await serve({ DATABASE_URL: 'postgres://baton@127.0.0.1:5432/baton' });
  assert.equal(both.code, 1);
  assert.match(both.stderr, /both --db and DATABASE_URL are set; use one/);
});

test('serve refuses a malformed setting by name', async () => {
  const bad = await serve({ BATON_MAX_REQUESTS_IN_FLIGHT_PER_WORKSPACE: 'lots' });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /BATON_MAX_REQUESTS_IN_FLIGHT_PER_WORKSPACE must be a positive integer, got lots/);
  const timeout = await serve({ BATON_POSTGRES_TIMEOUT_MS: '0' });
  assert.equal(timeout.code, 1);
  assert.match(timeout.stderr, /BATON_POSTGRES_TIMEOUT_MS must be a positive integer, got 0/);
  const pool = await serve({ BATON_POSTGRES_POOL_SIZE: '1.5' });
  assert.equal(pool.code, 1);
  assert.match(pool.stderr, /BATON_POSTGRES_POOL_SIZE must be a positive integer, got 1.5/);
});

test('BATON_MAX_HANDSHAKES_PER_WORKSPACE bounds the socket connects of a workspace served by the real CLI', async (t) => {
  const { url, api } = await running(t, { BATON_MAX_HANDSHAKES_PER_WORKSPACE: '2' });
  const { apiKey } = await api('/v1/workspaces', 'cli-admin', { name: 'Acme' });
  const tokens: string[] = [];
  for (const username of ['ana', 'ben', 'carl']) {
    const { agent } = await api('/v1/agents', apiKey, { username, name: username });
    tokens.push((await api('/v1/tokens', apiKey, { agentId: agent.id })).token);
  }
  const handshake = (token: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
      t.after(() => void socket.disconnect());
      socket.once('ready', () => resolve('ready'));
      socket.once('connect_error', (e) => resolve(e.message));
    });
  // Three agents, each well inside their own budget; the workspace allows two at once.
  assert.deepEqual([await handshake(tokens[0]!), await handshake(tokens[1]!), await handshake(tokens[2]!)], ['ready', 'ready', 'rate_limited']);
});

test('two `baton serve` processes on one database file take concurrent writes through both: every one answered 201, none lost', async (t) => {
  const db = join(mkdtempSync(join(tmpdir(), 'baton-nodes-')), 'baton.db');
  t.after(() => rmSync(dirname(db), { recursive: true, force: true }));
  const a = await running(t, {}, db);
  const b = await running(t, {}, db);
  const { apiKey: acme } = await a.api('/v1/workspaces', 'cli-admin', { name: 'Acme' });
  const { apiKey: beta } = await b.api('/v1/workspaces', 'cli-admin', { name: 'Beta' });
  // Before session 15 a transaction took the write lock at its first write, after reading: when the
  // other process had committed in between, that write failed with SQLITE_BUSY, and about half of
  // these answered 500.
  const statuses = await Promise.all(
    Array.from({ length: 400 }, (_, i) =>
      (i % 2 ? a : b).post('/v1/conversations', i % 4 < 2 ? acme : beta, { contact: { name: `C${i}` }, channel: 'sms', message: { body: 'hi' } }).then((r) => r.status),
    ),
  );
  const tally: Record<number, number> = {};
  for (const status of statuses) tally[status] = (tally[status] ?? 0) + 1;
  assert.deepEqual(tally, { 201: 400 });
  // Each workspace has all 200 of its conversations, read through the node that did not create it.
  for (const [key, reader] of [[acme, b], [beta, a]] as const) {
    const { agent } = await reader.api('/v1/agents', key, { username: 'ana', name: 'Ana' });
    const { token } = await reader.api('/v1/tokens', key, { agentId: agent.id });
    const counts = (await (await fetch(`${reader.url}/v1/conversations/counts`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    assert.equal(counts.all, 200, JSON.stringify(counts));
  }
});

test('two `baton serve` processes started at once on a new database file both come up (one applies the migrations, the other finds them applied)', async (t) => {
  const db = join(mkdtempSync(join(tmpdir(), 'baton-boot-')), 'baton.db');
  t.after(() => rmSync(dirname(db), { recursive: true, force: true }));
  const [a, b] = await Promise.all([running(t, {}, db), running(t, {}, db)]);
  const { apiKey } = await a.api('/v1/workspaces', 'cli-admin', { name: 'Acme' });
  assert.equal((await b.post('/v1/conversations', apiKey, { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'hi' } })).status, 201);
});
