import {
  DEFAULT_PREFERENCES,
  NOTIFICATION_CHANNELS,
  PREFERENCE_TYPES,
  type NotificationChannel,
  type NotificationPreferences,
  type PreferenceType,
} from '@baton/protocol';
import type { Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

// Per-agent notification switches as stored: only switches an agent changed have rows.

type Q = Kysely<Database>;

const isPreferenceType = (type: string): type is PreferenceType => (PREFERENCE_TYPES as readonly string[]).includes(type);
const isChannel = (channel: string): channel is NotificationChannel => (NOTIFICATION_CHANNELS as readonly string[]).includes(channel);

const copyDefaults = (): NotificationPreferences => ({
  assigned: { ...DEFAULT_PREFERENCES.assigned },
  mentioned: { ...DEFAULT_PREFERENCES.mentioned },
  reopened: { ...DEFAULT_PREFERENCES.reopened },
});

/** The agent's full matrix: stored switches over the defaults (only switches an agent set are stored). */
export async function loadPreferences(db: Q, workspaceId: string, agentId: string): Promise<NotificationPreferences> {
  const rows = await db
    .selectFrom('notification_preferences')
    .select(['type', 'channel', 'enabled'])
    .where('workspace_id', '=', workspaceId)
    .where('agent_id', '=', agentId)
    .execute();
  const prefs = copyDefaults();
  for (const r of rows) if (isPreferenceType(r.type) && isChannel(r.channel)) prefs[r.type][r.channel] = Number(r.enabled) === 1;
  return prefs;
}

/**
 * Whether the agent wants this type of notification on this channel. Types without a preference
 * (`queued_timeout`) are in-app only.
 */
const selectPreference = prepared<{ workspaceId: string; agentId: string; type: string; channel: string }, { enabled: number }>(
  ['workspaceId', 'agentId', 'type', 'channel'],
  (db, a) =>
    db
      .selectFrom('notification_preferences')
      .select('enabled')
      .where('workspace_id', '=', a.workspaceId)
      .where('agent_id', '=', a.agentId)
      .where('type', '=', a.type)
      .where('channel', '=', a.channel),
);

export async function channelEnabled(db: Q, workspaceId: string, agentId: string, type: string, channel: NotificationChannel): Promise<boolean> {
  if (!isPreferenceType(type)) return channel === 'inapp';
  const row = (await selectPreference(db, { workspaceId, agentId, type, channel })).rows[0];
  return row ? Number(row.enabled) === 1 : DEFAULT_PREFERENCES[type][channel];
}

export interface PreferenceSwitch {
  type: PreferenceType;
  channel: NotificationChannel;
  enabled: boolean;
}

/** Stores the switches an agent changed; the others keep their stored value or the default. */
export async function savePreferences(db: Q, workspaceId: string, agentId: string, switches: PreferenceSwitch[]): Promise<void> {
  for (const s of switches) {
    const enabled = s.enabled ? 1 : 0;
    await db
      .insertInto('notification_preferences')
      .values({ workspace_id: workspaceId, agent_id: agentId, type: s.type, channel: s.channel, enabled })
      .onConflict((oc) => oc.columns(['agent_id', 'type', 'channel']).doUpdateSet({ enabled }))
      .execute();
  }
}
