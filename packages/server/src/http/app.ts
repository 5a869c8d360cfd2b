import type { IncomingMessage } from 'node:http';
import { buildOpenApiDocument } from '@baton/protocol/openapi';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { authenticate, bearerToken } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { AppError, unauthorized } from '../errors.js';
import { whyUnavailable } from '../storage/unavailable.js';
import { bodyLimit, utf8Body } from './body.js';
import type { AppEnv } from './env.js';
import { idempotency } from './idempotency.js';
import { fairShare } from './fair-share.js';
import { observeRequests } from './observe.js';
import { refuseUnstorableUrl } from './parse.js';
import { agentRoutes } from './routes/agents.js';
import { contactRoutes } from './routes/contacts.js';
import { credentialRoutes } from './routes/credentials.js';
import { conversationRoutes } from './routes/conversations.js';
import { notificationRoutes } from './routes/notifications.js';
import { preferenceRoutes, workspaceSettingsRoutes } from './routes/preferences.js';
import { metricsRoutes } from './routes/metrics.js';
import { pushRoutes } from './routes/push.js';
import { searchRoutes } from './routes/search.js';
import { savedReplyRoutes } from './routes/saved-replies.js';
import { tagRoutes } from './routes/tags.js';
import { teamRoutes } from './routes/teams.js';
import { webhookRoutes } from './routes/webhooks.js';
import { workflowRoutes } from './routes/workflows.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { logFailure } from '../failure-log.js';

function errorResponse(c: Context, error: AppError) {
  return c.json(
    { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } },
    error.status,
  );
}

/**
 * The client closed the connection before its whole request arrived (an upload cut off mid-body):
 * reading the body failed because of the client, so it is not a server error, and there is nobody
 * left to answer. Only on Node (`app.request()` has no connection to lose).
 */
function clientWentAway(c: Context): boolean {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming !== undefined && !incoming.complete && incoming.destroyed;
}

/**
 * The OpenAPI document as served, built on its first request and kept for the process. Building it
 * converts every schema of the contract to JSON Schema (~25 ms of CPU): paid at every start, it was
 * 5% of the server test suite's CPU, where hundreds of servers start and few ask for it.
 */
const openApiTexts = new Map<string, string>();
function openApiText(version: string): string {
  let text = openApiTexts.get(version);
  if (text === undefined) openApiTexts.set(version, (text = JSON.stringify(buildOpenApiDocument({ version }))));
  return text;
}

/** The REST API as a Hono app. Only the CLI (or a host) binds it to a port. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    if (err instanceof AppError) return errorResponse(c, err);
    const unavailable = whyUnavailable(err);
    if (unavailable !== null) {
      // One line every 30 s, not one per request: while the database is away every request says the same.
      logFailure(`${c.req.method} ${c.req.path}`, err);
      c.header('Retry-After', '1');
      return errorResponse(c, new AppError(503, 'unavailable', unavailable));
    }
    // Logged like any other 4xx, i.e. not: a stack per dropped upload tells an operator nothing.
    if (clientWentAway(c)) return errorResponse(c, new AppError(400, 'bad_request', 'the connection closed before the request body arrived'));
    if (err instanceof HTTPException) {
      const code = err.status === 400 ? 'bad_request' : err.status === 401 ? 'unauthorized' : err.status === 413 ? 'payload_too_large' : 'bad_request';
      return errorResponse(c, new AppError(err.status as 400, code, err.message || 'bad request'));
    }
    console.error(`[baton] unhandled error in ${c.req.method} ${c.req.path} (request ${c.get('requestId')})`, err);
    return errorResponse(c, new AppError(500, 'internal', 'internal error'));
  });
  app.notFound((c) => errorResponse(c, new AppError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`)));

  app.use('*', observeRequests({ metrics: deps.metrics, accessLog: deps.config.accessLog }));
  app.use('*', deps.drain.middleware);
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });

  // Bearer tokens, not cookies, authenticate every call, so any origin may call the REST API.
  const corsHeaders = cors({
    origin: (origin) => origin,
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-Request-Id'],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposeHeaders: ['Idempotent-Replayed', 'X-Request-Id'],
    maxAge: 600,
  });
  // Only browsers read CORS headers, and they send Origin with every cross-origin request, so calls
  // without one (host backends) skip the middleware: it writes to `c.res` before the handler runs,
  // which makes @hono/node-server rebuild every response as a full fetch Response with a web stream
  // (about 28 µs of CPU a request, as much as the rest of the HTTP layer). The one public, cacheable
  // document keeps its headers (and `Vary: Origin`) for everyone.
  app.use('/v1/*', (c, next) =>
    c.req.header('origin') !== undefined || c.req.path === '/v1/openapi.json' ? corsHeaders(c, next) : next(),
  );
  app.use('/v1/*', bodyLimit(deps.config.bodyLimitBytes));
  app.use('/v1/*', (c, next) => {
    refuseUnstorableUrl(c);
    return next();
  });

  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) {
      c.set('principal', null);
      return next();
    }
    const token = bearerToken(header);
    const principal = token ? await authenticate(deps.storage.db, deps.clock, deps.config.adminToken, token) : null;
    if (!principal) throw unauthorized('invalid, expired or unknown credential');
    c.set('principal', principal);
    return next();
  });
  // Decoded before the gate, which reads bodies before a request waits for its turn.
  app.use('/v1/*', utf8Body);
  app.use('/v1/*', fairShare(deps.requestSlots));
  app.use('/v1/*', idempotency);

  // 503 while the node may not write (a load balancer takes it out of rotation; serving-lock.ts),
  // and once it is stopping (http/drain.ts).
  app.get('/healthz', (c) => {
    const reason = deps.drain.isStopping ? 'stopping' : (deps.storage.unavailable?.() ?? null);
    if (reason === null) return c.json({ ok: true as const }, 200);
    c.header('Retry-After', '1');
    return c.json({ ok: false as const, reason }, 503);
  });
  app.route('/metrics', metricsRoutes);
  app.get('/v1/openapi.json', (c) => c.body(openApiText(deps.config.version), 200, { 'content-type': 'application/json' }));

  app.route('/v1', workspaceRoutes);
  app.route('/v1/agents', agentRoutes);
  app.route('/v1/teams', teamRoutes);
  app.route('/v1/contacts', contactRoutes);
  app.route('/v1/conversations', conversationRoutes);
  app.route('/v1/notifications', notificationRoutes);
  app.route('/v1/search', searchRoutes);
  app.route('/v1/agents/me/preferences', preferenceRoutes);
  app.route('/v1/workspace', workspaceSettingsRoutes);
  app.route('/v1/workspace', credentialRoutes);
  app.route('/v1', pushRoutes);
  app.route('/v1/webhooks', webhookRoutes);
  app.route('/v1/saved-replies', savedReplyRoutes);
  app.route('/v1/tags', tagRoutes);
  app.route('/v1/workflows', workflowRoutes);
  return app;
}

export type BatonApp = ReturnType<typeof createApp>;
