#!/usr/bin/env node
// The server's suite again, on a throwaway PostgreSQL server (scripts/with-postgres.mjs): every
// test file but those whose subject no database engine touches, or that pin the embedded one (a
// test that names a database file runs on SQLite under either pass).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundledTest, bundleTests } from './bundle-tests.mjs';

const ENGINE_FREE = new Set([
  'aborted-uploads.test.ts', // the HTTP body reader
  'cli.test.ts', // the CLI on --db files; its PostgreSQL case is in postgres.test.ts
  'cli-origins.test.ts', // `baton origins` on a --db file
  'cors.test.ts',
  'deep-input.test.ts', // refused before any query
  'destinations.test.ts', // address classification
  'durability.test.ts', // SQLite's sync at commit
  'fair-share.test.ts', // the request gate
  'group-commit.test.ts', // on a SQLite file
  'handshake-budget.test.ts',
  'runner-crash.test.ts', // kill -9 of a process on a SQLite file
  'search-snippet.test.ts', // text only
  'socket-input.test.ts',
  'socket-sessions.test.ts',
  'testing.test.ts',
  'token-bucket.test.ts',
  'unavailable.test.ts', // error classification only
  'wal-checkpointer.test.ts', // SQLite's WAL
]);

const { names } = await bundleTests();
const files = names
  .filter((f) => !ENGINE_FREE.has(f))
  .sort()
  .map(bundledTest);
const harness = fileURLToPath(new URL('./with-postgres.mjs', import.meta.url));
// The runner's async hook made lighter (the preload's header says why).
const lightHook = fileURLToPath(new URL('../../../tooling/node-test-light-hook.mjs', import.meta.url));
const child = spawn(process.execPath, [harness, process.execPath, '--enable-source-maps', '--import', lightHook, '--test', '--test-timeout=600000', '--test-concurrency=2', '--test-reporter=spec', ...files], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
