import type { Server as HttpServer } from 'node:http';
import type { SocketAuth } from '@baton/protocol';
import { Server, type ServerOptions as IoOptions } from 'socket.io';
import type { Deps } from '../deps.js';
import type { CountsSource } from './counts-source.js';
import { SocketFanOut } from './fan-out.js';
import { LiveCounts } from './live-counts.js';
import { handshake } from './handshake.js';
import { HandshakeBudget, type HandshakeAllowances } from './handshake-budget.js';
import type { BatonSocket, Io } from './io.js';
import { broadcastPresence, handlePresence, typingEndsWithSend } from './presence-handlers.js';
import { Replay, MAX_REPLAY } from './replay.js';
import { handleSessionRefresh } from './session-refresh.js';
import { MAX_SOCKETS_PER_AGENT, Sessions } from './sessions.js';

export { MAX_REPLAY } from './replay.js';
export { MAX_SOCKETS_PER_AGENT } from './sessions.js';

export interface RealtimeOptions {
  /** More missed changes than this and a reconnecting client reloads instead of replaying (default 500). */
  maxReplay?: number;
  /** Sockets an agent may hold on this node; the next one closes their oldest (default 10). */
  maxSocketsPerAgent?: number;
  /**
   * Set only when this process is the only Socket.IO node, i.e. with the default in-memory adapter
   * (`startServer` does): events for rooms with no socket here are then skipped. With any adapter
   * that spans nodes, leave it unset, so no node drops an event another node's sockets need.
   */
  singleNode?: boolean;
  /** A Socket.IO adapter for several nodes (e.g. Redis); the in-memory one by default. */
  adapter?: IoOptions['adapter'];
  /** Where counts come from (default: the counters each change carries, realtime/live-counts.ts). */
  counts?: CountsSource;
  /** Handshakes each agent and each workspace may make on this node (realtime/handshake-budget.ts). */
  handshakes?: HandshakeAllowances;
}

export interface Realtime {
  io: Io;
  close(): Promise<void>;
}

/**
 * Socket.IO on the app's HTTP server. Every event a client gets comes from a committed outbox row:
 * live through the relay (realtime/fan-out.ts), or replayed from the database after a reconnect
 * (realtime/replay.ts), so a restart loses nothing a client had not yet seen. Here the parts are
 * only wired together: the handshake (realtime/handshake.ts), the sessions a socket may keep
 * (realtime/sessions.ts), presence (realtime/presence-handlers.ts) and counts (realtime/live-counts.ts).
 */
export async function attachRealtime(httpServer: HttpServer, deps: Deps, options: RealtimeOptions = {}): Promise<Realtime> {
  const io: Io = new Server(httpServer, {
    serveClient: false,
    cors: { origin: true },
    maxHttpBufferSize: 64 * 1024,
    ...(options.adapter ? { adapter: options.adapter } : {}),
  });
  const counts = options.counts ?? new LiveCounts(deps.storage.db);
  const fanOut = new SocketFanOut(io, deps.storage.db, { singleNode: options.singleNode === true, counts });
  const sessions = new Sessions(deps.storage.db, deps.clock, options.maxSocketsPerAgent ?? MAX_SOCKETS_PER_AGENT);
  const replay = new Replay(deps.storage.db, fanOut, { maxReplay: options.maxReplay ?? MAX_REPLAY });
  const stopPresence = broadcastPresence(io, deps, fanOut);

  await deps.relay.register(fanOut.consumer);
  fanOut.startAt(deps.relay.positionOf(fanOut.consumer.name));
  await deps.relay.register(sessions.consumer);
  await deps.relay.register(typingEndsWithSend(deps));

  io.use(handshake(deps, new HandshakeBudget(deps.clock, options.handshakes)));
  io.on('connection', (socket: BatonSocket) => {
    if (!sessions.open(socket)) return;
    const { workspaceId, agentId } = socket.data;
    handlePresence(socket, deps);
    handleSessionRefresh(socket, deps, sessions);
    deps.availability.socketOpened(workspaceId, agentId);
    socket.on('disconnect', () => {
      deps.availability.socketClosed(workspaceId, agentId);
      // Forget the counts last sent once the agent has no socket left here; a new one gets them fresh.
      if (sessions.closed(socket)) counts.forget(workspaceId, agentId);
    });
    const { since } = socket.handshake.auth as SocketAuth;
    replay
      .run(socket, since)
      .then((ready) => ready && fanOut.sendInitialCounts(socket, ready.seq))
      .catch((error) => {
        console.error('[baton] socket replay failed', error);
        socket.disconnect(true);
      });
  });

  return {
    io,
    close: () =>
      new Promise<void>((resolve) => {
        stopPresence();
        io.close(() => resolve());
      }),
  };
}
