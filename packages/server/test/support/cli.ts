import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { TestContext } from 'node:test';

// The `baton` CLI as an operator runs it, for the tests of what it does (cli.test.ts, postgres.test.ts).

/** `baton serve` as an operator runs it; resolves with its exit code and what it printed. */
export function serve(env: Record<string, string>, db: string | null = ':memory:'): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const args = ['--import', 'tsx', 'src/cli.ts', 'serve', ...(db === null ? [] : ['--db', db]), '--port', '0'];
    const child = execFile(process.execPath, args, { env: { ...process.env, ...env }, timeout: 30_000 }, (_error, _out, stderr) => resolve({ code: child.exitCode, stderr }));
  });
}

/** `baton serve` left running for the test; resolves with its URL and a POST helper. */
export async function running(t: TestContext, env: Record<string, string>, db: string | null = ':memory:') {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', ...(db === null ? [] : ['--db', db]), '--port', '0'], {
    env: { ...process.env, BATON_ADMIN_TOKEN: 'cli-admin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => void child.kill());
  // Passed through, and kept for the tests of what the node says before it stops.
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 30 s: ${out}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const found = /listening on (\S+)/.exec((out += chunk.toString()));
      if (!found) return;
      clearTimeout(timer);
      resolve(found[1]!);
    });
  });
  const post = async (path: string, token: string, body: unknown) => {
    const res = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const api = async (path: string, token: string, body: unknown) => {
    const res = await post(path, token, body);
    assert.ok(res.status < 300, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return { url, post, api, exited, stderr: () => stderr, stdout: () => out };
}

/** Another `baton` command (`migrate`, `consumers`, …) run to its end: exit code and output. */
export function baton(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}
