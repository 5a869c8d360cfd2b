import { DeletePushSubscriptionBody, PushSubscriptionBody, routes } from '@baton/protocol';
import { Hono } from 'hono';
import { requireAgent } from '../../auth/principal.js';
import { deletePushSubscription, savePushSubscription } from '../../notify/push.js';
import { vapidKeys } from '../../notify/vapid.js';
import type { AppEnv } from '../env.js';
import { jsonBody } from '../parse.js';
import { reply } from '../reply.js';

/** Web Push: the VAPID public key browsers subscribe with, and the caller's subscriptions. */
export const pushRoutes = new Hono<AppEnv>()
  .get('/push/public-key', async (c) => {
    requireAgent(c.get('principal'), routes.pushPublicKey.callers);
    return c.json({ publicKey: (await vapidKeys(c.get('deps'))).publicKey }, 200);
  })
  .post('/push-subscriptions', async (c) => {
    const p = requireAgent(c.get('principal'), routes.createPushSubscription.callers);
    const body = await jsonBody(c, PushSubscriptionBody);
    return reply(c, 'createPushSubscription', () => savePushSubscription(c.get('deps'), p.workspaceId, p.agentId, body), (subscription) => ({ subscription }));
  })
  .delete('/push-subscriptions', async (c) => {
    const p = requireAgent(c.get('principal'), routes.deletePushSubscription.callers);
    const body = await jsonBody(c, DeletePushSubscriptionBody);
    return reply(c, 'deletePushSubscription', () => deletePushSubscription(c.get('deps'), p.workspaceId, p.agentId, body.endpoint), (deleted) => ({ deleted }));
  });
