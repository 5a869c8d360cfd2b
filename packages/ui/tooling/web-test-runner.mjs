// The Web Test Runner setup of Baton's custom elements (<team-inbox>, <workflow-builder>): the
// browser, the TypeScript transform and a real Baton server beside the browser. Each element's
// web-test-runner.config.mjs calls elementTestConfig with what is its own; @baton/ui's calls
// browserTestConfig (the same without the server).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { context as bundlerContext, formatMessages } from 'esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { chromiumLaunchOptions } from './chromium.mjs';

/** How long the runner waits for the browser, or the test server, to end once the tests are done. */
const STOP_WAIT_MS = 15_000;

/**
 * Whether `promise` settles within `ms` (a rejection is passed on).
 * @param {Promise<unknown>} promise
 * @param {number} ms
 */
async function settlesWithin(promise, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Debian's Chromium, whose closing is bounded: Chromium now and then never answers Playwright's
 * close, and the runner would then wait for ever after the tests have finished. Past `stopWaitMs`
 * the runner goes on and exits; Playwright kills the browser it launched as the process exits.
 */
export function debianChromium({ stopWaitMs = STOP_WAIT_MS } = {}) {
  const launcher = playwrightLauncher({ product: 'chromium', launchOptions: chromiumLaunchOptions() });
  const stop = launcher.stop.bind(launcher);
  launcher.stop = async () => {
    if (await settlesWithin(stop(), stopWaitMs)) return;
    process.stderr.write(`Chromium did not close within ${stopWaitMs / 1000} s of the tests' end; it is killed as the runner exits.\n`);
  };
  return launcher;
}

/**
 * A real Baton server for the tests that need one, started by `script` (the element's
 * test/demo-server.ts, which prints one JSON line when it listens; see ./demo-server.ts). It runs
 * in a child process because the server is TypeScript run through tsx, which the runner's own
 * config loading does not do. The browser reads that JSON line from `/__baton/demo-server.json`.
 *
 * The child never holds the runner's own stdout or stderr: its stderr is copied over instead, and
 * the runner does not exit before the child has. A child left running with the runner's output
 * open would keep whatever reads that output (turbo, a pipe in CI) waiting for ever, after every
 * test has passed.
 * @param {URL} script
 * @param {{ stopWaitMs?: number }} [options]
 */
export function demoServerPlugin(script, { stopWaitMs = STOP_WAIT_MS } = {}) {
  /** @type {import('node:child_process').ChildProcessByStdio<import('node:stream').Writable, import('node:stream').Readable, import('node:stream').Readable> | undefined} */
  let child;
  /** @type {Promise<unknown> | undefined} */
  let exited;
  /** @type {string | undefined} */
  let info;
  return {
    name: 'baton-demo-server',
    async serverStart() {
      child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const started = child;
      started.stderr.pipe(process.stderr, { end: false });
      exited = new Promise((resolve) => started.once('exit', resolve));
      info = await new Promise((resolve, reject) => {
        const lines = createInterface({ input: started.stdout });
        lines.once('line', (line) => resolve(line));
        started.once('exit', (code) => reject(new Error(`demo server exited with ${code} before it was ready`)));
      });
    },
    async serverStop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      child.kill('SIGTERM');
      if (await settlesWithin(exited, stopWaitMs)) return;
      process.stderr.write(`The test server did not exit within ${stopWaitMs / 1000} s of SIGTERM; killed.\n`);
      child.kill('SIGKILL');
      await exited;
    },
    /** @param {{ path: string }} context */
    serve(context) {
      if (context.path === '/__baton/demo-server.json') return { body: info, type: 'json' };
    },
  };
}

const baseTsconfig = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));

/**
 * Serves the package's test files (every `*.test.ts` under `src/`) bundled by esbuild: one build of
 * them all, their shared code split into chunks, so a page loads its entry and a few chunks. Module
 * by module, a test page fetched ~190 modules (95 of them zod's) along a chain of imports and spent
 * ~2.5 of its ~4 s loading them (docs/decisions.md, session 21). Dynamic `import()`s stay lazy (their
 * own chunks).
 * The runner's modules (`@web/…`, such as test-runner-commands) stay imports the dev server resolves,
 * since they talk to the runner. The build is made once for the run; a test file asked for a second
 * time (`--watch`, or a manual rerun) rebuilds first, so a change to anything it imports is seen.
 * A test file outside `src/` is served as before, module by module.
 */
function bundledTestFiles() {
  /** @type {string} */
  let rootDir;
  /** @type {import('esbuild').BuildContext | undefined} */
  let bundler;
  /** Every output of the latest build, by the URL path it is served at. */
  /** @type {Promise<Map<string, string>> | undefined} */
  let outputs;
  const asked = new Set();

  async function rebuild() {
    if (!bundler) {
      const srcDir = join(rootDir, 'src');
      const entryPoints = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => join(srcDir, f));
      bundler = await bundlerContext({
        entryPoints,
        // Written nowhere (write: false): the paths only decide the URLs. An entry keeps its test
        // file's path (src/x/y.test.js, served for src/x/y.test.ts); the chunks go under /__bundled__/.
        outdir: rootDir,
        outbase: rootDir,
        chunkNames: '__bundled__/[name]-[hash]',
        write: false,
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'browser',
        target: 'esnext',
        // The same builds the dev server resolves (nodeResolve below): browser, production.
        conditions: ['module', 'production'],
        external: ['@web/*'],
        tsconfig: baseTsconfig,
        sourcemap: 'linked',
        logLevel: 'silent',
      });
    }
    try {
      const result = await bundler.rebuild();
      return new Map(result.outputFiles.map((f) => [`/${relative(rootDir, f.path).split(sep).join('/')}`, f.text]));
    } catch (error) {
      // One file that does not compile must not fail the others: every test file is then served
      // module by module, as without this plugin, and the broken one fails alone in the browser.
      const text = (await formatMessages(/** @type {any} */ (error).errors ?? [], { kind: 'warning' })).join('\n');
      console.warn(`The test files could not be bundled; serving them module by module.\n${text}`);
      return new Map();
    }
  }

  return {
    name: 'baton-bundled-test-files',
    /** @param {{ config: { rootDir: string } }} args */
    serverStart({ config }) {
      rootDir = config.rootDir;
    },
    async serverStop() {
      await bundler?.dispose();
    },
    /** The chunks and source maps of the latest build. */
    /** @param {{ path: string }} context */
    async serve(context) {
      const body = (await outputs)?.get(context.path);
      if (body !== undefined) return { body, type: context.path.endsWith('.map') ? 'json' : 'js' };
      return undefined;
    },
    /** A test file: its entry of the build, in place of esbuildPlugin's transform of it alone. */
    /** @param {{ path: string }} context */
    async transform(context) {
      if (!context.path.startsWith('/src/') || !context.path.endsWith('.test.ts')) return undefined;
      if (!outputs || asked.has(context.path)) outputs = rebuild();
      asked.add(context.path);
      const body = (await outputs).get(context.path.replace(/\.ts$/, '.js'));
      return body === undefined ? undefined : { body, transformCache: false };
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
      esbuildPlugin({ ts: true, tsconfig: baseTsconfig }),
      // After esbuildPlugin, so the bundle replaces its transform of the test file and is not transformed again.
      bundledTestFiles(),
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
