import { SERVER_EVENTS as ALL_SERVER_EVENTS } from '@baton/protocol/constants';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@baton/protocol';
import { ManualClock } from './clock.js';
import { startServer, type RunningServer, type ServerOptions } from './server.js';

/**
 * Test fixtures over the public surface: a server on a loopback port, a workspace made through
 * the API, and callers that speak HTTP and Socket.IO like a host backend or an agent would.
 */

export const ADMIN_TOKEN = 'test-admin-token';

/**
 * What a test passes as `privateDestinations` when its webhook receivers or push services listen
 * on loopback: the server refuses non-public destinations unless told otherwise (DESIGN §7a).
 */
export const LOOPBACK_DESTINATIONS = '127.0.0.0/8,::1/128';

/** What the fixtures need of a test's context: node:test's `TestContext` has it. */
export interface AfterHooks {
  after(fn: () => unknown): void;
}

/**
 * A database file (`baton.db`) in a fresh folder `<tmpdir>/baton-<name>-XXXXXX`, removed after
 * every other `t.after` hook of the test has run: the servers, connections and child processes
 * using the file close in those hooks. Removed under them, the removal races their writes (a
 * `-wal` or `-shm` file made again between unlinking the files and the folder fails the hook and
 * leaves the folder), and on Windows files still open cannot be removed at all.
 *
 * Hooks run in the order they are registered, and tests register the closes after this call
 * (the server they start on the file, the one they restart halfway). So the removal is not
 * registered here: the hook registered here registers it when its turn comes, which puts it
 * behind every hook the test registered, since the test body has ended by then. That relies on
 * node:test reading the hook list as it runs it (Node 20.20 does; releases that ran hooks with a
 * reduce over the list did not); test/testing.test.ts fails if a Node release stops doing so.
 */
export function tempDbFile(t: AfterHooks, name = 'db'): string {
  const dir = mkdtempSync(join(tmpdir(), `baton-${name}-`));
  t.after(() => t.after(() => rmSync(dir, { recursive: true, force: true })));
  return join(dir, 'baton.db');
}

/**
 * The pooled connections of a test server on PostgreSQL, against 10 in production. A server lives
 * for one test, and its first commit sends the relay's consumers to the pool at once, so with 10 it
 * connected ~8 times: each a new PostgreSQL process, ~45 ms of the server's CPU on the CI machine,
 * 40% of PostgreSQL's CPU in a suite that starts hundreds of servers. Three still run queries
 * side by side on separate connections, and a code path that deadlocks on an exhausted pool shows
 * sooner here than with 10.
 */
const TEST_POOL_SIZE = 3;

export type BatonTestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  // A Buffer's bytes are a valid body; its type (ArrayBufferLike) is wider than `BodyInit` says.
  const res = await fetch(base + path, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: leave the text for the assertion to show */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Awaits a fixture step's response and fails the test unless it has the expected status. */
export async function expectStatus<T = any>(res: Promise<HttpResult<T>>, status: number): Promise<T> {
  const r = await res;
  assert.equal(r.status, status, `fixture step failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export type Reader = (method: string, path: string) => Promise<HttpResult>;

/**
 * Reads every `[label, caller, path]` (each must answer 200) into one object: taken before and
 * after a request, equal snapshots mean the request wrote nothing.
 */
export async function readAll(reads: [label: string, caller: Reader, path: string][]): Promise<Record<string, unknown>> {
  const bodies = await Promise.all(
    reads.map(async ([label, caller, path]) => {
      const r = await caller('GET', path);
      assert.equal(r.status, 200, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return [label, r.body] as const;
    }),
  );
  return Object.fromEntries(bodies);
}

export interface TestWorkspace {
  id: string;
  apiKey: string;
  signingKeys: { kid: string; secret: string }[];
  /** Calls the API as the host backend. */
  api: <T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<HttpResult<T>>;
  /** Creates an agent and returns a caller acting as them. */
  addAgent: (username: string, extra?: Record<string, unknown>) => Promise<TestAgent>;
}

export interface TestAgent {
  id: string;
  username: string;
  token: string;
  call: <T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<HttpResult<T>>;
}

export class TestServer {
  private sockets: BatonTestSocket[] = [];

  private constructor(
    public server: RunningServer,
    readonly clock: ManualClock | null,
    /** Drops the fresh PostgreSQL database this server was given, once it has closed. */
    private readonly dropDatabase: (() => Promise<void>) | null = null,
    /** The fresh PostgreSQL database this server was given (suites run on PostgreSQL), or null. */
    readonly databaseUrl: string | null = null,
  ) {}

  static async start(options: ServerOptions & { manualClock?: boolean } = {}): Promise<TestServer> {
    const clock = options.manualClock === false ? null : new ManualClock(Date.now());
    // A suite run against PostgreSQL (BATON_TEST_POSTGRES, set by scripts/with-postgres.mjs) gives
    // each server that names no database of its own a fresh one, as `:memory:` does on SQLite.
    const postgres = options.db === undefined && options.storage === undefined && process.env.BATON_TEST_POSTGRES ? await freshPostgresDatabase(process.env.BATON_TEST_POSTGRES) : null;
    try {
      const server = await startServer({
        adminToken: ADMIN_TOKEN,
        ...(clock ? { clock } : {}),
        ...(postgres ? { db: postgres.url, postgresPoolSize: TEST_POOL_SIZE } : {}),
        ...options,
      });
      return new TestServer(server, clock, postgres?.drop ?? null, postgres?.url ?? null);
    } catch (error) {
      await postgres?.drop();
      throw error;
    }
  }

  /** `start`, closed when the test ends (`t.after`): what nearly every test does first. */
  static async startFor(t: AfterHooks, options: ServerOptions & { manualClock?: boolean } = {}): Promise<TestServer> {
    const server = await TestServer.start(options);
    t.after(() => server.close());
    return server;
  }

  get url(): string {
    return this.server.url;
  }

  request<T = any>(method: string, path: string, options: Parameters<typeof http>[3] = {}) {
    return http<T>(this.url, method, path, options);
  }

  async createWorkspace(name = 'Acme'): Promise<TestWorkspace> {
    const res = await this.request('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { name } });
    if (res.status !== 201) throw new Error(`workspace creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    const { workspace, apiKey, signingKeys } = res.body;
    const api: TestWorkspace['api'] = (method, path, body, headers) => this.request(method, path, { token: apiKey, body, headers });
    const addAgent = async (username: string, extra: Record<string, unknown> = {}): Promise<TestAgent> => {
      const created = await api('POST', '/v1/agents', { name: username[0]!.toUpperCase() + username.slice(1), username, availability: 'online', ...extra });
      if (created.status !== 201) throw new Error(`agent creation failed: ${created.status} ${JSON.stringify(created.body)}`);
      const minted = await api('POST', '/v1/tokens', { agentId: created.body.agent.id });
      if (minted.status !== 201) throw new Error(`token mint failed: ${minted.status} ${JSON.stringify(minted.body)}`);
      const token = minted.body.token as string;
      return {
        id: created.body.agent.id,
        username,
        token,
        call: (method, path, body, headers) => this.request(method, path, { token, body, headers }),
      };
    };
    return { id: workspace.id, apiKey, signingKeys, api, addAgent };
  }

  /** A Socket.IO client for an agent; resolves once the server says `ready` (replay done). */
  async connect(token: string, options: { since?: number; origin?: string } = {}): Promise<{ socket: BatonTestSocket; ready: Parameters<ServerToClientEvents['ready']>[0] }> {
    const socket: BatonTestSocket = connect(this.url, {
      auth: { token, ...(options.since === undefined ? {} : { since: options.since }) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(options.origin ? { extraHeaders: { origin: options.origin } } : {}),
    });
    this.sockets.push(socket);
    const ready = await new Promise<Parameters<ServerToClientEvents['ready']>[0]>((resolve, reject) => {
      socket.once('ready', resolve);
      socket.once('connect_error', reject);
    });
    return { socket, ready };
  }

  /**
   * Like `connect`, but records every server event from before the handshake (so nothing sent right
   * after `ready` slips past), and resolves with the recorder too. Rejects on a refused handshake.
   */
  async live(token: string, options: { since?: number } = {}): Promise<LiveSocket> {
    const socket: BatonTestSocket = connect(this.url, {
      auth: { token, ...(options.since === undefined ? {} : { since: options.since }) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.sockets.push(socket);
    const rec = record(socket, SERVER_EVENTS);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const ready = await new Promise<Parameters<ServerToClientEvents['ready']>[0]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ready or connect_error within 5 s')), 5000);
      socket.once('ready', (e) => (clearTimeout(timer), resolve(e)));
      socket.once('connect_error', (e) => (clearTimeout(timer), reject(e)));
    });
    return { socket, rec, ready, disconnected };
  }

  /** Waits until every committed change has been fanned out to sockets. */
  settle(): Promise<void> {
    return this.server.deps.relay.drain();
  }

  /**
   * Moves the manual clock on by `ms` in steps of `stepMs` (the timers' and the queue's 5 s poll),
   * letting each step's background checks (snooze wake-ups, timers, routing queue, auto-away) and
   * what they commit finish before the next: background work driven step by step, never slept for.
   * A check left running would commit later, stamped with a later time, racing the test's reads.
   */
  async advance(ms: number, stepMs = 5_000): Promise<void> {
    const { deps, timers, snoozes } = this.server;
    await this.settle();
    for (let done = 0; done < ms; done += stepMs) {
      this.clock!.advance(Math.min(stepMs, ms - done));
      await snoozes.idle();
      await timers.idle();
      await deps.routingQueue.idle();
      await deps.availability.idle();
      await this.settle();
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.disconnect();
    await this.server.close();
    await this.dropDatabase?.();
  }
}

let databases = 0;

/**
 * One connection per admin URL for creating and dropping the tests' databases, rather than two new
 * ones per database (what a connection costs: TEST_POOL_SIZE). `allowExitOnIdle` unrefs it while
 * idle, so it never keeps a test file's process alive.
 */
const adminPools = new Map<string, pg.Pool>();
function adminPool(adminUrl: string): pg.Pool {
  let pool = adminPools.get(adminUrl);
  if (!pool) {
    pool = new pg.Pool({ connectionString: adminUrl, max: 1, allowExitOnIdle: true });
    // The idle connection's failure (the server stopped first) is the next statement's to report.
    pool.on('error', () => {});
    adminPools.set(adminUrl, pool);
  }
  return pool;
}

/**
 * A new database on the PostgreSQL server `adminUrl` points at (its user may create databases),
 * and how to drop it. Names carry the process id, so two test files running at once never pick the
 * same one. `createOptions` follows `create database NAME`; by default the database is a copy of
 * the harness's migrated template when there is one, else empty.
 */
export async function freshPostgresDatabase(adminUrl: string, createOptions?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `baton_test_${process.pid}_${++databases}`;
  const admin = adminPool(adminUrl);
  // A copy of the migrated template when the harness made one (scripts/with-postgres.mjs). File
  // by file: for a database this small, a fifth of the time of the default WAL-logged copy.
  const template = process.env.BATON_TEST_POSTGRES_TEMPLATE;
  await admin.query(`create database ${name} ${createOptions ?? (template ? `template ${template} strategy file_copy` : '')}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
    },
  };
}

/** Every server event, for recorders that want them all. */
export const SERVER_EVENTS: readonly (keyof ServerToClientEvents)[] = ALL_SERVER_EVENTS;

export interface LiveSocket {
  socket: BatonTestSocket;
  rec: ReturnType<typeof record>;
  ready: Parameters<ServerToClientEvents['ready']>[0];
  /** Resolves with the reason when the socket disconnects. */
  disconnected: Promise<string>;
}

/**
 * Lets the event loop turn, loopback I/O included, until `done()`; fails with `what` after 20,000
 * turns rather than hanging, so a test that waits for something asynchronous still cannot sleep.
 */
export async function turnsUntil(done: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 20_000 && !done(); turn++) await new Promise((resolve) => setImmediate(resolve));
  if (!done()) throw new Error(`not reached: ${what}`);
}

/**
 * Resolves once the server has answered a message sent now on `socket`: everything it emitted to
 * the socket before has then arrived, since one connection delivers in order. This is how a test
 * knows that something did NOT arrive.
 */
export async function roundTrip(socket: BatonTestSocket): Promise<void> {
  await new Promise((resolve) => socket.emit('presence:viewing', { conversationId: null }, resolve));
}

/** Two tenants for tests of what crosses workspaces: Acme with agents ana and ben, Other with zoe. */
export async function twoWorkspaces(t: AfterHooks) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const other = await server.createWorkspace('Other');
  const zoe = await other.addAgent('zoe');
  return { server, ws, ana, ben, other, zoe };
}

/** Collects every event of the given names a socket receives, for asserting what did (not) arrive. */
export function record(socket: BatonTestSocket, events: readonly (keyof ServerToClientEvents)[]) {
  const log: { event: string; payload: any }[] = [];
  for (const event of events) (socket.on as (e: string, fn: (p: unknown) => void) => void)(event, (payload) => log.push({ event, payload }));
  return {
    log,
    of: (event: keyof ServerToClientEvents) => log.filter((e) => e.event === event).map((e) => e.payload),
    /** Resolves with the first matching event, already received or yet to come. */
    waitFor(event: keyof ServerToClientEvents, predicate: (payload: any) => boolean = () => true, timeoutMs = 5000): Promise<any> {
      const seen = log.find((e) => e.event === event && predicate(e.payload));
      if (seen) return Promise.resolve(seen.payload);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off(event, handler as never);
          reject(new Error(`no ${event} within ${timeoutMs} ms`));
        }, timeoutMs);
        const handler = (payload: unknown) => {
          if (!predicate(payload)) return;
          clearTimeout(timer);
          socket.off(event, handler as never);
          resolve(payload);
        };
        (socket.on as (e: string, fn: (p: unknown) => void) => void)(event, handler);
      });
    },
  };
}
