import type { CreateTeamBody, UpdateTeamBody } from '@baton/protocol';
import type { Kysely } from 'kysely';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { badRequest, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { toTeam } from '../storage/mappers.js';
import type { Database } from '../storage/schema.js';
import { findTeam, insertTeam, listTeamRows, renameTeam, replaceTeamMembers, teamMemberIds } from '../storage/teams.js';
import { runCommand } from './change-runner.js';

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

export async function createTeam(deps: Deps, p: WorkspacePrincipal, body: CreateTeamBody) {
  return runCommand(deps, async (trx) => {
    const memberIds = await requireMembers(trx, p.workspaceId, body.memberIds ?? []);
    const row = { id: newId('team', deps.clock.now()), workspace_id: p.workspaceId, name: body.name, created_at: deps.clock.now() };
    await insertTeam(trx, row);
    await replaceTeamMembers(trx, p.workspaceId, row.id, memberIds);
    return toTeam(row, [...memberIds].sort());
  });
}

export async function updateTeam(deps: Deps, p: WorkspacePrincipal, id: string, body: UpdateTeamBody) {
  return runCommand(deps, async (trx) => {
    const row = await findTeam(trx, p.workspaceId, id);
    if (!row) throw notFound('team');
    if (body.name !== undefined) {
      await renameTeam(trx, p.workspaceId, id, body.name);
      row.name = body.name;
    }
    if (body.memberIds !== undefined) await replaceTeamMembers(trx, p.workspaceId, id, await requireMembers(trx, p.workspaceId, body.memberIds));
    const members = await teamMemberIds(trx, p.workspaceId, [id]);
    return toTeam(row, members.get(id) ?? []);
  });
}
