import { routes } from '@baton/protocol';
import { Hono } from 'hono';
import { requireWorkspace } from '../../auth/principal.js';
import { createApiKey, createSigningKey, listCredentials, retireSigningKey, revokeApiKey } from '../../services/credentials.js';
import type { AppEnv } from '../env.js';
import { emptyBody } from '../parse.js';

/** Mounted at /v1/workspace: the workspace's API keys and token signing keys. */
export const credentialRoutes = new Hono<AppEnv>()
  .get('/credentials', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.listCredentials.callers);
    return c.json(await listCredentials(c.get('deps'), p), 200);
  })
  .post('/api-keys', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createApiKey.callers);
    await emptyBody(c);
    return c.json(await createApiKey(c.get('deps'), p), 201);
  })
  .delete('/api-keys/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.revokeApiKey.callers);
    await emptyBody(c);
    return c.json(await revokeApiKey(c.get('deps'), p, c.req.param('id')), 200);
  })
  .post('/signing-keys', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createSigningKey.callers);
    await emptyBody(c);
    return c.json(await createSigningKey(c.get('deps'), p), 201);
  })
  .delete('/signing-keys/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.retireSigningKey.callers);
    await emptyBody(c);
    return c.json(await retireSigningKey(c.get('deps'), p, c.req.param('id')), 200);
  });
