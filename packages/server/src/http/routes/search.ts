import { routes, SearchQuery } from '@baton/protocol';
import { Hono } from 'hono';
import { requireWorkspace } from '../../auth/principal.js';
import { search } from '../../services/search.js';
import type { AppEnv } from '../env.js';
import { query } from '../parse.js';

export const searchRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const p = requireWorkspace(c.get('principal'), routes.search.callers);
  return c.json(await search(c.get('deps'), p, query(c, SearchQuery)), 200);
});
