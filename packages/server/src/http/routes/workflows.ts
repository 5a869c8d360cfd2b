import { routes, TestWorkflowBody, ValidateWorkflowBody, WorkflowRunsQuery } from '@baton/protocol';
import { Hono } from 'hono';
import { z } from 'zod';
import { requireWorkspace } from '../../auth/principal.js';
import {
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  listWorkflows,
  publishWorkflow,
  updateWorkflow,
  validateWorkflowBody,
  workflowRuns,
  workflowVersions,
} from '../../services/workflows.js';
import { testWorkflow } from '../../services/workflow-test.js';
import type { AppEnv } from '../env.js';
import { emptyBody, ifMatch, jsonBody, query } from '../parse.js';
import { reply } from '../reply.js';

// Workflow bodies are checked by the service, against the schema and the validator together.
const AnyJson = z.unknown();

export const workflowRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.listWorkflows.callers);
    return c.json({ items: await listWorkflows(c.get('deps'), p) }, 200);
  })
  .post('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createWorkflow.callers);
    const body = await jsonBody(c, AnyJson);
    return reply(c, 'createWorkflow', () => createWorkflow(c.get('deps'), p, body), (r) => r);
  })
  .post('/validate', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.validateWorkflow.callers);
    const body = await jsonBody(c, ValidateWorkflowBody);
    return reply(c, 'validateWorkflow', () => validateWorkflowBody(c.get('deps'), p, body), (r) => r);
  })
  .post('/test', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.testWorkflow.callers);
    const body = await jsonBody(c, TestWorkflowBody);
    return reply(c, 'testWorkflow', () => testWorkflow(c.get('deps'), p, body), (r) => r);
  })
  .get('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.getWorkflow.callers);
    return c.json({ workflow: await getWorkflow(c.get('deps'), p, c.req.param('id')) }, 200);
  })
  .put('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.updateWorkflow.callers);
    const expected = ifMatch(c);
    const body = await jsonBody(c, AnyJson);
    return reply(c, 'updateWorkflow', () => updateWorkflow(c.get('deps'), p, c.req.param('id'), body, expected), (r) => r);
  })
  .delete('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.deleteWorkflow.callers);
    await emptyBody(c);
    return reply(c, 'deleteWorkflow', () => deleteWorkflow(c.get('deps'), p, c.req.param('id')), () => ({ ok: true as const }));
  })
  .post('/:id/publish', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.publishWorkflow.callers);
    const expected = ifMatch(c);
    await emptyBody(c);
    return reply(c, 'publishWorkflow', () => publishWorkflow(c.get('deps'), p, c.req.param('id'), expected), (r) => r);
  })
  .get('/:id/versions', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.workflowVersions.callers);
    return c.json({ items: await workflowVersions(c.get('deps'), p, c.req.param('id')) }, 200);
  })
  .get('/:id/runs', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.listWorkflowRuns.callers);
    const q = query(c, WorkflowRunsQuery);
    return c.json(await workflowRuns(c.get('deps'), p, c.req.param('id'), q), 200);
  });
