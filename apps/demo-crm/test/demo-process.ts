// What the demo's end-to-end tests share: `pnpm start` in its own process group on a free loopback
// port and a fresh data folder (as a fresh clone starts it), and Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions } from '@baton/ui/tooling/chromium';
import { chromium, type Browser } from 'playwright-core';

const appDir = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface RunningDemo {
  base: string;
  dataDir: string;
  /** Everything the demo printed, plus what the tests add (page errors): for failure messages. */
  output: { text: string };
  stop(): Promise<void>;
}

/**
 * Starts the demo as `pnpm start` does (with `env`'s variables for its address added) and waits until it answers. A fresh clone builds the
 * bundles first, hence the generous wait; a start that fails says what the demo printed.
 */
export async function startDemo(dataPrefix: string, env: (base: string) => NodeJS.ProcessEnv = () => ({})): Promise<RunningDemo> {
  const dataDir = await mkdtemp(path.join(tmpdir(), dataPrefix));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const output = { text: '' };
  // Its own process group, so `stop` ends pnpm and the server it started together.
  const child: ChildProcess = spawn('pnpm', ['start'], {
    cwd: appDir,
    env: { ...process.env, ...env(base), PORT: String(port), BATON_DEMO_DATA: dataDir },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output.text += d));
  child.stderr!.on('data', (d: Buffer) => (output.text += d));
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pnpm start exited with ${child.exitCode}\n${output.text}`);
    if (await fetch(`${base}/demo/agents`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${base}/demo/agents did not answer within 120 s\n${output.text}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, dataDir, output, stop };
}

/** Debian's Chromium (never a downloaded build); `CHROME_PATH` overrides where it is. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}

/**
 * For `afterEach`: a failed test also prints what the demo and its pages said (server log, page
 * errors), which a locator's timeout alone does not.
 */
export function printOutputOnFailure(demo: () => RunningDemo | undefined) {
  return (t: { name: string; passed?: boolean }): void => {
    const output = demo()?.output.text;
    // A suite's context has no `passed`: only a test that ran and failed prints.
    if (t.passed !== false || !output) return;
    process.stderr.write(`\n--- "${t.name}" failed; the demo and its pages printed (last 20,000 characters):\n${output.slice(-20_000)}\n---\n`);
  };
}
