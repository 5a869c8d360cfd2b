import { Hono } from 'hono';
import { bearerToken, sameSecret } from '../../auth/principal.js';
import { AppError, unauthorized } from '../../errors.js';
import { scrape } from '../../metrics.js';
import type { AppEnv } from '../env.js';

/**
 * `GET /metrics`: this node's figures in Prometheus's text format, for a scraper holding
 * `BATON_METRICS_TOKEN` (Prometheus's `authorization: { credentials: … }`). A token of its own,
 * not the admin token: a scrape config is read by more people than should be able to create
 * workspaces. Without one set, the endpoint is off (404), so nothing is exposed by default.
 */
export const metricsRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const deps = c.get('deps');
  const token = deps.config.metricsToken;
  if (token === undefined) throw new AppError(404, 'not_found', 'metrics are off on this server: set BATON_METRICS_TOKEN to turn them on');
  const presented = bearerToken(c.req.header('authorization') ?? '');
  if (presented === null || !sameSecret(presented, token)) throw unauthorized('GET /metrics takes the metrics token (BATON_METRICS_TOKEN) as a bearer token');
  const { text, contentType } = await scrape(deps.metrics);
  return c.body(text, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
});
