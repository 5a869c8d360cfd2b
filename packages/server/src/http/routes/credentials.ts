import { routes } from '@baton/protocol';
import { Hono } from 'hono';
import { requireWorkspace } from '../../auth/principal.js';
import { createApiKey, createSigningKey, listCredentials, retireSigningKey, revokeApiKey } from '../../services/credentials.js';
import type { AppEnv } from '../env.js';
import { emptyBody } from '../parse.js';
import { reply } from '../reply.js';

/** Mounted at /v1/workspace: the workspace's API keys and token signing keys. */
export const credentialRoutes = new Hono<AppEnv>()
  .get('/credentials', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.listCredentials.callers);
    return c.json(await listCredentials(c.get('deps'), p), 200);
  })
  .post('/api-keys', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createApiKey.callers);
    await emptyBody(c);
    return reply(c, 'createApiKey', () => createApiKey(c.get('deps'), p.workspaceId), (created) => created);
  })
  .delete('/api-keys/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.revokeApiKey.callers);
    await emptyBody(c);
    return reply(c, 'revokeApiKey', () => revokeApiKey(c.get('deps'), p, c.req.param('id')), (revoked) => revoked);
  })
  .post('/signing-keys', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createSigningKey.callers);
    await emptyBody(c);
    return reply(c, 'createSigningKey', () => createSigningKey(c.get('deps'), p), (created) => created);
  })
  .delete('/signing-keys/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.retireSigningKey.callers);
    await emptyBody(c);
    return reply(c, 'retireSigningKey', () => retireSigningKey(c.get('deps'), p, c.req.param('id')), (retired) => retired);
  });
