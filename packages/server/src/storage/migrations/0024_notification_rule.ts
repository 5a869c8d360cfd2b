import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * A workflow's `notify` action (services/workflow-runner.ts) names the rule that sent the
 * notification: `{ workflowId, name, version }` as JSON, null for every other notification.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('rule', 'text').execute();
}
