import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';

/** Debian's Chromium, never a downloaded browser build. */
const browser = playwrightLauncher({
  product: 'chromium',
  launchOptions: {
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  },
});

/**
 * A real Baton server (in-memory database) for the tests that save, publish, conflict and replay.
 * It runs in a child process because the server is TypeScript run through tsx. The browser reads
 * its URL and the server admin token from `/__baton/demo-server.json`; each test then makes its own
 * workspace over HTTP (`src/testing/workspace.ts`), so no test sees another's workflows.
 */
function demoServerPlugin() {
  let child;
  let info;
  return {
    name: 'baton-demo-server',
    async serverStart() {
      child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./test/demo-server.ts', import.meta.url))], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      info = await new Promise((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.once('line', (line) => resolve(line));
        child.once('exit', (code) => reject(new Error(`demo server exited with ${code} before it was ready`)));
      });
    },
    async serverStop() {
      child?.stdin.end();
      child?.kill('SIGTERM');
    },
    serve(context) {
      if (context.path === '/__baton/demo-server.json') return { body: info, type: 'json' };
    },
  };
}

export default {
  files: ['src/**/*.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  browsers: [browser],
  concurrency: 1,
  plugins: [
    // esbuild reads a tsconfig as it is, without following `extends`: point it at the shared base,
    // which has experimentalDecorators and useDefineForClassFields: false (Lit's decorators need both).
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url)) }),
    demoServerPlugin(),
  ],
  testFramework: { config: { timeout: 20_000 } },
};
