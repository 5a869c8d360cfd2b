import { CreateSavedReplyBody, routes, SavedRepliesQuery, UpdateSavedReplyBody } from '@baton/protocol';
import { Hono } from 'hono';
import { requireWorkspace } from '../../auth/principal.js';
import { createReply, deleteReply, listReplies, updateReply } from '../../services/saved-replies.js';
import type { AppEnv } from '../env.js';
import { emptyBody, jsonBody, query } from '../parse.js';
import { reply } from '../reply.js';

export const savedReplyRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.listSavedReplies.callers);
    const q = query(c, SavedRepliesQuery);
    return c.json({ items: await listReplies(c.get('deps'), p, q.conversationId) }, 200);
  })
  .post('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createSavedReply.callers);
    const body = await jsonBody(c, CreateSavedReplyBody);
    return reply(c, 'createSavedReply', () => createReply(c.get('deps'), p, body), (savedReply) => ({ savedReply }));
  })
  .patch('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.updateSavedReply.callers);
    const body = await jsonBody(c, UpdateSavedReplyBody);
    return reply(c, 'updateSavedReply', () => updateReply(c.get('deps'), p, c.req.param('id'), body), (savedReply) => ({ savedReply }));
  })
  .delete('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.deleteSavedReply.callers);
    await emptyBody(c);
    return reply(c, 'deleteSavedReply', () => deleteReply(c.get('deps'), p, c.req.param('id')), (ok) => ok);
  });
