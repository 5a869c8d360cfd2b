import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `agents.external_id`: the host's own id for the person (`Agent.externalId`), unique in the
 * workspace when set, so a host mints tokens by its user id (`POST /v1/tokens { externalId }`) and
 * finds the agent by it (`GET /v1/agents?externalId=`) without keeping Baton's ids. Null for every
 * agent that exists before it.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('agents').addColumn('external_id', 'text').execute();
  await db.schema
    .createIndex('agents_external_id')
    .on('agents')
    .columns(['workspace_id', 'external_id'])
    .unique()
    .where(sql.ref('external_id'), 'is not', null)
    .execute();
}
