import { MarkNotificationsReadBody, NotificationsQuery, routes } from '@baton/protocol';
import { Hono } from 'hono';
import { requireAgent } from '../../auth/principal.js';
import { listNotifications, readNotifications } from '../../services/notifications.js';
import type { AppEnv } from '../env.js';
import { jsonBody, query } from '../parse.js';
import { reply } from '../reply.js';

export const notificationRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const p = requireAgent(c.get('principal'), routes.listNotifications.callers);
    const q = query(c, NotificationsQuery);
    return c.json(await listNotifications(c.get('deps'), p.workspaceId, p.agentId, q.limit, q.unreadOnly === 'true'), 200);
  })
  .post('/read', async (c) => {
    const p = requireAgent(c.get('principal'), routes.markNotificationsRead.callers);
    const body = await jsonBody(c, MarkNotificationsReadBody);
    return reply(c, 'markNotificationsRead', () => readNotifications(c.get('deps'), p.workspaceId, p.agentId, body.all ? 'all' : body.ids!), (read) => read);
  });
