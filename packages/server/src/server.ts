import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { systemClock, type Clock } from './clock.js';
import { DEFAULT_DELIVERY_TIMEOUTS, DEFAULT_TENANT_LIMITS, type DeliveryTimeouts, type Deps, type TenantLimits } from './deps.js';
import { createApp, type BatonApp } from './http/app.js';
import { RequestDrain } from './http/drain.js';
import { KeyedSlots } from './http/fair-share.js';
import { registerBackgroundWork } from './background.js';
import { JobRunner, type DeliveryLimits } from './jobs/queue.js';
import { parseDestinationPolicy, type HostResolver } from './net/destinations.js';
import { OutboundClient } from './net/outbound.js';
import { checkRetentions, Housekeeping } from './housekeeping.js';
import { SnoozeWaker } from './snooze-waker.js';
import { drainQueue, RoutingQueueTimer } from './services/routing-queue.js';
import { RoutingTimers } from './services/routing-timers.js';
import { Availability } from './services/availability.js';
import { OutboxRelay } from './outbox/relay.js';
import { SearchIndexer } from './services/search-indexer.js';
import { PresenceBoard } from './realtime/presence.js';
import { attachRealtime, type Realtime, type RealtimeOptions } from './realtime/attach.js';
import type { SqliteSynchronous, Storage } from './storage/db.js';
import { openStorage } from './storage/open.js';
import { ReadBands, readBandsTable } from './storage/read-bands.js';
import { logFailure } from './failure-log.js';
import type { AccessEntry } from './http/observe.js';
import { createMetrics, registerGauges } from './metrics.js';
import { pendingJobCounts, routingWaitTotals } from './storage/gauges.js';
import { lastOutboxId } from './storage/outbox.js';

export const VERSION = '0.1.0';

export interface ServerOptions {
  port?: number;
  host?: string;
  /** A libsql file or `:memory:`, or a PostgreSQL URL (`postgres://…`; one node per database). */
  db?: string;
  /** An already opened storage (tests that restart on one file pass the path instead). */
  storage?: Storage;
  adminToken?: string;
  clock?: Clock;
  bodyLimitBytes?: number;
  pollMs?: number;
  smtpUrl?: string;
  mailFrom?: string;
  /** More missed changes than this and a reconnecting client reloads instead of replaying (default 500). */
  maxReplay?: number;
  /**
   * A Socket.IO adapter that spans several nodes (e.g. Redis). Without one the server uses the
   * in-memory adapter and knows it is the only node, so it skips events for rooms nobody here is in.
   */
  socketAdapter?: RealtimeOptions['adapter'];
  /** Where the sockets' view counts come from (default: the counters each change carries, realtime/live-counts.ts). */
  counts?: RealtimeOptions['counts'];
  /** Socket handshakes each agent and workspace may make (default realtime/handshake-budget.ts's). */
  handshakes?: RealtimeOptions['handshakes'];
  publicUrl?: string;
  notifyCoalesceMs?: number;
  emailHoldMs?: number;
  /**
   * Non-public destinations webhooks and push may reach: CIDR ranges or `*`, as in
   * BATON_PRIVATE_DESTINATIONS. Loopback receivers (tests, the demo) need `127.0.0.0/8` or similar.
   */
  privateDestinations?: string | readonly string[];
  /** How outbound host names are resolved (default: the system resolver); tests inject one. */
  resolveHost?: HostResolver;
  limits?: Partial<TenantLimits>;
  /** Background delivery: concurrency, fairness caps, circuit breakers (jobs/queue.ts). */
  delivery?: Partial<DeliveryLimits>;
  deliveryTimeoutMs?: Partial<DeliveryTimeouts>;
  /** Days the rules' run log keeps a run (default 90, `BATON_RUN_RETENTION_DAYS`); the hourly sweep deletes older ones. */
  runRetentionDays?: number;
  /** Days the outbox keeps a change (default 7, `BATON_OUTBOX_RETENTION_DAYS`); rows a consumer has not passed are kept longer. */
  outboxRetentionDays?: number;
  /** Days a finished delivery job (and its attempts) is kept (default 30, `BATON_JOB_RETENTION_DAYS`); pending ones always are. */
  jobRetentionDays?: number;
  /** Days a read notification is kept (default 90, `BATON_NOTIFICATION_RETENTION_DAYS`); unread ones at least 365. */
  notificationRetentionDays?: number;
  /** The bearer token `GET /metrics` takes (BATON_METRICS_TOKEN); unset, metrics are off (404). */
  metricsToken?: string;
  /** Writes each answered request (BATON_ACCESS_LOG=1 writes JSON lines to standard output). */
  accessLog?: (entry: AccessEntry) => void;
  /**
   * On `close()`, how long (real time) the requests already in the handlers have to be answered
   * before their connections are closed anyway (default 10,000).
   */
  drainTimeoutMs?: number;
  /** Lets a host (the demo CRM) add its own routes to the same app and origin. */
  extend?: (app: BatonApp, deps: Deps) => void | Promise<void>;
  /**
   * On PostgreSQL: another node took this database over while this one was reconnecting
   * (storage/serving-lock.ts). The node's writes are refused from then on (503); the CLI stops it.
   */
  onServingLost?: (error: Error) => void;
  /**
   * On PostgreSQL: how long, in real time, the node waits for the server to answer a connect, or
   * its heartbeat (a `select 1` every 5 s on its clock), before it takes the database for
   * unreachable: writes answer 503 and its connections are dropped until the server answers again
   * (storage/serving-lock.ts). Default 10,000.
   */
  postgresTimeoutMs?: number;
  /**
   * On PostgreSQL: at most this many pooled connections (default 10), besides the one the serving
   * lock holds. Each is a server process on PostgreSQL's side; the relay's consumers, requests and
   * the committer share them, and wait for one when all are busy.
   */
  postgresPoolSize?: number;
  /**
   * On a database file: `full` (default) syncs each commit to disk, so nothing acknowledged is lost
   * to a power cut; `normal` syncs at checkpoints only (faster on slow disks; a power cut may lose
   * the last commits, a process crash still loses nothing). BATON_SQLITE_SYNCHRONOUS.
   */
  sqliteSynchronous?: SqliteSynchronous;
}

export interface RunningServer {
  url: string;
  port: number;
  deps: Deps;
  /** Wakes snoozed conversations on the clock; tests call `wakeDue()` to drive it. */
  snoozes: SnoozeWaker;
  /** Fires `conversation.unassigned_for` / `unanswered_for` on the clock; tests call `check()` or advance the clock and `idle()`. */
  timers: RoutingTimers;
  app: BatonApp;
  realtime: Realtime;
  http: HttpServer;
  close(): Promise<void>;
}

/** Opens storage, builds the app and the realtime layer on one HTTP server, and listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  // First, so a malformed setting stops the server before it opens anything.
  const destinations = parseDestinationPolicy(options.privateDestinations);
  const retentions = checkRetentions(options);
  const clock = options.clock ?? systemClock;
  const storage =
    options.storage ??
    (await openStorage(options.db ?? ':memory:', {
      clock,
      onServingLost: options.onServingLost,
      postgresTimeoutMs: options.postgresTimeoutMs,
      postgresPoolSize: options.postgresPoolSize,
      sqliteSynchronous: options.sqliteSynchronous,
    }));
  const relay = new OutboxRelay(storage, clock, {
    pollMs: options.pollMs ?? 1000,
    onError: (consumer, error) => logFailure(`outbox consumer ${consumer}`, error),
  });
  const metrics = createMetrics();
  const jobs = new JobRunner(storage, clock, {
    limits: options.delivery,
    pollMs: options.pollMs ?? 1000,
    onError: (error) => logFailure('job runner', error),
    onAttempt: (kind, outcome) => metrics.deliveryAttempts.inc({ kind, outcome }),
  });
  const limits = { ...DEFAULT_TENANT_LIMITS, ...options.limits };
  const deps: Deps = {
    storage,
    clock,
    relay,
    jobs,
    outbound: new OutboundClient(destinations, options.resolveHost),
    presence: new PresenceBoard(clock),
    housekeeping: new Housekeeping(storage, clock, { ...retentions, outboxHandedUpTo: () => relay.handedToAll(), durableConsumers: () => relay.durableNames() }),
    readBands: new ReadBands({
      store: readBandsTable(storage, clock, (error) => console.error('[baton] saving read bands failed; they will be learned again', error)),
    }),
    search: new SearchIndexer(storage, clock),
    // Set right below: the timer drains through the deps it belongs to.
    routingQueue: null as unknown as RoutingQueueTimer,
    availability: null as unknown as Availability,
    requestSlots: new KeyedSlots(limits.requestsInFlightPerWorkspace),
    metrics,
    drain: new RequestDrain(),
    config: {
      adminToken: options.adminToken,
      bodyLimitBytes: options.bodyLimitBytes ?? 256 * 1024,
      version: VERSION,
      smtpUrl: options.smtpUrl,
      mailFrom: options.mailFrom ?? 'Baton <notifications@baton.localhost>',
      publicUrl: options.publicUrl,
      notifyCoalesceMs: options.notifyCoalesceMs,
      emailHoldMs: options.emailHoldMs,
      destinations,
      limits,
      deliveryTimeoutMs: { ...DEFAULT_DELIVERY_TIMEOUTS, ...options.deliveryTimeoutMs },
      metricsToken: options.metricsToken,
      accessLog: options.accessLog,
    },
  };
  deps.availability = new Availability(deps, clock);
  // One workspace's failing drain is reported and retried at the next check, not let out of the
  // timer's loop, where it stopped every workspace after it from being drained (DESIGN §7a).
  const drainAlone = (workspaceId: string) =>
    drainQueue(deps, workspaceId).catch((error: unknown) => {
      console.error(`[baton] routing queue: draining workspace ${workspaceId} failed; will retry`, error);
      return 0;
    });
  deps.routingQueue = new RoutingQueueTimer({ storage, clock, drain: drainAlone }, clock);
  await registerBackgroundWork(deps);
  const app = createApp(deps);
  await options.extend?.(app, deps);
  const http = createAdaptorServer({ fetch: app.fetch }) as HttpServer;
  const realtime = await attachRealtime(http, deps, {
    maxReplay: options.maxReplay,
    ...(options.counts ? { counts: options.counts } : {}),
    ...(options.handshakes ? { handshakes: options.handshakes } : {}),
    ...(options.socketAdapter ? { adapter: options.socketAdapter } : { singleNode: true }),
  });
  registerGauges(metrics, {
    sockets: () => realtime.io.engine.clientsCount,
    unavailable: () => (storage.unavailable?.() ? 1 : 0),
    outboxBehind: async () => {
      const newest = await lastOutboxId(storage.db);
      return relay.progress().map(({ consumer, finishedUpTo }) => ({ consumer, behind: Math.max(0, newest - finishedUpTo) }));
    },
    pendingJobs: async () => {
      const now = clock.now();
      const counted = new Map((await pendingJobCounts(storage.db)).map((row) => [row.kind, row]));
      // Every kind this node runs has its series, at 0 when nothing waits, so an alert on it never sees a gap.
      return [...new Set([...jobs.kinds(), ...counted.keys()])].sort().map((kind) => {
        const row = counted.get(kind);
        return { kind, pending: row?.pending ?? 0, overdueSeconds: row ? Math.max(0, now - row.firstDueAt) / 1000 : 0 };
      });
    },
    routingWaits: async () => {
      const { waiting, oldestSince } = await routingWaitTotals(storage.db);
      return { waiting, oldestSeconds: oldestSince === null ? 0 : Math.max(0, clock.now() - oldestSince) / 1000 };
    },
  });
  relay.start();
  jobs.start();
  deps.housekeeping.start();
  const snoozes = new SnoozeWaker(deps);
  snoozes.start();
  deps.routingQueue.start();
  const timers = new RoutingTimers(deps, clock);
  timers.start();
  deps.availability.start();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    deps,
    snoozes,
    timers,
    app,
    realtime,
    http,
    close: () =>
      (closed ??= (async () => {
        // First the requests: no new connections, and those in the handlers are answered while
        // everything they may wait on (storage, the indexer) still runs.
        deps.drain.stop();
        http.close();
        http.closeIdleConnections?.();
        const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
        if ((await deps.drain.idle(drainTimeoutMs)) === 'timed out') {
          console.warn(`[baton] stopping: ${deps.drain.active} request(s) still unanswered after ${drainTimeoutMs} ms; closing their connections`);
        }
        relay.stop();
        // Attempts in flight are abandoned, not logged: their jobs run again after a restart.
        await jobs.shutdown();
        deps.housekeeping.stop();
        await deps.housekeeping.idle();
        snoozes.stop();
        await snoozes.idle();
        deps.routingQueue.stop();
        await deps.routingQueue.idle();
        timers.stop();
        await timers.idle();
        deps.availability.stop();
        await deps.availability.idle();
        await relay.idle();
        deps.search.stop();
        await deps.search.idle();
        http.closeAllConnections?.();
        await realtime.close();
        await storage.close();
      })()),
  };
}
