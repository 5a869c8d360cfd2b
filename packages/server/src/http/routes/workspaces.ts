import { CreateTokenBody, CreateWorkspaceBody, routes } from '@baton/protocol';
import { Hono } from 'hono';
import { requireCaller, requireWorkspace } from '../../auth/principal.js';
import { AppError } from '../../errors.js';
import { createWorkspace, getWorkspace, mintAgentToken } from '../../services/workspaces.js';
import type { AppEnv } from '../env.js';
import { jsonBody } from '../parse.js';

export const workspaceRoutes = new Hono<AppEnv>()
  .post('/workspaces', async (c) => {
    if (!c.var.deps.config.adminToken) throw new AppError(403, 'forbidden', 'workspace creation is disabled: set BATON_ADMIN_TOKEN');
    requireCaller(c.var.principal, routes.createWorkspace.callers);
    const body = await jsonBody(c, CreateWorkspaceBody);
    return c.json(await createWorkspace(c.var.deps, body), 201);
  })
  .get('/workspace', async (c) => {
    const p = requireWorkspace(c.var.principal, routes.getWorkspace.callers);
    return c.json({ workspace: await getWorkspace(c.var.deps, p) }, 200);
  })
  .post('/tokens', async (c) => {
    const p = requireWorkspace(c.var.principal, routes.createToken.callers);
    const body = await jsonBody(c, CreateTokenBody);
    return c.json(await mintAgentToken(c.var.deps, p.workspaceId, body.agentId, body.ttlSeconds, p.kind === 'apiKey' ? p.keyId : undefined), 201);
  });
