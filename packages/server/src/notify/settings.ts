import type { UpdateWorkspaceBody, Workspace } from '@baton/protocol';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { runCommand } from '../services/change-runner.js';
import { toWorkspace } from '../storage/mappers.js';
import { findWorkspace, originsOf, updateWorkspaceSettings as saveWorkspaceSettings, type WorkspaceSettingsPatch } from '../storage/workspaces.js';

/**
 * The workspace's settings: where notification links point, whether snippets may leave Baton,
 * availability (auto-away after `autoAwayAfterSec` without a socket, the away policy), whether a
 * reply assigns, and the pages whose sockets it admits.
 */
export async function updateWorkspaceSettings(deps: Deps, p: WorkspacePrincipal, body: UpdateWorkspaceBody): Promise<Workspace> {
  const patch: WorkspaceSettingsPatch = {};
  if (body.linkTemplate !== undefined) patch.link_template = body.linkTemplate;
  if (body.notificationSnippets !== undefined) patch.notification_snippets = body.notificationSnippets ? 1 : 0;
  if (body.autoAwayAfterSec !== undefined) patch.auto_away_after_sec = body.autoAwayAfterSec;
  if (body.awayPolicy !== undefined) patch.away_policy = body.awayPolicy;
  if (body.assignOnReply !== undefined) patch.assign_on_reply = body.assignOnReply ? 1 : 0;
  if (body.allowedOrigins !== undefined) patch.allowed_origins = JSON.stringify(originsOf(body.allowedOrigins));
  return runCommand(deps, async (trx) => {
    if (Object.keys(patch).length > 0) await saveWorkspaceSettings(trx, p.workspaceId, patch);
    const row = await findWorkspace(trx, p.workspaceId);
    if (!row) throw notFound('workspace');
    return toWorkspace(row);
  });
}
