import type { ConditionTrace, RunAction } from '@baton/protocol';
import type { LeafOutcome } from '@baton/rules';
import type { Kysely } from 'kysely';
import { prepared, preparedInsert } from './prepared.js';
import type { Database, WorkflowRunRow } from './schema.js';

type Q = Kysely<Database>;

const insertRunRow = preparedInsert('workflow_runs', {
  id: true,
  workspace_id: true,
  workflow_id: true,
  version: true,
  outbox_id: true,
  trigger: true,
  conversation_id: true,
  matched: true,
  outcome: true,
  detail: true,
  created_at: true,
});

/**
 * A run's `detail` column. Format 2 keeps the conditions as their outcomes only (`@baton/rules`
 * `recordConditions`, ~0.1 KB a rule instead of a ~0.6 KB trace); the read side inflates them with
 * the run's workflow version, which is immutable. Runs logged before it hold the full trace, and
 * are read as they are (no migration rewrites a log).
 */
type StoredRunDetail =
  | { v: 2; leaves: LeafOutcome[] | null; actions: RunAction[] }
  | { v?: undefined; conditions: ConditionTrace | null; actions: RunAction[] };

export function storedRunDetail(leaves: LeafOutcome[] | null, actions: RunAction[]): string {
  return JSON.stringify({ v: 2, leaves, actions } satisfies StoredRunDetail);
}

/** A run's conditions as stored (outcomes to inflate, or an older run's full trace) and its actions. */
export function readRunDetail(detail: string): { conditions: { leaves: LeafOutcome[] } | { trace: ConditionTrace } | null; actions: RunAction[] } {
  const d = JSON.parse(detail) as StoredRunDetail;
  if (d.v === 2) return { conditions: d.leaves && { leaves: d.leaves }, actions: d.actions };
  return { conditions: d.conditions && { trace: d.conditions }, actions: d.actions };
}

/** One run's stored detail (its actions say which of them assigned), or undefined. */
export const findRunDetail = async (db: Q, workspaceId: string, runId: string): Promise<string | undefined> =>
  (await db.selectFrom('workflow_runs').select('detail').where('workspace_id', '=', workspaceId).where('id', '=', runId).executeTakeFirst())?.detail;

export async function insertRun(db: Q, row: WorkflowRunRow): Promise<void> {
  await insertRunRow(db, row);
}

const selectEventRun = prepared<{ workspaceId: string; outboxId: number; trigger: string }, { id: string }>(['workspaceId', 'outboxId', 'trigger'], (db, a) =>
  db.selectFrom('workflow_runs').select('id').where('workspace_id', '=', a.workspaceId).where('outbox_id', '=', a.outboxId).where('trigger', '=', a.trigger).limit(1),
);

/** Whether the runner already handled this outbox event for this trigger (its runs commit together). */
export async function eventHandled(db: Q, workspaceId: string, outboxId: number, trigger: string): Promise<boolean> {
  return (await selectEventRun(db, { workspaceId, outboxId, trigger })).rows.length > 0;
}

export interface RunPage {
  outcome?: string;
  /** Runs with ids below this one (the previous page's last). */
  before?: string;
  /** Runs with ids at or above this one (`idFloor('run', time)`: logged at or after the time). */
  from?: string;
  limit: number;
}

/** A workflow's runs, newest first. */
export function listWorkflowRuns(db: Q, workspaceId: string, workflowId: string, page: RunPage) {
  let q = db.selectFrom('workflow_runs').selectAll().where('workspace_id', '=', workspaceId).where('workflow_id', '=', workflowId);
  if (page.outcome !== undefined) q = q.where('outcome', '=', page.outcome);
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  if (page.from !== undefined) q = q.where('id', '>=', page.from);
  return q.orderBy('id', 'desc').limit(page.limit).execute();
}

/** Every run that considered a conversation, newest first. */
export const listConversationRuns = (db: Q, workspaceId: string, conversationId: string, limit: number) =>
  db
    .selectFrom('workflow_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();

/**
 * Deletes up to `batch` runs whose ids sort below `floorId` (`idFloor('run', cutoff)`: logged
 * before the cutoff), walking the primary key; returns how many. A run's row also marks its event
 * handled (`eventHandled`), which only a replay right after a crash asks, long before any cutoff.
 */
export async function deleteRunsBefore(db: Q, floorId: string, batch: number): Promise<number> {
  const oldest = db.selectFrom('workflow_runs').select('id').where('id', '<', floorId).orderBy('id').limit(batch);
  const result = await db.deleteFrom('workflow_runs').where('id', 'in', oldest).executeTakeFirst();
  return Number(result.numDeletedRows);
}
