import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Read bands (storage/read-bands.ts) outlive the process: one row per agent with the agent's bands
 * as JSON. They are derived data that stay true by the rules in that file's header, so a restarted
 * server (or another node) can use them instead of walking an agent's long read runs again.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('read_bands')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('bands', 'text', (c) => c.notNull())
    .addColumn('updated_at', int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('read_bands_pk', ['workspace_id', 'agent_id'])
    .execute();
}
