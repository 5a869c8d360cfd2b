// The browser suites' runner must end once their tests have: a test server or a browser that does
// not stop may not keep it, or whatever reads its output (turbo, CI's pipe), waiting for ever.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { debianChromium, demoServerPlugin } from '../web-test-runner.mjs';

const fixture = (name) => new URL(`./${name}`, import.meta.url);
const running = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const serverPid = (plugin) => JSON.parse(plugin.serve({ path: '/__baton/demo-server.json' }).body).pid;

describe('the test server beside the browser', () => {
  it('is waited for at the stop: gone once serverStop resolves', async () => {
    const plugin = demoServerPlugin(fixture('closing-server.ts'));
    await plugin.serverStart();
    const pid = serverPid(plugin);
    assert.equal(running(pid), true);
    await plugin.serverStop();
    assert.equal(running(pid), false);
  });

  it('is killed when it does not exit within the stop wait after SIGTERM', async () => {
    const plugin = demoServerPlugin(fixture('stubborn-server.mjs'), { stopWaitMs: 300 });
    await plugin.serverStart();
    const pid = serverPid(plugin);
    await plugin.serverStop();
    assert.equal(running(pid), false);
  });

  it('reports what is still open and exits when its close does not finish', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL(fixture('closing-server.ts')).pathname], { env: { ...process.env, CLOSE: 'never' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await once(child.stdout, 'data');
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    assert.deepEqual({ code, signal }, { code: 1, signal: null }, stderr);
    assert.match(stderr, /did not close within 0\.3 s; still active: .+/);
  });

  it("never holds the runner's own output: a runner that exits leaves its output closed though the server lives on", async (t) => {
    const runner = spawn(process.execPath, [new URL(fixture('runner-that-exits.mjs')).pathname], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    runner.stdout.on('data', (d) => (out += d));
    // 'close' comes when every holder of the runner's stdout and stderr has let go of them.
    const closed = once(runner, 'close');
    const timer = setTimeout(() => runner.emit('error', new Error('the runner’s output stayed open after it exited')), 5_000);
    t.after(() => clearTimeout(timer));
    await closed;
    const { pid } = JSON.parse(out);
    try {
      assert.equal(running(pid), true, 'the stubborn server outlived the runner, as the test means it to');
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });
});

describe('the Chromium launcher', () => {
  it('does not wait for ever on a browser that never closes', async () => {
    const launcher = debianChromium({ stopWaitMs: 200 });
    // A browser whose close never answers, as Chromium's now and then does not.
    launcher.browser = { isConnected: () => true, close: () => new Promise(() => {}) };
    const started = Date.now();
    await launcher.stop();
    assert.ok(Date.now() - started < 5_000);
  });
});
