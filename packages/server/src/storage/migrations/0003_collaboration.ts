import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Collaboration: background jobs (email, push, webhooks) with an attempt log, notification
 * preferences, push subscriptions, server keys (VAPID), webhooks, workspace notification
 * settings, and full-text search over messages and notes.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  const serial = (c: any) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('jobs')
    .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', serial)
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    /** What the job is for, e.g. a webhook id or an agent id, so logs can be listed per target. */
    .addColumn('target', 'text', (c) => c.notNull())
    /** Makes enqueueing idempotent: replaying an outbox row cannot create the same job twice. */
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_run_at', int64, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', int64, (c) => c.notNull())
    .addColumn('finished_at', int64)
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'next_run_at']).execute();
  await db.schema.createIndex('jobs_by_target').on('jobs').columns(['workspace_id', 'kind', 'target', 'id desc']).execute();

  await db.schema
    .createTable('job_attempts')
    .addColumn('job_id', int64, (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', int64, (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_attempts_pk', ['job_id', 'attempt'])
    .execute();

  await db.schema
    .createTable('notification_preferences')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_preferences_pk', ['agent_id', 'type', 'channel'])
    .execute();

  await db.schema
    .createTable('push_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('p256dh', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('created_at', int64, (c) => c.notNull())
    .addUniqueConstraint('push_subscriptions_endpoint', ['agent_id', 'endpoint'])
    .execute();

  await db.schema
    .createTable('server_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', int64, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', int64, (c) => c.notNull())
    .addColumn('deleted_at', int64)
    .execute();
  await db.schema.createIndex('webhooks_by_workspace').on('webhooks').columns(['workspace_id']).execute();

  // Where email and push links point, and whether they may carry a short snippet (off by default:
  // notifications leave Baton, and customer text should not unless the workspace says so).
  await db.schema.alterTable('workspaces').addColumn('link_template', 'text').execute();
  await db.schema.alterTable('workspaces').addColumn('notification_snippets', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  if (engine === 'sqlite') {
    // Full-text index over message and note bodies. `ws` is indexed too so a search is one MATCH
    // on "this workspace AND the terms", not a filter after matching every workspace's rows.
    await sql`CREATE VIRTUAL TABLE timeline_fts USING fts5(ws, body, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
    await sql`CREATE TRIGGER timeline_fts_insert AFTER INSERT ON timeline WHEN new.kind IN ('message', 'note') BEGIN
      INSERT INTO timeline_fts (rowid, ws, body) VALUES (new.rowid, new.workspace_id, new.body);
    END`.execute(db);
    await sql`INSERT INTO timeline_fts (rowid, ws, body) SELECT rowid, workspace_id, body FROM timeline WHERE kind IN ('message', 'note')`.execute(db);
  }
}
