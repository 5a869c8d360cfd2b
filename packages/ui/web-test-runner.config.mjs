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

export default {
  files: ['src/**/*.test.ts'],
  // Browser production builds: socket.io-client's node and development builds pull in `ws` and `debug` (CommonJS).
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  browsers: [browser],
  // esbuild reads a tsconfig as it is, without following `extends`: point it at the shared base,
  // which has experimentalDecorators and useDefineForClassFields: false (Lit's decorators need both).
  plugins: [esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url)) })],
  testFramework: { config: { timeout: 10_000 } },
};
