import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../metrics.js';
import type { AppEnv } from './env.js';

/** One answered request, as the access log writes it (one JSON line each). */
export interface AccessEntry {
  time: string;
  /** The request's id, also sent back as `X-Request-Id` and named in the log line of a 500. */
  requestId: string;
  method: string;
  /** The path without its query string: a search's `q` is a customer's words, not the operator's. */
  path: string;
  /** The route pattern that answered (`/v1/conversations/:id`), or `(none)` when no route did. */
  route: string;
  status: number;
  ms: number;
  /** The caller's workspace and kind of credential, when it had one. */
  workspaceId?: string;
  caller?: 'agent' | 'apiKey' | 'serverAdmin';
}

export interface ObserveOptions {
  metrics: Metrics;
  /** Writes each answered request; unset, nothing is logged (BATON_ACCESS_LOG turns it on). */
  accessLog?: (entry: AccessEntry) => void;
}

/**
 * A caller's own request id is kept when it is a plain token (a proxy's or the host's, so one id
 * follows the request through every log); anything else, or none, gets a fresh one. Bounded, so a
 * header cannot put arbitrary text in the operator's log.
 */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const UNMATCHED = '(none)';

/**
 * The pattern of the handler that answered: the last matched route registered for a method, not
 * a middleware's (`app.use` registers those for every method). Labels by pattern keep a metric's
 * series one per route, not one per conversation id.
 */
function answeringRoute(c: Context<AppEnv>): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== 'ALL') return routes[i]!.path;
  return UNMATCHED;
}

/**
 * Gives every request an id, and once it is answered counts it and times it (metrics.ts) and,
 * when asked, writes its access-log line. Outermost, so a request refused by a later middleware
 * (401, 413, a 503 while the database is away) is counted as well.
 */
export function observeRequests({ metrics, accessLog }: ObserveOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const requestId = given !== undefined && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    // Prepared before the handler builds its response, so the response is built with it once.
    c.header('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = answeringRoute(c);
      // A thrown error has been answered by `onError` by now (Hono's compose), so there is a response.
      const status = c.res.status;
      const method = c.req.method;
      metrics.httpRequests.inc({ method, route, status });
      metrics.httpSeconds.observe({ method, route }, seconds);
      if (accessLog) {
        const principal = c.get('principal');
        accessLog({
          time: new Date().toISOString(),
          requestId,
          method,
          path: c.req.path,
          route,
          status,
          ms: Math.round(seconds * 10_000) / 10,
          ...(principal ? { caller: principal.kind, ...('workspaceId' in principal ? { workspaceId: principal.workspaceId } : {}) } : {}),
        });
      }
    }
  };
}

/** The access log as JSON lines on standard output, where a supervisor or container runtime collects it. */
export const accessLogToStdout = (entry: AccessEntry): void => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};
