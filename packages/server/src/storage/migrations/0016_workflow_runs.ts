import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The rules runner's log (services/workflow-runner.ts): one row per (outbox event, workflow) that
 * the runner considered, written in the same unit of work as the actions it applied. The unique
 * key is what makes a run happen exactly once: a replayed outbox row finds its runs and does nothing.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('workflow_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('outbox_id', int64, (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('matched', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    /** The run as the API shows it (trace, actions), as JSON. */
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', int64, (c) => c.notNull())
    .addUniqueConstraint('workflow_runs_once', ['outbox_id', 'workflow_id'])
    .execute();
  await db.schema.createIndex('workflow_runs_by_workflow').on('workflow_runs').columns(['workspace_id', 'workflow_id', 'id']).execute();
  await db.schema.createIndex('workflow_runs_by_conversation').on('workflow_runs').columns(['workspace_id', 'conversation_id', 'id']).execute();
}
