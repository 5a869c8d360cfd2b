import { accessLogToStdout } from './http/observe.js';
import { handshakesPerWorkspace } from './realtime/handshake-budget.js';
import type { ServerOptions } from './server.js';
import type { SqliteSynchronous } from './storage/db.js';

/**
 * The server's settings that come from the environment (the README's table), read in one place so
 * `baton serve` and the demo's `pnpm start` honour the same variables: the demo once read only a
 * few, and `SMTP_URL` set for it sent no email. A bad value is an error naming the variable; an
 * unset or empty one leaves the server's default.
 */
export function serverOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ServerOptions> {
  const positiveInt = <T>(name: string, wrap: (n: number) => T): T | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
    return wrap(n);
  };
  const onOff = (name: string): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
    if (raw === '1' || raw === 'true') return true;
    throw new Error(`${name} must be 1 or 0 (true or false), got ${raw}`);
  };
  return {
    postgresTimeoutMs: positiveInt('BATON_POSTGRES_TIMEOUT_MS', (n) => n),
    postgresPoolSize: positiveInt('BATON_POSTGRES_POOL_SIZE', (n) => n),
    privateDestinations: env.BATON_PRIVATE_DESTINATIONS || undefined,
    limits: {
      ...positiveInt('BATON_MAX_WEBHOOKS_PER_WORKSPACE', (n) => ({ webhooksPerWorkspace: n })),
      ...positiveInt('BATON_MAX_PUSH_SUBSCRIPTIONS_PER_AGENT', (n) => ({ pushSubscriptionsPerAgent: n })),
      ...positiveInt('BATON_MAX_REQUESTS_IN_FLIGHT_PER_WORKSPACE', (n) => ({ requestsInFlightPerWorkspace: n })),
    },
    handshakes: { perWorkspace: positiveInt('BATON_MAX_HANDSHAKES_PER_WORKSPACE', handshakesPerWorkspace) },
    adminToken: env.BATON_ADMIN_TOKEN || undefined,
    metricsToken: env.BATON_METRICS_TOKEN || undefined,
    sqliteSynchronous: sqliteSynchronous(env.BATON_SQLITE_SYNCHRONOUS),
    accessLog: onOff('BATON_ACCESS_LOG') ? accessLogToStdout : undefined,
    smtpUrl: smtpUrl(env.SMTP_URL),
    mailFrom: env.MAIL_FROM || undefined,
    publicUrl: env.BATON_PUBLIC_URL || undefined,
    runRetentionDays: positiveInt('BATON_RUN_RETENTION_DAYS', (n) => n),
    outboxRetentionDays: positiveInt('BATON_OUTBOX_RETENTION_DAYS', (n) => n),
    jobRetentionDays: positiveInt('BATON_JOB_RETENTION_DAYS', (n) => n),
    notificationRetentionDays: positiveInt('BATON_NOTIFICATION_RETENTION_DAYS', (n) => n),
  };
}

function sqliteSynchronous(raw: string | undefined): SqliteSynchronous | undefined {
  if (!raw) return undefined;
  const value = raw.toLowerCase();
  if (value !== 'full' && value !== 'normal') throw new Error(`BATON_SQLITE_SYNCHRONOUS must be full or normal, got ${raw}`);
  return value;
}

/** `SMTP_URL` checked at boot: a typo would otherwise show only as every email failing, hours later. */
function smtpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    // Reported below.
  }
  if (!url || !['smtp:', 'smtps:'].includes(url.protocol) || !url.hostname) {
    throw new Error('SMTP_URL must be an smtp:// or smtps:// URL (smtp://user:password@host:587), got something else');
  }
  return raw;
}

/**
 * The port to listen on: the flag, else `PORT`, else 3000. An empty `PORT` is unset, as every other
 * variable is (`Number('')` is 0, which would listen on any free port).
 */
export function listenPort(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const [from, text] = flag !== undefined ? ['--port', flag] : env.PORT ? ['PORT', env.PORT] : ['the default', '3000'];
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new Error(`${from} must be a port number (0 to 65535), got ${JSON.stringify(text)}`);
  return port;
}
