import type { CreateWorkspaceBody, ListWorkspacesQuery } from '@baton/protocol';
import type { WorkspacePrincipal } from '../auth/principal.js';
import { MAX_TOKEN_TTL_SECONDS, signAgentToken } from '../auth/tokens.js';
import type { Deps } from '../deps.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { newId, randomSecret } from '../ids.js';
import { findAgent, findAgentByExternalId } from '../storage/agents.js';
import { toWorkspace } from '../storage/mappers.js';
import { findWorkspace, insertWorkspace, listWorkspaceRows, newestSigningKey, originsOf } from '../storage/workspaces.js';
import { createApiKey } from './credentials.js';
import { runCommand } from './change-runner.js';

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A new tenant with its API key and first signing key; the secrets are shown this once. */
export async function createWorkspace(deps: Deps, body: CreateWorkspaceBody) {
  const timeZone = body.timeZone ?? 'UTC';
  if (!validTimeZone(timeZone)) throw badRequest(`unknown time zone ${timeZone}`, [{ path: ['timeZone'], message: 'not an IANA time zone' }]);
  const now = deps.clock.now();
  const row = {
    id: newId('ws', now),
    name: body.name,
    time_zone: timeZone,
    allowed_origins: JSON.stringify(originsOf(body.allowedOrigins ?? [])),
    seq: 0,
    last_activity_at: now,
    created_at: now,
    link_template: null,
    notification_snippets: 0,
  };
  const apiKey = { id: newId('key', now), key: `bk_${randomSecret(24)}` };
  const signingKey = { kid: newId('kid', now), workspace_id: row.id, secret: randomSecret(32), created_at: now, retired_at: null };
  return runCommand(deps, async (trx) => {
    await insertWorkspace(trx, row, apiKey, signingKey);
    return {
      workspace: toWorkspace(row),
      apiKey: apiKey.key,
      signingKeys: [{ kid: signingKey.kid, secret: signingKey.secret }],
    };
  });
}

/** The server admin's page of every workspace, in id order (ids begin with their creation time). */
export async function listWorkspaces(deps: Deps, query: ListWorkspacesQuery) {
  const rows = await listWorkspaceRows(deps.storage.db, query.cursor ?? null, query.limit + 1);
  const page = rows.slice(0, query.limit);
  return { items: page.map(toWorkspace), nextCursor: rows.length > query.limit ? page.at(-1)!.id : null };
}

/**
 * A new API key for a workspace, made by the server admin for a tenant that lost every key of its
 * own (nothing else can mint one: keys make keys). Logged, since it hands out a tenant's access.
 */
export async function createWorkspaceApiKey(deps: Deps, workspaceId: string) {
  if (!(await findWorkspace(deps.storage.db, workspaceId))) throw notFound('workspace');
  const created = await createApiKey(deps, workspaceId);
  console.log(`[baton] the server admin made API key ${created.apiKey.id} for workspace ${workspaceId}`);
  return created;
}

export async function getWorkspace(deps: Deps, p: WorkspacePrincipal) {
  const row = await findWorkspace(deps.storage.db, p.workspaceId);
  if (!row) throw notFound('workspace');
  return toWorkspace(row);
}

/**
 * Signs a token for an agent with the workspace's newest signing key. `mintedBy` is the API key of
 * the request: the token names it, so revoking that key ends the token (and the sockets it opened).
 */
/** Whom a token is for: Baton's agent id, or the host's own id for the agent (`Agent.externalId`). */
export type AgentRef = { agentId: string } | { externalId: string };

export async function mintAgentToken(deps: Deps, workspaceId: string, who: AgentRef, ttlSeconds = MAX_TOKEN_TTL_SECONDS, mintedBy?: string) {
  const db = deps.storage.db;
  const agent = 'agentId' in who ? await findAgent(db, workspaceId, who.agentId) : await findAgentByExternalId(db, workspaceId, who.externalId);
  if (!agent) {
    const [field, value] = 'agentId' in who ? ['agentId', who.agentId] : ['externalId', who.externalId];
    throw badRequest(`no agent with ${field} ${value} in this workspace`, [{ path: [field], message: 'unknown agent' }]);
  }
  const agentId = agent.id;
  if (Number(agent.active) !== 1) throw conflict(`agent ${agentId} is deactivated: reactivate them (PATCH /v1/agents/:id { active: true }) first`, { agentId, active: false });
  const key = await newestSigningKey(db, workspaceId);
  if (!key) throw notFound('signing key');
  const claims = { agentId, workspaceId, role: agent.role, ...(mintedBy ? { apiKeyId: mintedBy } : {}) };
  const { token, exp } = await signAgentToken(key, claims, deps.clock.now(), ttlSeconds);
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}
