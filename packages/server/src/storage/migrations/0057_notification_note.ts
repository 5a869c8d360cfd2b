import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `notifications.note_id`: for a `mentioned` notification, the note that mentioned the agent, so the
 * bell can show what was asked (the API's `note: { id, excerpt }`). The excerpt is read from the
 * timeline when the list is read, not copied here: notes are never edited, and a copy would put the
 * note's text in a second table that retention and exports would have to know about.
 * Notifications from before this migration have none and show as they did.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('note_id', 'text').execute();
}
