import { CreateWebhookBody, routes, WebhookDeliveriesQuery } from '@baton/protocol';
import { Hono } from 'hono';
import { requireWorkspace } from '../../auth/principal.js';
import { createWebhook, deliveriesOf, removeWebhook, webhooksOf } from '../../webhooks/service.js';
import type { AppEnv } from '../env.js';
import { emptyBody, jsonBody, query } from '../parse.js';
import { reply } from '../reply.js';

export const webhookRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.listWebhooks.callers);
    return c.json(await webhooksOf(c.get('deps'), p.workspaceId), 200);
  })
  .post('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createWebhook.callers);
    const body = await jsonBody(c, CreateWebhookBody);
    return reply(c, 'createWebhook', () => createWebhook(c.get('deps'), p.workspaceId, body), (created) => created);
  })
  .delete('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.deleteWebhook.callers);
    await emptyBody(c);
    return reply(c, 'deleteWebhook', () => removeWebhook(c.get('deps'), p.workspaceId, c.req.param('id')), (removed) => removed);
  })
  .get('/:id/deliveries', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.webhookDeliveries.callers);
    const q = query(c, WebhookDeliveriesQuery);
    return c.json(await deliveriesOf(c.get('deps'), p.workspaceId, c.req.param('id'), q), 200);
  });
