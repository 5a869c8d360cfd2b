import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';

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
