import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { debianChromium } from './tooling/web-test-runner.mjs';

export default {
  files: ['src/**/*.test.ts'],
  // Browser production builds: socket.io-client's node and development builds pull in `ws` and `debug` (CommonJS).
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  browsers: [debianChromium()],
  // esbuild reads a tsconfig as it is, without following `extends`: point it at the shared base,
  // which has experimentalDecorators and useDefineForClassFields: false (Lit's decorators need both).
  plugins: [esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url)) })],
  testFramework: { config: { timeout: 10_000 } },
};
