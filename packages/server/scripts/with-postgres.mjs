#!/usr/bin/env node
// Runs a command beside a throwaway PostgreSQL server on loopback, then stops the server and
// removes its files. The command gets BATON_TEST_POSTGRES, a URL of the server's `postgres`
// database whose user may create databases: each TestServer makes its own (src/testing.ts), as a
// copy of BATON_TEST_POSTGRES_TEMPLATE, a database `baton migrate` brought up to date first.
//
//   node scripts/with-postgres.mjs <command> [args…]
//
// Needs PostgreSQL's server binaries (Debian: `apt-get install postgresql`); POSTGRES_BIN names
// their folder if they are neither on PATH nor in /usr/lib/postgresql/<version>/bin. initdb refuses
// to run as root, so as root the server runs as the `postgres` user the Debian package creates.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const TEMPLATE = 'baton_template';
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-postgres.mjs <command> [args…]');
  process.exit(2);
}

function binFolder() {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return null; // run by name
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    console.error('[with-postgres] PostgreSQL server binaries not found (no initdb on PATH or in /usr/lib/postgresql/*/bin).');
    console.error('[with-postgres] Install them (Debian: apt-get install postgresql) or set POSTGRES_BIN.');
    process.exit(1);
  }
  return join(root, versions[0], 'bin');
}

const bin = binFolder();
const tool = (name) => (bin ? join(bin, name) : name);
const asRoot = userInfo().uid === 0;

/** Runs a PostgreSQL tool, as the `postgres` user when this runs as root; throws on failure. */
function run(name, toolArgs) {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', tool(name), ...toolArgs]] : [tool(name), toolArgs];
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} failed (${result.status}): ${result.error ?? ''}${result.stderr}${result.stdout}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'baton-postgres-'));
if (asRoot) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout));
const data = join(dir, 'data');
let started = false;
/**
 * After a failed run, what the server logged that could explain a lost connection: its errors, and
 * the statements that end sessions (each with its time, backend and database; see the options
 * below). The cluster's files are removed next, so this is all a CI log will keep of them.
 */
function printServerLogExcerpt() {
  const log = join(dir, 'server.log');
  if (!existsSync(log)) return;
  const telling = /FATAL|PANIC|drop database|pg_terminate_backend/i;
  const lines = readFileSync(log, 'utf8').split('\n').filter((line) => telling.test(line));
  if (lines.length === 0) return;
  const shown = lines.slice(-5_000);
  console.error(`[with-postgres] the PostgreSQL server's log, ${shown.length} of ${lines.length} lines about ended sessions:`);
  for (const line of shown) console.error(`[with-postgres] ${line}`);
}

function stop() {
  if (started) {
    started = false;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch (error) {
      console.error(`[with-postgres] ${error.message}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

let status = 1;
try {
  // A linguistic default collation (ICU English), as most servers and managed services have: the
  // storage must not depend on the database comparing text bytewise (src/storage/postgres.ts).
  run('initdb', ['-D', data, '-U', 'baton', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--locale-provider=icu', '--icu-locale=en']);
  const port = await freePort();
  // Durability off: the cluster lives for one test run. Enough connections for two test files at
  // once, each with a few servers of ten pooled connections.
  // Logged for printServerLogExcerpt: DDL (each database's drop) with who ran it, where, and when.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c log_statement=ddl -c "log_line_prefix=%m [%p] %d "`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
  started = true;
  const url = `postgres://baton@127.0.0.1:${port}/postgres`;
  console.log(`[with-postgres] PostgreSQL on 127.0.0.1:${port}`);
  // A migrated database for the tests' databases to copy: a copy takes a tenth of a second, the
  // migrations a second or more, and a suite opens hundreds of servers.
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${TEMPLATE}`);
  await admin.end();
  const migrate = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../src/cli.ts', import.meta.url)), 'migrate'], {
    env: { ...process.env, DATABASE_URL: `postgres://baton@127.0.0.1:${port}/${TEMPLATE}` },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`migrating the template database failed: ${migrate.stderr}${migrate.stdout}`);
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, BATON_TEST_POSTGRES: url, BATON_TEST_POSTGRES_TEMPLATE: TEMPLATE } });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
} catch (error) {
  console.error(`[with-postgres] ${error.message}`);
} finally {
  if (status !== 0) printServerLogExcerpt();
  stop();
}
process.exit(status);
