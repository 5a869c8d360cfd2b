import { CreateTeamBody, routes, UpdateTeamBody } from '@baton/protocol';
import { Hono } from 'hono';
import { requireWorkspace } from '../../auth/principal.js';
import { createTeam, listTeams, updateTeam } from '../../services/teams.js';
import type { AppEnv } from '../env.js';
import { jsonBody } from '../parse.js';
import { reply } from '../reply.js';

export const teamRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.listTeams.callers);
    return c.json({ items: await listTeams(c.get('deps'), p) }, 200);
  })
  .post('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createTeam.callers);
    const body = await jsonBody(c, CreateTeamBody);
    return reply(c, 'createTeam', () => createTeam(c.get('deps'), p, body), (team) => ({ team }));
  })
  .patch('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.updateTeam.callers);
    const body = await jsonBody(c, UpdateTeamBody);
    return reply(c, 'updateTeam', () => updateTeam(c.get('deps'), p, c.req.param('id'), body), (team) => ({ team }));
  });
