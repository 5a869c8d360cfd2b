import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { test } from 'node:test';
import { io as connect } from 'socket.io-client';

/** `baton serve` as an operator runs it; resolves with its exit code and what it printed. */
function serve(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--db', ':memory:', '--port', '0'], { env: { ...process.env, ...env }, timeout: 30_000 }, (_error, _out, stderr) =>
      resolve({ code: child.exitCode, stderr }),
    );
  });
}

test('serve refuses the scale-out settings this build does not have, instead of quietly running on the embedded database', async () => {
  const postgres = await serve({ DATABASE_URL: 'postgres://baton@127.0.0.1:5432/baton' });
  assert.equal(postgres.code, 1);
  assert.match(postgres.stderr, /DATABASE_URL \(PostgreSQL\) is not supported by this build yet/);
  const redis = await serve({ REDIS_URL: 'redis://127.0.0.1:6379' });
  assert.equal(redis.code, 1);
  assert.match(redis.stderr, /REDIS_URL is not supported by this build yet/);
});

test('serve refuses a malformed setting by name', async () => {
  const bad = await serve({ BATON_MAX_REQUESTS_IN_FLIGHT_PER_WORKSPACE: 'lots' });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /BATON_MAX_REQUESTS_IN_FLIGHT_PER_WORKSPACE must be a positive integer, got lots/);
});

test('BATON_MAX_HANDSHAKES_PER_WORKSPACE bounds the socket connects of a workspace served by the real CLI', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--db', ':memory:', '--port', '0'], {
    env: { ...process.env, BATON_ADMIN_TOKEN: 'cli-admin', BATON_MAX_HANDSHAKES_PER_WORKSPACE: '2' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => void child.kill());
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 30 s: ${out}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const found = /listening on (\S+)/.exec((out += chunk.toString()));
      if (!found) return;
      clearTimeout(timer);
      resolve(found[1]!);
    });
  });
  const api = async (path: string, token: string, body: unknown) => {
    const res = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(res.ok, `${path}: ${res.status}`);
    return (await res.json()) as any;
  };
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
