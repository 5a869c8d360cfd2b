// The Web Test Runner setup of Baton's custom elements (<team-inbox>, <workflow-builder>): the
// browser, the TypeScript transform and a real Baton server beside the browser. Each element's
// web-test-runner.config.mjs calls elementTestConfig with what is its own; @baton/ui's calls
// browserTestConfig (the same without the server).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { chromiumLaunchOptions } from './chromium.mjs';

export const debianChromium = () => playwrightLauncher({ product: 'chromium', launchOptions: chromiumLaunchOptions() });

/**
 * A real Baton server for the tests that need one, started by `script` (the element's
 * test/demo-server.ts, which prints one JSON line when it listens; see ./demo-server.ts). It runs
 * in a child process because the server is TypeScript run through tsx, which the runner's own
 * config loading does not do. The browser reads that JSON line from `/__baton/demo-server.json`.
 * @param {URL} script
 */
function demoServerPlugin(script) {
  /** @type {import('node:child_process').ChildProcessByStdio<import('node:stream').Writable, import('node:stream').Readable, null> | undefined} */
  let child;
  /** @type {string | undefined} */
  let info;
  return {
    name: 'baton-demo-server',
    async serverStart() {
      child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const started = child;
      info = await new Promise((resolve, reject) => {
        const lines = createInterface({ input: started.stdout });
        lines.once('line', (line) => resolve(line));
        started.once('exit', (code) => reject(new Error(`demo server exited with ${code} before it was ready`)));
      });
    },
    async serverStop() {
      child?.stdin.end();
      child?.kill('SIGTERM');
    },
    /** @param {{ path: string }} context */
    serve(context) {
      if (context.path === '/__baton/demo-server.json') return { body: info, type: 'json' };
    },
  };
}

/**
 * The browser-test setup every Baton package with Lit tests shares: the Chromium launcher, the
 * browser production builds of dependencies and the TypeScript transform. @baton/ui's own config is
 * this; an element's adds a real server (elementTestConfig).
 * @param {{
 *   files: string[],    // the package's test files
 *   timeout: number,    // mocha's per-test timeout, ms
 * }} options
 */
export function browserTestConfig({ files, timeout }) {
  return {
    files,
    // Browser production builds: socket.io-client's node and development builds pull in `ws` and `debug` (CommonJS).
    nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
    browsers: [debianChromium()],
    plugins: [
      // esbuild reads a tsconfig as it is, without following `extends`: point it at the shared base,
      // which has experimentalDecorators and useDefineForClassFields: false (Lit's decorators need both).
      esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)) }),
    ],
    testFramework: { config: { timeout } },
  };
}

/**
 * browserTestConfig, one test file at a time, with a real Baton server beside the browser.
 * @param {{
 *   files: string[],    // the element's test files
 *   demoServer: URL,    // its test/demo-server.ts
 *   timeout: number,    // mocha's per-test timeout, ms: tests against the real server take longer
 * }} options
 */
export function elementTestConfig({ files, demoServer, timeout }) {
  const base = browserTestConfig({ files, timeout });
  return { ...base, concurrency: 1, plugins: [...base.plugins, demoServerPlugin(demoServer)] };
}
