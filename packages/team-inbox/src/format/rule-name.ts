import type { EventItem } from '@baton/protocol';

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);

/**
 * The name of the rule that wrote an event, as the runner records it (`workflowName`; older rows
 * `ruleName` or `name`); null for an event no rule wrote. Its own module: the timeline needs it for
 * notes' bylines in the first load, the event sentences in their lazy chunk.
 */
export function ruleName(event: EventItem): string | null {
  if (event.actor.type !== 'workflow') return null;
  return text(event.data.ruleName) ?? text(event.data.workflowName) ?? text(event.data.name);
}
