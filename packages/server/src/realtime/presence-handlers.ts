import { TypingBody, ViewingBody, type PresenceState, type TypingKind } from '@baton/protocol';
import type { Deps } from '../deps.js';
import type { OutboxConsumer } from '../outbox/relay.js';
import { findConversation } from '../storage/conversations.js';
import { onClientEvent } from './client-events.js';
import type { SocketFanOut } from './fan-out.js';
import { rooms, type BatonSocket, type Io } from './io.js';

/**
 * What each agent last said they were typing, per conversation: the board (realtime/presence.ts)
 * keeps who types and lets it lapse; the kind rides beside it here, keyed by the board so each
 * server (tests start several in one process) has its own. A lapsed typist is not in `typing`, so a
 * stale kind here says nothing; entries go when the agent's socket leaves the conversation.
 */
const kindsByBoard = new WeakMap<Deps['presence'], Map<string, Map<string, TypingKind>>>();

function kindsOf(board: Deps['presence']): Map<string, Map<string, TypingKind>> {
  let kinds = kindsByBoard.get(board);
  if (!kinds) kindsByBoard.set(board, (kinds = new Map()));
  return kinds;
}

/** The board's state with `typingNotes` (who of the typists writes an internal note), left out when nobody does. */
function withKinds(board: Deps['presence'], state: PresenceState): PresenceState {
  const kinds = kindsOf(board).get(state.conversationId);
  const typingNotes = state.typing.filter((agentId) => kinds?.get(agentId) === 'note');
  return typingNotes.length ? { ...state, typingNotes } : state;
}

function forgetKind(board: Deps['presence'], conversationId: string, agentId: string): void {
  const kinds = kindsOf(board);
  kinds.get(conversationId)?.delete(agentId);
  if (kinds.get(conversationId)?.size === 0) kinds.delete(conversationId);
}

/**
 * Sends every change of the presence board (realtime/presence.ts) to the conversation's viewers, as
 * `presence:updated` with the workspace's delivered seq (presence is not a change: it is never
 * replayed, and carries the seq only so clients keep one notion of "latest"). Returns the unsubscribe.
 */
export function broadcastPresence(io: Io, deps: Deps, fanOut: SocketFanOut): () => void {
  // The board names the workspace (each change comes from one of its sockets), so no query runs
  // per keystroke event; the fan-out has the workspace's seq in memory once it has delivered or looked it up.
  return deps.presence.subscribe((conversationId, workspaceId, state) => {
    const presence = withKinds(deps.presence, state);
    void fanOut.deliveredSeq(workspaceId).then((seq) => io.to(rooms.conversation(conversationId)).emit('presence:updated', { seq, presence }));
  });
}

/**
 * The socket's `presence:viewing` and `presence:typing` handlers (the collision warning: "Ben is
 * viewing", "Ben is typing a reply", "Ana is typing a note"), and leaving the board when it disconnects. Payloads are parsed with
 * the protocol's schemas; a conversation of another workspace is `not_found`.
 */
export function handlePresence(socket: BatonSocket, deps: Deps): void {
  const { db } = deps.storage;
  const presence = deps.presence;
  const { workspaceId, agentId } = socket.data;

  onClientEvent(socket, 'presence:viewing', deps.clock, async (body, answer) => {
    const parsed = ViewingBody.safeParse(body);
    if (!parsed.success) return answer({ ok: false, error: { code: 'validation_failed', message: 'expected { conversationId }' } });
    const target = parsed.data.conversationId;
    if (target && !(await findConversation(db, workspaceId, target))) {
      return answer({ ok: false, error: { code: 'not_found', message: 'conversation not found' } });
    }
    if (socket.data.viewing && socket.data.viewing !== target) {
      const previous = socket.data.viewing;
      await socket.leave(rooms.conversation(previous));
      forgetKind(presence, previous, agentId);
      presence.leave(socket.id, previous);
    }
    socket.data.viewing = target;
    if (!target) return answer({ ok: true, data: null });
    await socket.join(rooms.conversation(target));
    answer({ ok: true, data: withKinds(presence, presence.view(socket.id, agentId, workspaceId, target)) });
  });

  onClientEvent(socket, 'presence:typing', deps.clock, (body, answer) => {
    const parsed = TypingBody.safeParse(body);
    if (!parsed.success) return answer({ ok: false, error: { code: 'validation_failed', message: "expected { conversationId, kind?: 'reply' | 'note' }" } });
    if (socket.data.viewing !== parsed.data.conversationId) {
      return answer({ ok: false, error: { code: 'bad_request', message: 'send presence:viewing for this conversation first' } });
    }
    const { conversationId, kind = 'reply' } = parsed.data;
    // Recorded before the board announces the change, so the broadcast carries it.
    const kinds = kindsOf(presence);
    if (!kinds.has(conversationId)) kinds.set(conversationId, new Map());
    kinds.get(conversationId)!.set(agentId, kind);
    answer({ ok: true, data: withKinds(presence, presence.typing(socket.id, agentId, workspaceId, conversationId)) });
  });

  socket.on('disconnect', () => {
    if (socket.data.viewing) forgetKind(presence, socket.data.viewing, agentId);
    if (socket.data.viewing) presence.leave(socket.id, socket.data.viewing);
  });
}

/**
 * Ends an agent's typing in a conversation once their reply or note there has committed: without
 * it "Ana is typing a reply" stayed up to 6 s beside the reply itself. An outbox consumer, so the
 * node holding the typist's socket hears of a message written through any node.
 */
export function typingEndsWithSend(deps: Deps): OutboxConsumer {
  return {
    name: 'presence-sent',
    durable: false,
    handle: async (records) => {
      for (const record of records) {
        if (record.type !== 'message.created' && record.type !== 'note.created') continue;
        for (const item of record.payload.items) {
          const author = item.kind === 'message' || item.kind === 'note' ? item.author : null;
          if (author?.type === 'agent' && author.id) deps.presence.sent(author.id, item.conversationId);
        }
      }
    },
  };
}
