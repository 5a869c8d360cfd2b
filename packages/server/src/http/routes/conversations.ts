import { AssignBody, CreateConversationBody, ListConversationsQuery, PostMessageBody, PostNoteBody, routes, TimelineQuery, TranscriptQuery } from '@baton/protocol';
import { Hono } from 'hono';
import { requireAgent, requireWorkspace } from '../../auth/principal.js';
import {
  assign,
  createConversation,
  getConversation,
  listConversations,
  markConversationRead,
  postMessage,
  postNote,
  setStatus,
  timeline,
  viewCounts,
} from '../../services/conversations.js';
import { transcript } from '../../services/transcript.js';
import type { AppEnv } from '../env.js';
import { emptyBody, ifMatch, jsonBody, query } from '../parse.js';

export const conversationRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createConversation.callers);
    const body = await jsonBody(c, CreateConversationBody);
    return c.json({ conversation: await createConversation(c.get('deps'), p, body) }, 201);
  })
  .get('/', async (c) => {
    const p = requireAgent(c.get('principal'), routes.listConversations.callers);
    const q = query(c, ListConversationsQuery);
    return c.json(await listConversations(c.get('deps'), p, q.view, q.limit, q.cursor), 200);
  })
  .get('/counts', async (c) => {
    const p = requireAgent(c.get('principal'), routes.counts.callers);
    return c.json(await viewCounts(c.get('deps'), p.workspaceId, p.agentId), 200);
  })
  .get('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.getConversation.callers);
    return c.json({ conversation: await getConversation(c.get('deps'), p, c.req.param('id')) }, 200);
  })
  .get('/:id/timeline', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.timeline.callers);
    const q = query(c, TimelineQuery);
    return c.json(await timeline(c.get('deps'), p, c.req.param('id'), q.after, q.limit), 200);
  })
  .get('/:id/transcript', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.transcript.callers);
    const q = query(c, TranscriptQuery);
    return c.json(await transcript(c.get('deps'), p, c.req.param('id'), q.after, q.limit), 200);
  })
  .post('/:id/messages', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.postMessage.callers);
    const body = await jsonBody(c, PostMessageBody);
    return c.json(await postMessage(c.get('deps'), p, c.req.param('id'), body), 201);
  })
  .post('/:id/notes', async (c) => {
    const p = requireAgent(c.get('principal'), routes.postNote.callers);
    const body = await jsonBody(c, PostNoteBody);
    return c.json(await postNote(c.get('deps'), p, c.req.param('id'), body.body), 201);
  })
  .post('/:id/assign', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.assign.callers);
    const body = await jsonBody(c, AssignBody);
    return c.json({ conversation: await assign(c.get('deps'), p, c.req.param('id'), body, ifMatch(c)) }, 200);
  })
  .post('/:id/resolve', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.resolve.callers);
    await emptyBody(c);
    return c.json({ conversation: await setStatus(c.get('deps'), p, c.req.param('id'), 'resolved', ifMatch(c)) }, 200);
  })
  .post('/:id/reopen', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.reopen.callers);
    await emptyBody(c);
    return c.json({ conversation: await setStatus(c.get('deps'), p, c.req.param('id'), 'open', ifMatch(c)) }, 200);
  })
  .post('/:id/read', async (c) => {
    const p = requireAgent(c.get('principal'), routes.markRead.callers);
    await emptyBody(c);
    return c.json(await markConversationRead(c.get('deps'), p, c.req.param('id')), 200);
  });
