import type { AgentWithLoad } from '@baton/client';
import type { Notification } from '@baton/protocol';

// In the first paint: the bell's panel (a lazy chunk) lists these, and the inbox says a new one
// out loud as it arrives.

/** What happened, from the reader's side, naming the contact when known: "Ben mentioned you on Priya Patel". */
export function notificationText(n: Notification, agents: readonly AgentWithLoad[], contact?: string): string {
  const actor = n.actor.type === 'agent' ? agents.find((a) => a.id === n.actor.id)?.name.split(/\s+/)[0] : n.actor.type === 'workflow' ? (n.rule ? `Rule ${n.rule.name}` : 'A rule') : undefined;
  const on = contact ?? 'a conversation';
  switch (n.type) {
    case 'mentioned':
      return `${actor ?? 'Someone'} mentioned you on ${on}`;
    case 'assigned':
      return `${actor ?? 'Someone'} assigned ${on} to you`;
    case 'reopened':
      return contact ? `${contact} wrote again: reopened` : 'A conversation assigned to you was reopened';
    case 'queued_timeout':
      return `${contact ?? 'A conversation'} has waited too long in the queue`;
  }
}
