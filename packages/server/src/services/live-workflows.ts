import type { WorkflowDefinition } from '@baton/protocol';
import type { Kysely } from 'kysely';
import type { Storage } from '../storage/db.js';
import type { Database } from '../storage/schema.js';
import { liveVersionRows, rulesStamp } from '../storage/workflows.js';

/*
 * Published workflow versions as the rules runner, the timers, the queue and validation read them.
 * A version never changes once published, so its definition is parsed once and kept: parsing every
 * live definition for every event was a visible share of the runner's time (docs/benchmarks.md).
 * The cache is bounded (cleared whole when full); callers must not mutate what it returns.
 */

const definitions = new Map<string, WorkflowDefinition>();
const DEFINITIONS_KEPT = 2000;

/** The definition of published version `version` of `workflowId`, from its stored JSON. */
export function versionDefinition(workflowId: string, version: number, json: string): WorkflowDefinition {
  const key = `${workflowId}:${version}`;
  let definition = definitions.get(key);
  if (!definition) {
    if (definitions.size >= DEFINITIONS_KEPT) definitions.clear();
    definition = JSON.parse(json) as WorkflowDefinition;
    definitions.set(key, definition);
  }
  return definition;
}

export interface LiveWorkflow {
  workflowId: string;
  version: number;
  definition: WorkflowDefinition;
}

/** The live version of every workflow of the workspace, oldest workflow first (deleted ones excluded). */
export async function liveWorkflows(db: Kysely<Database>, workspaceId: string): Promise<LiveWorkflow[]> {
  return (await liveVersionRows(db, workspaceId)).map((r) => ({
    workflowId: r.workflow_id,
    version: Number(r.version),
    definition: versionDefinition(r.workflow_id, Number(r.version), r.definition),
  }));
}

/*
 * The live workflows per workspace, kept with the rules stamp they were read at (migration 0048).
 * Every publish or delete bumps the stored stamp in its own unit of work, on whichever node it ran,
 * so a reader that holds the current stamp can tell whether what it kept is still the live set
 * without reading the workflows again: that read was one join per runner unit (docs/benchmarks.md).
 * Kept per server (its `Storage`), not per process: servers in one process may share nothing but
 * the database file, like nodes (a test runs two on one file). An entry is only ever replaced by a
 * read at a stamp at least as new. Bounded like `definitions`.
 */
type Kept = Map<string, { stamp: number; live: LiveWorkflow[] }>;
const keptBy = new WeakMap<Storage, Kept>();
const WORKSPACES_KEPT = 2000;

/**
 * `liveWorkflows` for a reader that knows the workspace's current rules stamp: under the workspace
 * lock, `change.rulesStamp` (storage/change.ts), with `db` that unit's transaction. Callers must
 * not mutate what it returns.
 */
export async function liveWorkflowsAt(storage: Storage, db: Kysely<Database>, workspaceId: string, stamp: number): Promise<readonly LiveWorkflow[]> {
  let kept = keptBy.get(storage);
  if (!kept) keptBy.set(storage, (kept = new Map()));
  const entry = kept.get(workspaceId);
  if (entry && entry.stamp === stamp) return entry.live;
  const live = await liveWorkflows(db, workspaceId);
  const now = kept.get(workspaceId);
  if (!now || now.stamp <= stamp) {
    if (!now && kept.size >= WORKSPACES_KEPT) kept.clear();
    kept.set(workspaceId, { stamp, live });
  }
  return live;
}

/** `liveWorkflowsAt` outside a unit of work: one primary-key read of the stamp instead of the join. */
export async function currentLiveWorkflows(storage: Storage, workspaceId: string): Promise<readonly LiveWorkflow[]> {
  return liveWorkflowsAt(storage, storage.db, workspaceId, await rulesStamp(storage.db, workspaceId));
}
