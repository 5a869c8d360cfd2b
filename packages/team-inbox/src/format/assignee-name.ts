import type { AgentWithLoad } from '@baton/client';

/** Who has the conversation, as "Assigned to" says it: a name, "Unassigned", or an agent no longer listed. */
export function assigneeName(agents: readonly AgentWithLoad[], id: string | null | undefined): string {
  if (!id) return 'Unassigned';
  return agents.find((a) => a.id === id)?.name ?? 'A former teammate';
}
