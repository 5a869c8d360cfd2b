import { NOTIFICATION_CHANNELS, PREFERENCE_TYPES, type NotificationPreferences, type UpdatePreferencesBody } from '@baton/protocol';
import type { Deps } from '../deps.js';
import { runCommand } from '../services/change-runner.js';
import { loadPreferences, savePreferences, type PreferenceSwitch } from '../storage/preferences.js';

export const getPreferences = (deps: Deps, workspaceId: string, agentId: string) => loadPreferences(deps.storage.db, workspaceId, agentId);

/** Applies a partial matrix in one unit of work and returns the whole matrix. */
export async function updatePreferences(deps: Deps, workspaceId: string, agentId: string, patch: UpdatePreferencesBody): Promise<NotificationPreferences> {
  const switches: PreferenceSwitch[] = [];
  for (const type of PREFERENCE_TYPES) {
    for (const channel of NOTIFICATION_CHANNELS) {
      const value = patch[type]?.[channel];
      if (value !== undefined) switches.push({ type, channel, enabled: value });
    }
  }
  return runCommand(deps, async (trx) => {
    await savePreferences(trx, workspaceId, agentId, switches);
    return loadPreferences(trx, workspaceId, agentId);
  });
}
