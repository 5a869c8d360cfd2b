import type { CreateAgentBody, ListAgentsQuery, UpdateAgentBody } from '@baton/protocol';
import type { Kysely } from 'kysely';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { findAgent, findAgentByExternalId, insertAgent, listAgentRows, openAssignedCounts, updateAgentRow } from '../storage/agents.js';
import { toAgent } from '../storage/mappers.js';
import type { AgentRow, Database } from '../storage/schema.js';
import { runChange } from './change-runner.js';

export const DEFAULT_CAPACITY = 25;

export async function listAgents(deps: Deps, p: WorkspacePrincipal, q: ListAgentsQuery = {}) {
  const db = deps.storage.db;
  if (q.externalId !== undefined) {
    // The host's lookup of one agent: their own load, not a count over the whole workspace's.
    const row = await findAgentByExternalId(db, p.workspaceId, q.externalId);
    if (!row) return [];
    const load = await openAssignedCounts(db, p.workspaceId, row.id);
    return [{ ...toAgent(row), openAssigned: load.get(row.id) ?? 0 }];
  }
  const [rows, load] = await Promise.all([listAgentRows(db, p.workspaceId), openAssignedCounts(db, p.workspaceId)]);
  return rows.map((r) => ({ ...toAgent(r), openAssigned: load.get(r.id) ?? 0 }));
}

/** 409 when another agent of the workspace already goes by `externalId` (the index would refuse it too, less clearly). */
async function assertExternalIdFree(db: Kysely<Database>, workspaceId: string, externalId: string, self?: string) {
  const holder = await findAgentByExternalId(db, workspaceId, externalId);
  if (holder && holder.id !== self) throw conflict(`an agent with externalId ${externalId} exists`, { agentId: holder.id });
}

export async function getAgent(deps: Deps, workspaceId: string, id: string) {
  const row = await findAgent(deps.storage.db, workspaceId, id);
  if (!row) throw notFound('agent');
  return toAgent(row);
}

export async function createAgent(deps: Deps, p: WorkspacePrincipal, body: CreateAgentBody) {
  return runChange(deps, p.workspaceId, async (change) => {
    await change.lock();
    const taken = await change.trx
      .selectFrom('agents')
      .select('id')
      .where('workspace_id', '=', p.workspaceId)
      .where('username_lower', '=', body.username.toLowerCase())
      .executeTakeFirst();
    if (taken) throw conflict(`username ${body.username} is taken in this workspace`);
    if (body.externalId !== undefined) await assertExternalIdFree(change.trx, p.workspaceId, body.externalId);
    const row: AgentRow = {
      id: newId('agt', change.now),
      workspace_id: p.workspaceId,
      name: body.name,
      username: body.username,
      username_lower: body.username.toLowerCase(),
      email: body.email ?? null,
      external_id: body.externalId ?? null,
      role: body.role ?? 'agent',
      skills: JSON.stringify([...new Set((body.skills ?? []).map((s) => s.toLowerCase()))]),
      capacity: body.capacity ?? DEFAULT_CAPACITY,
      availability: body.availability ?? 'offline',
      last_assigned_at: null,
      active: 1,
      tokens_revoked_at: null,
      created_at: change.now,
    };
    await insertAgent(change.trx, row);
    const agent = toAgent(row);
    await change.publish('agent.created', { data: { agent } });
    return agent;
  });
}

export async function updateAgent(deps: Deps, p: WorkspacePrincipal, id: string, body: UpdateAgentBody) {
  // Agents manage their own availability; everything else is for admins and the host backend.
  const isAdmin = p.kind === 'apiKey' || p.role === 'admin';
  if (!isAdmin) {
    const onlyAvailability = Object.keys(body).every((k) => k === 'availability');
    if (p.agentId !== id || !onlyAvailability) throw forbidden('agents may only change their own availability');
  }
  // An admin who deactivated themselves would be locked out mid-request with nobody told why.
  if (body.active !== undefined && p.kind === 'agent' && p.agentId === id) throw forbidden('agents may not deactivate or reactivate themselves');
  return runChange(deps, p.workspaceId, async (change) => {
    await change.lock();
    const existing = await findAgent(change.trx, p.workspaceId, id);
    if (!existing) throw notFound('agent');
    const patch: Partial<AgentRow> & { auto_away?: number } = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.email !== undefined) patch.email = body.email;
    if (body.externalId) await assertExternalIdFree(change.trx, p.workspaceId, body.externalId, id);
    if (body.externalId !== undefined) patch.external_id = body.externalId;
    if (body.role !== undefined) patch.role = body.role;
    if (body.skills !== undefined) patch.skills = JSON.stringify([...new Set(body.skills.map((s) => s.toLowerCase()))]);
    if (body.capacity !== undefined) patch.capacity = body.capacity;
    // Whoever sets it chose it: a reconnect no longer brings the agent back from an auto-away.
    if (body.availability !== undefined) Object.assign(patch, { availability: body.availability, auto_away: 0 });
    // Deactivating ends the agent's sessions: the socket fan-out closes their sockets when it sees
    // this change (realtime/sessions.ts), and auth refuses their tokens from the commit on.
    if (body.active !== undefined && (body.active ? 1 : 0) !== Number(existing.active)) {
      patch.active = body.active ? 1 : 0;
      // Reactivating must not bring back the tokens that were live at deactivation.
      if (!body.active) patch.tokens_revoked_at = change.now;
      // Without sign-in or sockets they are not online, whatever they last said: the listing says
      // so, and the away policy (services/availability.ts) sees them stop being online as it sees
      // an agent going away. Reactivated, they stay offline until they say otherwise.
      if (!body.active && body.availability === undefined) Object.assign(patch, { availability: 'offline', auto_away: 0 });
    }
    if (Object.keys(patch).length === 0) return toAgent(existing);
    const agent = toAgent((await updateAgentRow(change.trx, p.workspaceId, id, patch))!);
    const data = agent.availability === existing.availability ? { agent } : { agent, availabilityFrom: existing.availability };
    await change.publish('agent.updated', { data });
    return agent;
  });
}
