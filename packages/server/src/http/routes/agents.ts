import { CreateAgentBody, ListAgentsQuery, routes, UpdateAgentBody } from '@baton/protocol';
import { Hono } from 'hono';
import { requireAgent, requireWorkspace } from '../../auth/principal.js';
import { createAgent, getAgent, listAgents, updateAgent } from '../../services/agents.js';
import type { AppEnv } from '../env.js';
import { jsonBody, query } from '../parse.js';
import { reply } from '../reply.js';

export const agentRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.listAgents.callers);
    return c.json({ items: await listAgents(c.get('deps'), p, query(c, ListAgentsQuery)) }, 200);
  })
  .get('/me', async (c) => {
    const p = requireAgent(c.get('principal'), routes.me.callers);
    return c.json({ agent: await getAgent(c.get('deps'), p.workspaceId, p.agentId) }, 200);
  })
  .post('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createAgent.callers);
    const body = await jsonBody(c, CreateAgentBody);
    return reply(c, 'createAgent', () => createAgent(c.get('deps'), p, body), (agent) => ({ agent }));
  })
  .patch('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.updateAgent.callers);
    const body = await jsonBody(c, UpdateAgentBody);
    return reply(c, 'updateAgent', () => updateAgent(c.get('deps'), p, c.req.param('id'), body), (agent) => ({ agent }));
  });
