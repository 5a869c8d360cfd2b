import type { Kysely } from 'kysely';
import type { Engine } from './engine.js';
import * as m0001 from './migrations/0001_init.js';
import * as m0002 from './migrations/0002_unread_index.js';
import * as m0003 from './migrations/0003_collaboration.js';
import * as m0006 from './migrations/0006_search.js';
import * as m0007 from './migrations/0007_activity_clock.js';
import * as m0008 from './migrations/0008_search_after_commit.js';
import * as m0009 from './migrations/0009_read_bands.js';
import * as m0010 from './migrations/0010_idempotency_expiry.js';
import * as m0011 from './migrations/0011_view_counters.js';
import * as m0012 from './migrations/0012_agent_active.js';
import * as m0013 from './migrations/0013_scrub_stored_secrets.js';
import * as m0014 from './migrations/0014_fair_delivery.js';
import * as m0015 from './migrations/0015_workflows.js';
import * as m0016 from './migrations/0016_workflow_runs.js';
import * as m0017 from './migrations/0017_routing_waits.js';
import * as m0018 from './migrations/0018_conversation_language.js';
import * as m0020 from './migrations/0020_snooze.js';
import * as m0021 from './migrations/0021_saved_replies.js';
import * as m0022 from './migrations/0022_list_filters.js';
import * as m0023 from './migrations/0023_conversation_timers.js';
import * as m0024 from './migrations/0024_notification_rule.js';
import * as m0025 from './migrations/0025_contact_attributes.js';
import * as m0026 from './migrations/0026_availability.js';
import * as m0030 from './migrations/0030_last_speaker.js';
import * as m0045 from './migrations/0045_partial_filter_indexes.js';
import * as m0046 from './migrations/0046_agent_token_cutoff.js';
import * as m0047 from './migrations/0047_workflow_draft_author.js';
import * as m0048 from './migrations/0048_workspace_rules_stamp.js';
import * as m0049 from './migrations/0049_timer_rebuilds.js';
import * as m0050 from './migrations/0050_workspace_tags.js';
import * as m0051 from './migrations/0051_lowercase_conversation_tags.js';
import * as m0052 from './migrations/0052_outbox_retention.js';
import * as m0053 from './migrations/0053_partial_snoozed_index.js';
import * as m0054 from './migrations/0054_search_postgres.js';
import * as m0055 from './migrations/0055_job_attempt_started.js';
import * as m0056 from './migrations/0056_search_subjects.js';
import * as m0057 from './migrations/0057_notification_note.js';
import * as m0058 from './migrations/0058_assign_on_reply.js';
import * as m0059 from './migrations/0059_agent_external_id.js';

interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>, engine: Engine): Promise<void>;
}

/** Numbered, append-only. A new migration gets the next number; applied ones are never edited. */
const MIGRATIONS: Migration[] = [
  { version: 1, name: 'init', up: m0001.up },
  { version: 2, name: 'unread_index', up: m0002.up },
  { version: 3, name: 'collaboration', up: m0003.up },
  { version: 6, name: 'search', up: m0006.up },
  { version: 7, name: 'activity_clock', up: m0007.up },
  { version: 8, name: 'search_after_commit', up: m0008.up },
  { version: 9, name: 'read_bands', up: m0009.up },
  { version: 10, name: 'idempotency_expiry', up: m0010.up },
  { version: 11, name: 'view_counters', up: m0011.up },
  { version: 12, name: 'agent_active', up: m0012.up },
  { version: 13, name: 'scrub_stored_secrets', up: m0013.up },
  { version: 14, name: 'fair_delivery', up: m0014.up },
  { version: 15, name: 'workflows', up: m0015.up },
  { version: 16, name: 'workflow_runs', up: m0016.up },
  { version: 17, name: 'routing_waits', up: m0017.up },
  { version: 18, name: 'conversation_language', up: m0018.up },
  { version: 20, name: 'snooze', up: m0020.up },
  { version: 21, name: 'saved_replies', up: m0021.up },
  { version: 22, name: 'list_filters', up: m0022.up },
  { version: 23, name: 'conversation_timers', up: m0023.up },
  { version: 24, name: 'notification_rule', up: m0024.up },
  { version: 25, name: 'contact_attributes', up: m0025.up },
  { version: 26, name: 'availability', up: m0026.up },
  { version: 30, name: 'last_speaker', up: m0030.up },
  { version: 45, name: 'partial_filter_indexes', up: m0045.up },
  { version: 46, name: 'agent_token_cutoff', up: m0046.up },
  { version: 47, name: 'workflow_draft_author', up: m0047.up },
  { version: 48, name: 'workspace_rules_stamp', up: m0048.up },
  { version: 49, name: 'timer_rebuilds', up: m0049.up },
  { version: 50, name: 'workspace_tags', up: m0050.up },
  { version: 51, name: 'lowercase_conversation_tags', up: m0051.up },
  { version: 52, name: 'outbox_retention', up: m0052.up },
  { version: 53, name: 'partial_snoozed_index', up: m0053.up },
  { version: 54, name: 'search_postgres', up: m0054.up },
  { version: 55, name: 'job_attempt_started', up: m0055.up },
  { version: 56, name: 'search_subjects', up: m0056.up },
  { version: 57, name: 'notification_note', up: m0057.up },
  { version: 58, name: 'assign_on_reply', up: m0058.up },
  { version: 59, name: 'agent_external_id', up: m0059.up },
];

/** The migrations this build has, by version (numbers retired by earlier sessions are gaps). */
export const MIGRATION_VERSIONS: readonly number[] = MIGRATIONS.map((m) => m.version);
/** The schema version this build brings a database to. */
export const LATEST_MIGRATION = Math.max(...MIGRATION_VERSIONS);

/** Applies, in order and each in its own transaction, every migration the database has not seen. */
export async function migrate(db: Kysely<any>, engine: Engine): Promise<number[]> {
  await db.schema
    .createTable('baton_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', engine === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .execute();
  const applied = new Set(
    (await db.selectFrom('baton_migrations').select('version').execute()).map((r: { version: number }) => Number(r.version)),
  );
  // A newer Baton migrated this database, and this older build would run on a schema it does not
  // know (an upgrade rolled back without its backup): refused before anything is served or written.
  const known = new Set(MIGRATIONS.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v)).sort((a, b) => a - b);
  if (unknown.length > 0) {
    throw new Error(
      `this database was migrated by a newer Baton (migration ${unknown.join(', ')}; this build knows up to ${LATEST_MIGRATION}): ` +
        'run that version, or restore the backup taken before the upgrade',
    );
  }
  const ran: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    const done = await db.transaction().execute(async (trx) => {
      // Another process on the same file may have applied it since the read above. The transaction
      // holds the write lock (storage/db.ts begins immediate), so this second look is final. On
      // PostgreSQL the whole run holds an advisory lock instead (storage/postgres.ts).
      const already = await trx.selectFrom('baton_migrations').select('version').where('version', '=', migration.version).executeTakeFirst();
      if (already) return true;
      await migration.up(trx, engine);
      await trx
        .insertInto('baton_migrations')
        .values({ version: migration.version, name: migration.name, applied_at: Date.now() })
        .execute();
      return false;
    });
    if (!done) ran.push(migration.version);
  }
  return ran;
}
