import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '@baton/protocol';
import type { Server, Socket } from 'socket.io';

/** The Socket.IO server and socket, typed by the protocol's event maps. */
export type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type BatonSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** DESIGN §7's rooms: a workspace's sockets, an agent's sockets (all tabs), a conversation's viewers. */
export const rooms = {
  workspace: (id: string) => `ws:${id}`,
  agent: (id: string) => `agent:${id}`,
  conversation: (id: string) => `conv:${id}`,
};

/** Emits a server event whose name is only known at run time (an `Emission`'s). */
export const emitTo = (target: { emit: (...args: never[]) => unknown }, event: string, payload: unknown) =>
  (target.emit as (event: string, payload: unknown) => void)(event, payload);
