import { elementTestConfig } from '@baton/ui/tooling/web-test-runner';

export default elementTestConfig({
  files: ['src/**/*.test.ts'],
  // A real Baton server (in-memory database, seeded demo workspace); the browser reads its URL and
  // agent tokens from `/__baton/demo-server.json`.
  demoServer: new URL('./test/demo-server.ts', import.meta.url),
  timeout: 15_000,
});
