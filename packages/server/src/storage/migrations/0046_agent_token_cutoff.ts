import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `agents.tokens_revoked_at`: when the agent was last deactivated (epoch ms). Auth refuses their
 * tokens issued up to that second, so reactivating an agent does not bring back the tokens that
 * were live when they were deactivated; new ones (minted, or signed by the host) work.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('agents').addColumn('tokens_revoked_at', int64).execute();
}
