import type { CreateTeamBody, UpdateTeamBody } from '@baton/protocol';
import type { Kysely } from 'kysely';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { toTeam } from '../storage/mappers.js';
import type { Database } from '../storage/schema.js';
import { findTeam, insertTeam, listTeamRows, renameTeam, replaceTeamMembers, teamMemberIds } from '../storage/teams.js';
import { runChange } from './change-runner.js';

async function requireMembers(db: Kysely<Database>, workspaceId: string, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return unique;
  const found = await db.selectFrom('agents').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', unique).execute();
  const known = new Set(found.map((r) => r.id));
  const unknown = unique.filter((id) => !known.has(id));
  if (unknown.length) throw badRequest('memberIds must be agents of this workspace', [{ path: ['memberIds'], message: `unknown: ${unknown.join(', ')}` }]);
  return unique;
}

export async function listTeams(deps: Deps, p: WorkspacePrincipal) {
  const rows = await listTeamRows(deps.storage.db, p.workspaceId);
  const members = await teamMemberIds(deps.storage.db, p.workspaceId, rows.map((r) => r.id));
  return rows.map((r) => toTeam(r, members.get(r.id) ?? []));
}

/** Creates a team with its first members, announced (`team.created`) so every agent's inbox lists it at once. */
/**
 * A second team by the same name (case and spacing aside) is refused, 409: every picker (a rule's
 * pool, "Assigned to", Filters) names teams, and two "Support" could not be told apart. Checked
 * under the workspace's change lock, so two creates at once cannot both pass.
 */
async function requireFreeName(trx: Kysely<Database>, workspaceId: string, name: string, except?: string): Promise<void> {
  const key = (s: string) => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');
  const taken = (await listTeamRows(trx, workspaceId)).find((t) => t.id !== except && key(t.name) === key(name));
  if (taken) throw conflict(`a team named "${taken.name}" already exists`, { teamId: taken.id });
}

export async function createTeam(deps: Deps, p: WorkspacePrincipal, body: CreateTeamBody) {
  return runChange(deps, p.workspaceId, async (change) => {
    await change.lock();
    const trx = change.trx;
    await requireFreeName(trx, p.workspaceId, body.name);
    const memberIds = await requireMembers(trx, p.workspaceId, body.memberIds ?? []);
    const row = { id: newId('team', change.now), workspace_id: p.workspaceId, name: body.name, created_at: change.now };
    await insertTeam(trx, row);
    await replaceTeamMembers(trx, p.workspaceId, row.id, memberIds);
    const team = toTeam(row, [...memberIds].sort());
    await change.publish('team.created', { data: { team } });
    return team;
  });
}

/**
 * Renames a team or replaces its members. A change is announced (`team.updated`): every agent's
 * inbox shows the new name, and the rules runner drains the routing queue when someone joined (they
 * may be eligible for what waits there).
 */
export async function updateTeam(deps: Deps, p: WorkspacePrincipal, id: string, body: UpdateTeamBody) {
  return runChange(deps, p.workspaceId, async (change) => {
    await change.lock();
    const trx = change.trx;
    const row = await findTeam(trx, p.workspaceId, id);
    if (!row) throw notFound('team');
    const before = (await teamMemberIds(trx, p.workspaceId, [id])).get(id) ?? [];
    const renamed = body.name !== undefined && body.name !== row.name;
    if (renamed) {
      await requireFreeName(trx, p.workspaceId, body.name!, id);
      await renameTeam(trx, p.workspaceId, id, body.name!);
      row.name = body.name!;
    }
    if (body.memberIds !== undefined) await replaceTeamMembers(trx, p.workspaceId, id, await requireMembers(trx, p.workspaceId, body.memberIds));
    const after = (await teamMemberIds(trx, p.workspaceId, [id])).get(id) ?? [];
    const team = toTeam(row, after);
    const added = after.filter((a) => !before.includes(a));
    const removed = before.filter((a) => !after.includes(a));
    if (renamed || added.length > 0 || removed.length > 0) await change.publish('team.updated', { data: { team, added, removed } });
    return team;
  });
}
