import { elementTestConfig } from '@baton/ui/tooling/web-test-runner';

export default elementTestConfig({
  files: ['src/**/*.test.ts'],
  // A real Baton server (in-memory database) for the tests that save, publish, conflict and replay.
  // The browser reads its URL and the server admin token from `/__baton/demo-server.json`; each
  // test then makes its own workspace over HTTP (`src/testing/workspace.ts`), so no test sees
  // another's workflows.
  demoServer: new URL('./test/demo-server.ts', import.meta.url),
  timeout: 20_000,
});
