import { AssignBody, BulkBody, SnoozeBody, UpdateConversationBody, CreateConversationBody, ListConversationsQuery, PostMessageBody, PostNoteBody, routes, TimelineQuery, TranscriptQuery, type MessageItem } from '@baton/protocol';
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
  updateConversationFields,
  viewCounts,
} from '../../services/conversations.js';
import { bulk } from '../../services/bulk.js';
import { snooze } from '../../services/snooze.js';
import { transcript } from '../../services/transcript.js';
import { conversationRouting } from '../../services/workflows.js';
import type { AppEnv } from '../env.js';
import { emptyBody, ifMatch, jsonBody, query } from '../parse.js';
import { reply } from '../reply.js';

export const conversationRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createConversation.callers);
    const body = await jsonBody(c, CreateConversationBody);
    return reply(c, 'createConversation', () => createConversation(c.get('deps'), p, body), (conversation) => ({ conversation }));
  })
  .get('/', async (c) => {
    const p = requireAgent(c.get('principal'), routes.listConversations.callers);
    const q = query(c, ListConversationsQuery);
    const filters = { channel: q.channel, teamId: q.teamId, tag: q.tag, priority: q.priority };
    return c.json(await listConversations(c.get('deps'), p, q.view, q.limit, q.cursor, { filters, sort: q.sort }), 200);
  })
  .get('/counts', async (c) => {
    const p = requireAgent(c.get('principal'), routes.counts.callers);
    return c.json(await viewCounts(c.get('deps'), p.workspaceId, p.agentId), 200);
  })
  .post('/bulk', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.bulk.callers);
    const body = await jsonBody(c, BulkBody);
    return reply(c, 'bulk', () => bulk(c.get('deps'), p, body), (results) => ({ results }));
  })
  .get('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.getConversation.callers);
    return c.json({ conversation: await getConversation(c.get('deps'), p, c.req.param('id')) }, 200);
  })
  .patch('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.updateConversation.callers);
    const body = await jsonBody(c, UpdateConversationBody);
    const expected = ifMatch(c);
    return reply(c, 'updateConversation', () => updateConversationFields(c.get('deps'), p, c.req.param('id'), body, expected), (conversation) => ({ conversation }));
  })
  .get('/:id/timeline', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.timeline.callers);
    const q = query(c, TimelineQuery);
    return c.json(await timeline(c.get('deps'), p, c.req.param('id'), q.after, q.limit), 200);
  })
  .get('/:id/routing', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.conversationRouting.callers);
    return c.json(await conversationRouting(c.get('deps'), p, c.req.param('id')), 200);
  })
  .get('/:id/transcript', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.transcript.callers);
    const q = query(c, TranscriptQuery);
    return c.json(await transcript(c.get('deps'), p, c.req.param('id'), q.after, q.limit), 200);
  })
  .post('/:id/messages', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.postMessage.callers);
    const body = await jsonBody(c, PostMessageBody);
    // The service types what Change.append returns, any timeline item; a message is what it appended.
    return reply(c, 'postMessage', () => postMessage(c.get('deps'), p, c.req.param('id'), body), ({ message, conversation }) => ({ message: message as MessageItem, conversation }));
  })
  .post('/:id/notes', async (c) => {
    const p = requireAgent(c.get('principal'), routes.postNote.callers);
    const body = await jsonBody(c, PostNoteBody);
    return reply(c, 'postNote', () => postNote(c.get('deps'), p, c.req.param('id'), body.body), (posted) => posted);
  })
  .post('/:id/assign', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.assign.callers);
    const body = await jsonBody(c, AssignBody);
    const expected = ifMatch(c);
    return reply(c, 'assign', () => assign(c.get('deps'), p, c.req.param('id'), body, expected), (conversation) => ({ conversation }));
  })
  .post('/:id/snooze', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.snooze.callers);
    const body = await jsonBody(c, SnoozeBody);
    const expected = ifMatch(c);
    return reply(c, 'snooze', () => snooze(c.get('deps'), p, c.req.param('id'), body.until, expected), (conversation) => ({ conversation }));
  })
  .post('/:id/resolve', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.resolve.callers);
    await emptyBody(c);
    const expected = ifMatch(c);
    return reply(c, 'resolve', () => setStatus(c.get('deps'), p, c.req.param('id'), 'resolved', expected), (conversation) => ({ conversation }));
  })
  .post('/:id/reopen', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.reopen.callers);
    await emptyBody(c);
    const expected = ifMatch(c);
    return reply(c, 'reopen', () => setStatus(c.get('deps'), p, c.req.param('id'), 'open', expected), (conversation) => ({ conversation }));
  })
  .post('/:id/read', async (c) => {
    const p = requireAgent(c.get('principal'), routes.markRead.callers);
    await emptyBody(c);
    return reply(c, 'markRead', () => markConversationRead(c.get('deps'), p, c.req.param('id')), (read) => read);
  });
