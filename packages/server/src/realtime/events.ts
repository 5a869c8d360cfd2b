import type { Agent, ServerToClientEvents } from '@baton/protocol';
import type { OutboxRecord } from '../outbox/relay.js';

export type Emission = {
  [E in keyof ServerToClientEvents]: { room: 'workspace' | { agent: string }; event: E; payload: Parameters<ServerToClientEvents[E]>[0] };
}[keyof ServerToClientEvents];

/**
 * The socket events one committed change produces. Live fan-out and replay after reconnect both
 * use this, so a client that reconnects sees exactly what a connected one saw.
 */
export function emissionsOf(record: OutboxRecord): Emission[] {
  const { seq, payload } = record;
  const out: Emission[] = [];
  if (payload.conversation) {
    if (record.type === 'conversation.created') {
      out.push({ room: 'workspace', event: 'conversation:created', payload: { seq, conversation: payload.conversation } });
    } else if (record.type !== 'conversation.read' && record.type !== 'note.created') {
      out.push({ room: 'workspace', event: 'conversation:updated', payload: { seq, conversation: payload.conversation } });
    }
  }
  for (const item of payload.items) out.push({ room: 'workspace', event: 'timeline:added', payload: { seq, item } });
  for (const notification of payload.notifications) {
    out.push({ room: { agent: notification.agentId }, event: 'notification:created', payload: { seq, notification } });
  }
  if (record.type === 'conversation.read' && payload.conversation) {
    const agentId = payload.data?.agentId as string;
    const lastReadSeq = payload.data?.lastReadSeq as number;
    out.push({ room: { agent: agentId }, event: 'conversation:read', payload: { seq, conversationId: payload.conversation.id, lastReadSeq } });
  }
  const agent = payload.data?.agent as Agent | undefined;
  if (agent && (record.type === 'agent.created' || record.type === 'agent.updated')) {
    out.push({ room: 'workspace', event: 'agent:updated', payload: { seq, agent } });
  }
  return out;
}
