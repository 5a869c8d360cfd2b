import type { UpdateWorkspaceBody, Workspace } from '@baton/protocol';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { runCommand } from '../services/change-runner.js';
import { toWorkspace } from '../storage/mappers.js';
import type { WorkspaceRow } from '../storage/schema.js';
import { findWorkspace, updateWorkspaceSettings as saveWorkspaceSettings } from '../storage/workspaces.js';

/** The workspace's notification settings: where links point and whether snippets may leave Baton. */
export async function updateWorkspaceSettings(deps: Deps, p: WorkspacePrincipal, body: UpdateWorkspaceBody): Promise<Workspace> {
  const patch: Partial<Pick<WorkspaceRow, 'link_template' | 'notification_snippets'>> = {};
  if (body.linkTemplate !== undefined) patch.link_template = body.linkTemplate;
  if (body.notificationSnippets !== undefined) patch.notification_snippets = body.notificationSnippets ? 1 : 0;
  return runCommand(deps, async (trx) => {
    if (Object.keys(patch).length > 0) await saveWorkspaceSettings(trx, p.workspaceId, patch);
    const row = await findWorkspace(trx, p.workspaceId);
    if (!row) throw notFound('workspace');
    return toWorkspace(row);
  });
}
