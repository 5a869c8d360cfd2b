import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `workflows.draft_updated_by`: the agent who last saved the draft (null: an API key, or a draft
 * saved before this column). The builder's list says who last edited a rule, and its conflict
 * screen names who saved the newer draft (issue #10).
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('workflows').addColumn('draft_updated_by', 'text').execute();
}
