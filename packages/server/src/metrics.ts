import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What a node reports to Prometheus at `GET /metrics` (http/routes/metrics.ts). Counters are this
 * node's since it started; gauges are read when scraped. No label names a workspace, an agent or
 * a conversation: a label per tenant would grow the series without bound, and a scrape is not a
 * place to learn who the tenants are.
 */
export interface Metrics {
  readonly registry: Registry;
  /** Requests answered, by method, route pattern (`/v1/conversations/:id/assign`, not the id) and status. */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  /** Time from the request's arrival at the app to its answer, waiting for its turn included. */
  readonly httpSeconds: Histogram<'method' | 'route'>;
  /** Background delivery attempts by kind (`webhook`, `email`, `push`) and how each ended. */
  readonly deliveryAttempts: Counter<'kind' | 'outcome'>;
}

/** How a delivery attempt ended: the job is done, will run again, gave up, or was no longer due. */
export type AttemptOutcome = 'delivered' | 'retrying' | 'failed' | 'skipped';

/** What the scrape-time gauges read; the server wires each to the part that knows it. */
export interface GaugeSources {
  /** Sockets open on this node. */
  sockets(): number;
  /** Per outbox consumer of this process, how many committed changes it has not finished. */
  outboxBehind(): Promise<{ consumer: string; behind: number }[]>;
  /** Delivery jobs not finished yet, by kind, and how late the most overdue one is (seconds; 0 when none is due). */
  pendingJobs(): Promise<{ kind: string; pending: number; overdueSeconds: number }[]>;
  /** Conversations waiting in routing queues for an eligible agent, and the oldest wait in seconds (null: not known now). */
  routingWaits(): Promise<{ waiting: number; oldestSeconds: number } | null>;
  /** 1 while this node may not write (PostgreSQL away, or another node took its database over). */
  unavailable(): number;
}

/** A second and a half covers every request that is not already a problem; beyond 5 s is a timeout anyway. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(): Metrics {
  const registry = new Registry();
  return {
    registry,
    httpRequests: new Counter({
      name: 'baton_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: 'baton_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, waiting for its turn included',
      labelNames: ['method', 'route'],
      buckets: HTTP_BUCKETS,
      registers: [registry],
    }),
    deliveryAttempts: new Counter({
      name: 'baton_delivery_attempts_total',
      help: 'Background delivery attempts (webhook, email, push) by how they ended',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
  };
}

/**
 * Registers the gauges read at each scrape. Each reads its source when Prometheus asks, so a
 * node that is never scraped spends nothing on them. A source that fails (the database is away)
 * leaves its series out of that scrape rather than failing it: an outage is when the rest, and
 * `baton_storage_unavailable`, matter most.
 */
export function registerGauges(metrics: Metrics, sources: GaugeSources): void {
  const registers = [metrics.registry];
  const outboxBehind = onePerScrape(sources.outboxBehind, []);
  const pendingJobs = onePerScrape(sources.pendingJobs, []);
  const routingWaits = onePerScrape(sources.routingWaits, null);
  new Gauge({
    name: 'baton_sockets',
    help: 'Socket.IO connections open on this node',
    registers,
    collect() {
      this.set(sources.sockets());
    },
  });
  new Gauge({
    name: 'baton_storage_unavailable',
    help: '1 while this node may not write (its database is away or served by another node)',
    registers,
    collect() {
      this.set(sources.unavailable());
    },
  });
  new Gauge({
    name: 'baton_outbox_behind',
    help: 'Committed changes an outbox consumer of this node has not finished (routing, realtime, webhooks, notifications)',
    labelNames: ['consumer'],
    registers,
    async collect() {
      this.reset();
      for (const { consumer, behind } of await outboxBehind()) this.set({ consumer }, behind);
    },
  });
  new Gauge({
    name: 'baton_delivery_pending',
    help: 'Delivery jobs waiting to be sent or retried, by kind',
    labelNames: ['kind'],
    registers,
    async collect() {
      this.reset();
      for (const { kind, pending } of await pendingJobs()) this.set({ kind }, pending);
    },
  });
  new Gauge({
    name: 'baton_delivery_overdue_seconds',
    help: 'How long past its due time the most overdue delivery job is, by kind (0: none is late)',
    labelNames: ['kind'],
    registers,
    async collect() {
      this.reset();
      for (const { kind, overdueSeconds } of await pendingJobs()) this.set({ kind }, overdueSeconds);
    },
  });
  new Gauge({
    name: 'baton_routing_waiting',
    help: 'Conversations waiting in a routing queue for an eligible agent, all workspaces',
    registers,
    async collect() {
      // NaN, not 0, when the read failed: "nobody waits" would be a claim.
      this.set((await routingWaits())?.waiting ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'baton_routing_oldest_wait_seconds',
    help: 'How long the longest-waiting queued conversation has waited',
    registers,
    async collect() {
      // NaN, not 0, when the read failed: "nobody waits" would be a claim.
      this.set((await routingWaits())?.oldestSeconds ?? Number.NaN);
    },
  });
}

/**
 * A source read at most once per scrape (gauges sharing it wait on one read), and `empty` when
 * the read fails (the database is away), so the scrape leaves that series out rather than fail.
 */
function onePerScrape<T>(read: () => Promise<T>, empty: T): () => Promise<T> {
  let reading: Promise<T> | null = null;
  return () =>
    (reading ??= read()
      .catch(() => empty)
      .finally(() => setImmediate(() => (reading = null))));
}

/**
 * Node's own figures (CPU, heap, event-loop delay, GC), once per process: they describe the
 * process, and collecting them starts observers that a test run starting hundreds of servers in
 * one process must not start hundreds of times.
 */
let processRegistry: Registry | null = null;

/** The exposition text of a scrape: this server's metrics and the process's. */
export async function scrape(metrics: Metrics): Promise<{ text: string; contentType: string }> {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  const merged = Registry.merge([processRegistry, metrics.registry]);
  return { text: await merged.metrics(), contentType: merged.contentType };
}
