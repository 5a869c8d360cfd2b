import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/** The core schema: tenants, directory, conversations, the append-only timeline and the outbox. */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  // Epoch milliseconds overflow PostgreSQL's 32-bit integer; SQLite's integer is already 64-bit.
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('allowed_origins', 'text', (c) => c.notNull())
    .addColumn('seq', int64, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', int64, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', int64, (c) => c.notNull())
    .addColumn('revoked_at', int64)
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', int64, (c) => c.notNull())
    .addColumn('retired_at', int64)
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_lower', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('skills', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('availability', 'text', (c) => c.notNull())
    .addColumn('last_assigned_at', int64)
    .addColumn('created_at', int64, (c) => c.notNull())
    .addUniqueConstraint('agents_username_unique', ['workspace_id', 'username_lower'])
    .execute();

  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', int64, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('teams_by_workspace').on('teams').columns(['workspace_id', 'name']).execute();

  await db.schema
    .createTable('team_members')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'agent_id'])
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('language', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('created_at', int64, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('contacts_external_id')
    .on('contacts')
    .columns(['workspace_id', 'external_id'])
    .unique()
    .where(sql.ref('external_id'), 'is not', null)
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('subject', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', int64, (c) => c.notNull())
    .addColumn('last_message_at', int64, (c) => c.notNull())
    .addColumn('last_inbound_at', int64)
    .addColumn('last_inbound_seq', int64)
    .addColumn('resolved_at', int64)
    .addColumn('waiting_since', int64)
    .addColumn('preview', 'text')
    .execute();
  // Views page by (last_message_at, id) descending; these keep every view an index range scan.
  await db.schema
    .createIndex('conversations_by_status')
    .on('conversations')
    .columns(['workspace_id', 'status', 'last_message_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('conversations_by_assignee')
    .on('conversations')
    .columns(['workspace_id', 'assignee_id', 'status', 'last_message_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('conversations_by_contact')
    .on('conversations')
    .columns(['contact_id', 'last_message_at desc'])
    .execute();

  await db.schema
    .createTable('timeline')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('seq', int64, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('direction', 'text')
    .addColumn('channel', 'text')
    .addColumn('body', 'text')
    .addColumn('mentions', 'text')
    .addColumn('event_type', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('data', 'text')
    .addColumn('created_at', int64, (c) => c.notNull())
    .addUniqueConstraint('timeline_seq_unique', ['workspace_id', 'seq'])
    .execute();
  await db.schema.createIndex('timeline_by_conversation').on('timeline').columns(['conversation_id', 'seq']).execute();

  await db.schema
    .createTable('mentions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('last_seq', int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('mentions_pk', ['agent_id', 'conversation_id'])
    .execute();

  await db.schema
    .createTable('read_states')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('last_read_seq', int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('read_states_pk', ['conversation_id', 'agent_id'])
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('created_at', int64, (c) => c.notNull())
    .addColumn('read_at', int64)
    .execute();
  await db.schema.createIndex('notifications_by_agent').on('notifications').columns(['agent_id', 'id desc']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
      engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('seq', int64, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', int64, (c) => c.notNull())
    .addUniqueConstraint('outbox_seq_unique', ['workspace_id', 'seq'])
    .execute();

  await db.schema
    .createTable('consumer_offsets')
    .addColumn('consumer', 'text', (c) => c.primaryKey())
    .addColumn('last_id', int64, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_pk', ['workspace_id', 'principal', 'key'])
    .execute();
}
