import type { Clock } from './clock.js';
import type { Housekeeping } from './housekeeping.js';
import type { JobRunner } from './jobs/queue.js';
import type { DestinationPolicy } from './net/destinations.js';
import type { RequestDrain } from './http/drain.js';
import type { KeyedSlots } from './http/fair-share.js';
import type { AccessEntry } from './http/observe.js';
import type { Metrics } from './metrics.js';
import type { OutboundClient } from './net/outbound.js';
import type { OutboxRelay } from './outbox/relay.js';
import type { PresenceBoard } from './realtime/presence.js';
import type { Availability } from './services/availability.js';
import type { IdempotentReply } from './services/idempotent-reply.js';
import type { RoutingQueueTimer } from './services/routing-queue.js';
import type { SearchIndexer } from './services/search-indexer.js';
import type { Storage } from './storage/db.js';
import type { ReadBands } from './storage/read-bands.js';

export interface ServerConfig {
  /** Enables `POST /v1/workspaces` when set (BATON_ADMIN_TOKEN). */
  adminToken?: string;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  version: string;
  /** Outgoing mail server for notifications, e.g. smtp://user:pass@host:587 (SMTP_URL). */
  smtpUrl?: string;
  /** From address of notification emails. */
  mailFrom: string;
  /** Where this server is reachable from browsers (the Web Push contact when https). */
  publicUrl?: string;
  /** Repeated notifications of one type, agent and conversation within this window send one email/push (default 10 min; 0 turns coalescing off). */
  notifyCoalesceMs?: number;
  /** How long an email waits for an agent who is in Baton to see the notification first (default 2 min, notify/notifier.ts; 0: never held). */
  emailHoldMs?: number;
  /** Non-public addresses webhooks and push may reach anyway (BATON_PRIVATE_DESTINATIONS); public unicast is always allowed. */
  destinations: DestinationPolicy;
  /** Per-tenant caps (docs/decisions.md). */
  limits: TenantLimits;
  /** The bearer token `GET /metrics` takes (BATON_METRICS_TOKEN); unset, the endpoint answers 404. */
  metricsToken?: string;
  /** Writes each answered request (BATON_ACCESS_LOG); unset, requests are not logged. */
  accessLog?: (entry: AccessEntry) => void;
  /** How long one delivery attempt may take, per kind of destination, on the server's clock. */
  deliveryTimeoutMs: DeliveryTimeouts;
}

export interface TenantLimits {
  /** Live webhook endpoints per workspace (BATON_MAX_WEBHOOKS_PER_WORKSPACE). */
  webhooksPerWorkspace: number;
  /** Push subscriptions per agent (BATON_MAX_PUSH_SUBSCRIPTIONS_PER_AGENT). */
  pushSubscriptionsPerAgent: number;
  /** A workspace's requests in the handlers at once; more wait their turn (BATON_MAX_REQUESTS_IN_FLIGHT_PER_WORKSPACE, http/fair-share.ts). */
  requestsInFlightPerWorkspace: number;
}

export const DEFAULT_TENANT_LIMITS: TenantLimits = { webhooksPerWorkspace: 20, pushSubscriptionsPerAgent: 10, requestsInFlightPerWorkspace: 32 };

export interface DeliveryTimeouts {
  webhook: number;
  push: number;
  email: number;
}

export const DEFAULT_DELIVERY_TIMEOUTS: DeliveryTimeouts = { webhook: 10_000, push: 10_000, email: 30_000 };

/** Everything the app needs from outside; tests build it with an in-memory database and a manual clock. */
export interface Deps {
  storage: Storage;
  clock: Clock;
  relay: OutboxRelay;
  /** Retried background work: email, push, webhook deliveries. */
  jobs: JobRunner;
  /** Requests to tenants' destinations (webhooks, push), checked against `config.destinations`. */
  outbound: OutboundClient;
  /** Periodic clean-up: expired idempotency keys. */
  housekeeping: Housekeeping;
  /** Who is viewing or typing where, on this node. */
  presence: PresenceBoard;
  /** Per agent, ranges of conversations known read, which the Unread view skips (storage/read-bands.ts). */
  readBands: ReadBands;
  /** Full-text indexing after commit; searches wait on it. */
  search: SearchIndexer;
  /** Places queued conversations whose assign step times out, on the clock (services/routing-queue.ts). */
  routingQueue: RoutingQueueTimer;
  /** Sockets per agent on this node, the heartbeat and auto-away (services/availability.ts). */
  availability: Availability;
  /** Each workspace's places in the request handlers (http/fair-share.ts). */
  requestSlots: KeyedSlots;
  /** This node's counters and gauges for `GET /metrics` (metrics.ts). */
  metrics: Metrics;
  /** The requests a stopping node still answers before it closes (http/drain.ts). */
  drain: RequestDrain;
  config: ServerConfig;
  /**
   * Only on the copy of `Deps` that a request holding an `Idempotency-Key` runs with (set by
   * http/idempotency.ts): its command's unit of work stores the response here. Never on the
   * process's own `Deps`, so background work cannot take it.
   */
  reply?: IdempotentReply;
}
