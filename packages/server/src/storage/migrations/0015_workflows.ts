import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Workflows (routing rules, DESIGN §6): a workflow row holds the draft an admin edits (with its
 * own version for `If-Match`) and points at its live published version; `workflow_versions` keeps
 * every publication, immutable, so a run can name the version it used. A deleted workflow keeps
 * its row (`deleted_at`) and versions for the run log. (0015: 0011–0014 exist, 0020+ is taken.)
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('workflows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('draft', 'text', (c) => c.notNull())
    .addColumn('draft_version', 'integer', (c) => c.notNull())
    .addColumn('published_version', 'integer')
    .addColumn('created_at', int64, (c) => c.notNull())
    .addColumn('updated_at', int64, (c) => c.notNull())
    .addColumn('deleted_at', int64)
    .execute();
  await db.schema.createIndex('workflows_by_workspace').on('workflows').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema
    .createTable('workflow_versions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('published_at', int64, (c) => c.notNull())
    .addColumn('published_by', 'text')
    .addPrimaryKeyConstraint('workflow_versions_pk', ['workflow_id', 'version'])
    .execute();
}
