import { TypingBody, ViewingBody } from '@baton/protocol';
import type { Deps } from '../deps.js';
import { findConversation } from '../storage/conversations.js';
import type { SocketFanOut } from './fan-out.js';
import { rooms, type BatonSocket, type Io } from './io.js';

/**
 * Sends every change of the presence board (realtime/presence.ts) to the conversation's viewers, as
 * `presence:updated` with the workspace's delivered seq (presence is not a change: it is never
 * replayed, and carries the seq only so clients keep one notion of "latest"). Returns the unsubscribe.
 */
export function broadcastPresence(io: Io, deps: Deps, fanOut: SocketFanOut): () => void {
  const { db } = deps.storage;
  const seqOf = async (conversationId: string) => {
    const row = await db.selectFrom('conversations').select('workspace_id').where('id', '=', conversationId).executeTakeFirst();
    return row ? fanOut.deliveredSeq(row.workspace_id) : 0;
  };
  return deps.presence.subscribe((conversationId, state) => {
    void seqOf(conversationId).then((seq) => io.to(rooms.conversation(conversationId)).emit('presence:updated', { seq, presence: state }));
  });
}

/**
 * The socket's `presence:viewing` and `presence:typing` handlers (the collision warning: "Ben is
 * viewing", "Ben is typing"), and leaving the board when it disconnects. Payloads are parsed with
 * the protocol's schemas; a conversation of another workspace is `not_found`.
 */
export function handlePresence(socket: BatonSocket, deps: Deps): void {
  const { db } = deps.storage;
  const presence = deps.presence;
  const { workspaceId, agentId } = socket.data;

  socket.on('presence:viewing', async (body, ack) => {
    const parsed = ViewingBody.safeParse(body);
    if (!parsed.success) return ack?.({ ok: false, error: { code: 'validation_failed', message: 'expected { conversationId }' } });
    const target = parsed.data.conversationId;
    if (target && !(await findConversation(db, workspaceId, target))) {
      return ack?.({ ok: false, error: { code: 'not_found', message: 'conversation not found' } });
    }
    if (socket.data.viewing && socket.data.viewing !== target) {
      const previous = socket.data.viewing;
      await socket.leave(rooms.conversation(previous));
      presence.leave(socket.id, previous);
    }
    socket.data.viewing = target;
    if (!target) return ack?.({ ok: true, data: null });
    await socket.join(rooms.conversation(target));
    ack?.({ ok: true, data: presence.view(socket.id, agentId, target) });
  });

  socket.on('presence:typing', (body, ack) => {
    const parsed = TypingBody.safeParse(body);
    if (!parsed.success) return ack?.({ ok: false, error: { code: 'validation_failed', message: 'expected { conversationId }' } });
    if (socket.data.viewing !== parsed.data.conversationId) {
      return ack?.({ ok: false, error: { code: 'bad_request', message: 'send presence:viewing for this conversation first' } });
    }
    ack?.({ ok: true, data: presence.typing(socket.id, agentId, parsed.data.conversationId) });
  });

  socket.on('disconnect', () => {
    if (socket.data.viewing) presence.leave(socket.id, socket.data.viewing);
  });
}
