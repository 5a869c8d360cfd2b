import { CreateTokenBody, CreateWorkspaceBody, ListWorkspacesQuery, routes } from '@baton/protocol';
import { Hono } from 'hono';
import { requireCaller, requireWorkspace } from '../../auth/principal.js';
import { AppError } from '../../errors.js';
import { createWorkspace, createWorkspaceApiKey, getWorkspace, listWorkspaces, mintAgentToken } from '../../services/workspaces.js';
import type { AppEnv } from '../env.js';
import { emptyBody, jsonBody, query } from '../parse.js';
import { reply } from '../reply.js';

export const workspaceRoutes = new Hono<AppEnv>()
  .post('/workspaces', async (c) => {
    if (!c.get('deps').config.adminToken) throw new AppError(403, 'forbidden', 'workspace creation is disabled: set BATON_ADMIN_TOKEN');
    requireCaller(c.get('principal'), routes.createWorkspace.callers);
    const body = await jsonBody(c, CreateWorkspaceBody);
    return reply(c, 'createWorkspace', () => createWorkspace(c.get('deps'), body), (created) => created);
  })
  .get('/workspaces', async (c) => {
    requireCaller(c.get('principal'), routes.listWorkspaces.callers);
    return c.json(await listWorkspaces(c.get('deps'), query(c, ListWorkspacesQuery)), 200);
  })
  .post('/workspaces/:id/api-keys', async (c) => {
    requireCaller(c.get('principal'), routes.createWorkspaceApiKey.callers);
    await emptyBody(c);
    const id = c.req.param('id');
    return reply(c, 'createWorkspaceApiKey', () => createWorkspaceApiKey(c.get('deps'), id), (created) => created);
  })
  .get('/workspace', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.getWorkspace.callers);
    return c.json({ workspace: await getWorkspace(c.get('deps'), p) }, 200);
  })
  .post('/tokens', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createToken.callers);
    const body = await jsonBody(c, CreateTokenBody);
    const minter = p.kind === 'apiKey' ? p.keyId : undefined;
    // The body's refinement lets exactly one of the two through.
    const who = body.agentId !== undefined ? { agentId: body.agentId } : { externalId: body.externalId! };
    return reply(c, 'createToken', () => mintAgentToken(c.get('deps'), p.workspaceId, who, body.ttlSeconds, minter), (minted) => minted);
  });
