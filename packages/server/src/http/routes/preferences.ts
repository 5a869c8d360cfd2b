import { routes, UpdatePreferencesBody, UpdateWorkspaceBody } from '@baton/protocol';
import { Hono } from 'hono';
import { requireAgent, requireWorkspace } from '../../auth/principal.js';
import { getPreferences, updatePreferences } from '../../notify/preferences.js';
import { updateWorkspaceSettings } from '../../notify/settings.js';
import type { AppEnv } from '../env.js';
import { jsonBody } from '../parse.js';
import { reply } from '../reply.js';

/** `/v1/agents/me/preferences`: the calling agent's notification switches. */
export const preferenceRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const p = requireAgent(c.get('principal'), routes.getPreferences.callers);
    return c.json({ preferences: await getPreferences(c.get('deps'), p.workspaceId, p.agentId) }, 200);
  })
  .put('/', async (c) => {
    const p = requireAgent(c.get('principal'), routes.updatePreferences.callers);
    const body = await jsonBody(c, UpdatePreferencesBody);
    return reply(c, 'updatePreferences', () => updatePreferences(c.get('deps'), p.workspaceId, p.agentId, body), (preferences) => ({ preferences }));
  });

/** `PATCH /v1/workspace`: notification settings (link template, snippets). */
export const workspaceSettingsRoutes = new Hono<AppEnv>().patch('/', async (c) => {
  const p = requireWorkspace(c.get('principal'), routes.updateWorkspace.callers);
  const body = await jsonBody(c, UpdateWorkspaceBody);
  return reply(c, 'updateWorkspace', () => updateWorkspaceSettings(c.get('deps'), p, body), (workspace) => ({ workspace }));
});
