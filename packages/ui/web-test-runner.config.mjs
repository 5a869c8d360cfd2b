import { browserTestConfig } from './tooling/web-test-runner.mjs';

export default browserTestConfig({ files: ['src/**/*.test.ts'], timeout: 10_000 });
