import { NOTIFICATION_CHANNELS, PREFERENCE_TYPES, type NotificationPreferences, type UpdatePreferencesBody } from '@baton/protocol';
import type { Deps } from '../deps.js';
import { loadPreferences } from '../storage/preferences.js';

export const getPreferences = (deps: Deps, workspaceId: string, agentId: string) => loadPreferences(deps.storage.db, workspaceId, agentId);

/** Applies a partial matrix in one transaction and returns the whole matrix. */
export async function updatePreferences(deps: Deps, workspaceId: string, agentId: string, patch: UpdatePreferencesBody): Promise<NotificationPreferences> {
  return deps.storage.db.transaction().execute(async (trx) => {
    for (const type of PREFERENCE_TYPES) {
      for (const channel of NOTIFICATION_CHANNELS) {
        const value = patch[type]?.[channel];
        if (value === undefined) continue;
        const enabled = value ? 1 : 0;
        await trx
          .insertInto('notification_preferences')
          .values({ workspace_id: workspaceId, agent_id: agentId, type, channel, enabled })
          .onConflict((oc) => oc.columns(['agent_id', 'type', 'channel']).doUpdateSet({ enabled }))
          .execute();
      }
    }
    return loadPreferences(trx, workspaceId, agentId);
  });
}
