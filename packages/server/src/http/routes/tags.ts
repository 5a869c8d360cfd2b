import { routes, TagsQuery } from '@baton/protocol';
import { Hono } from 'hono';
import { requireWorkspace } from '../../auth/principal.js';
import { listTags } from '../../services/tags.js';
import type { AppEnv } from '../env.js';
import { query } from '../parse.js';

export const tagRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const p = requireWorkspace(c.get('principal'), routes.listTags.callers);
  return c.json(await listTags(c.get('deps'), p, query(c, TagsQuery)), 200);
});
