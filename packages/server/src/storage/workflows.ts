import type { Kysely } from 'kysely';
import { forgetHeldWorkspaceRow } from './change.js';
import { prepared } from './prepared.js';
import type { Database, WorkflowRow, WorkflowVersionRow } from './schema.js';

type Q = Kysely<Database>;

/** A workflow that is not deleted. */
export const findWorkflow = (db: Q, workspaceId: string, id: string) =>
  db
    .selectFrom('workflows')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();

export const listWorkflowRows = (db: Q, workspaceId: string) =>
  db
    .selectFrom('workflows')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

export async function insertWorkflow(db: Q, row: WorkflowRow): Promise<void> {
  await db.insertInto('workflows').values(row).execute();
}

/**
 * Saves a new draft only if the draft is still at `expectedVersion`, so two admins saving at once
 * cannot both win; false when it moved (or the workflow was deleted).
 */
export async function saveDraft(db: Q, workspaceId: string, id: string, expectedVersion: number, draft: string, at: number, by: string | null): Promise<boolean> {
  const result = await db
    .updateTable('workflows')
    .set({ draft, draft_version: expectedVersion + 1, updated_at: at, draft_updated_by: by })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('draft_version', '=', expectedVersion)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Marks the workspace's live workflows changed (migration 0048): the runners of every node re-read
 * them at their next event (services/live-workflows.ts). Every write that changes what
 * `liveVersionRows` returns calls it in the same unit of work. On PostgreSQL the update also waits
 * for a runner unit holding the workspace lock, so a unit never sees a stamp older than the rules.
 */
async function bumpRulesStamp(db: Q, workspaceId: string): Promise<void> {
  // A random step, not +1: a bump whose transaction rolls back must not come back as the value of a
  // later, different change, or a runner that cached the rolled-back rules at that stamp would take
  // them for current. Still increasing, so a newer read is never replaced by an older one.
  const step = 1 + Math.floor(Math.random() * 2 ** 24);
  await db
    .updateTable('workspaces')
    .set((eb) => ({ rules_stamp: eb('rules_stamp', '+', step) }))
    .where('id', '=', workspaceId)
    .execute();
  await forgetHeldWorkspaceRow(db, workspaceId);
}

/** The workspace's rules stamp (see `bumpRulesStamp`), 0 for an unknown workspace. */
const selectRulesStamp = prepared<{ id: string }, { rules_stamp: number }>(['id'], (db, a) => db.selectFrom('workspaces').select('rules_stamp').where('id', '=', a.id));
export const rulesStamp = async (db: Q, workspaceId: string): Promise<number> => Number((await selectRulesStamp(db, { id: workspaceId })).rows[0]?.rules_stamp ?? 0);

export async function markWorkflowDeleted(db: Q, workspaceId: string, id: string, at: number): Promise<void> {
  await db.updateTable('workflows').set({ deleted_at: at, updated_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  await bumpRulesStamp(db, workspaceId);
}

/** Records a publication and makes it the live version, in the caller's unit of work. */
export async function publishVersion(db: Q, row: WorkflowVersionRow): Promise<void> {
  await db.insertInto('workflow_versions').values(row).execute();
  await db
    .updateTable('workflows')
    .set({ published_version: row.version, updated_at: row.published_at })
    .where('workspace_id', '=', row.workspace_id)
    .where('id', '=', row.workflow_id)
    .execute();
  await bumpRulesStamp(db, row.workspace_id);
}

export const findVersion = (db: Q, workspaceId: string, workflowId: string, version: number) =>
  db
    .selectFrom('workflow_versions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('workflow_id', '=', workflowId)
    .where('version', '=', version)
    .executeTakeFirst();

export const listVersionRows = (db: Q, workspaceId: string, workflowId: string) =>
  db
    .selectFrom('workflow_versions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('workflow_id', '=', workflowId)
    .orderBy('version', 'desc')
    .execute();

/** The live version of every workflow of the workspace that has one (deleted ones excluded), oldest workflow first. */
type LiveVersionRow = Pick<WorkflowRow, 'created_at'> & Pick<WorkflowVersionRow, 'version' | 'definition' | 'published_at' | 'published_by'> & { workflow_id: string };
const selectLiveVersions = prepared<{ workspaceId: string }, LiveVersionRow>(['workspaceId'], (db, a) =>
  db
    .selectFrom('workflows as w')
    .innerJoin('workflow_versions as v', (j) => j.onRef('v.workflow_id', '=', 'w.id').onRef('v.version', '=', 'w.published_version'))
    .select(['w.id as workflow_id', 'w.created_at', 'v.version', 'v.definition', 'v.published_at', 'v.published_by'])
    .where('w.workspace_id', '=', a.workspaceId)
    .where('w.deleted_at', 'is', null)
    .orderBy('w.created_at')
    .orderBy('w.id'),
);
export const liveVersionRows = async (db: Q, workspaceId: string): Promise<LiveVersionRow[]> => (await selectLiveVersions(db, { workspaceId })).rows;
