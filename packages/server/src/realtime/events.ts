import type { ServerToClientEvents } from '@baton/protocol';
import type { OutboxRecord } from '../outbox/changes.js';

export type Emission = {
  [E in keyof ServerToClientEvents]: { room: 'workspace' | { agent: string }; event: E; payload: Parameters<ServerToClientEvents[E]>[0] };
}[keyof ServerToClientEvents];

/**
 * The socket events one committed change produces. Live fan-out and replay after reconnect both
 * use this, so a client that reconnects sees exactly what a connected one saw. The switch is
 * exhaustive over the outbox's kinds: a new kind does not compile until it is placed here.
 */
export function emissionsOf(record: OutboxRecord): Emission[] {
  const { seq, payload } = record;
  const out: Emission[] = [];
  switch (record.type) {
    case 'conversation.created':
      out.push({ room: 'workspace', event: 'conversation:created', payload: { seq, conversation: record.payload.conversation } });
      break;
    case 'message.created':
    case 'conversation.assigned':
    case 'conversation.unassigned':
    case 'conversation.resolved':
    case 'conversation.reopened':
    case 'conversation.updated':
    case 'conversation.snoozed':
    case 'conversation.woke':
    case 'conversation.routed':
      out.push({ room: 'workspace', event: 'conversation:updated', payload: { seq, conversation: record.payload.conversation } });
      break;
    case 'note.created': // a note changes no field of the conversation
    case 'conversation.timer': // time passed; the rules it fires publish what they change
    case 'conversation.read': // only the reader's own state moved; told below, to them alone
    case 'agent.created': // told below, with the other agent and team changes
    case 'agent.updated':
    case 'team.created':
    case 'team.updated':
      break;
    case 'api_key.revoked': // no event: the sockets these end are closed (realtime/sessions.ts)
    case 'signing_key.retired':
      break;
    default:
      record satisfies never;
  }
  for (const item of payload.items) out.push({ room: 'workspace', event: 'timeline:added', payload: { seq, item } });
  for (const notification of payload.notifications) {
    out.push({ room: { agent: notification.agentId }, event: 'notification:created', payload: { seq, notification } });
  }
  if (record.type === 'conversation.read') {
    const { agentId, lastReadSeq } = record.payload.data;
    out.push({ room: { agent: agentId }, event: 'conversation:read', payload: { seq, conversationId: record.payload.conversation.id, lastReadSeq } });
  }
  if (record.type === 'agent.created' || record.type === 'agent.updated') {
    out.push({ room: 'workspace', event: 'agent:updated', payload: { seq, agent: record.payload.data.agent } });
  }
  // One event for a new team and a changed one, as for agents: clients put the team in its place by id.
  if (record.type === 'team.created' || record.type === 'team.updated') {
    out.push({ room: 'workspace', event: 'team:updated', payload: { seq, team: record.payload.data.team } });
  }
  return out;
}
