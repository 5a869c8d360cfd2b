import type { WorkflowDefinition } from '@baton/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import { liveVersionRows } from '../storage/workflows.js';

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
