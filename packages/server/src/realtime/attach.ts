import type { Server as HttpServer } from 'node:http';
import {
  SocketAuth,
  TypingBody,
  ViewingBody,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '@baton/protocol';
import { Server, type Socket } from 'socket.io';
import { authenticate } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import type { OutboxRecord } from '../outbox/changes.js';
import { toRecord } from '../outbox/relay.js';
import { findConversation } from '../storage/conversations.js';
import { findWorkspace } from '../storage/workspaces.js';
import { emissionsOf, type Emission } from './events.js';
import { LiveCounts } from './live-counts.js';

type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type BatonSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** More missed changes than this and the client is told to reload instead of replaying. */
export const MAX_REPLAY = 5000;
const CONSUMER = 'socket-fanout';

const rooms = {
  workspace: (id: string) => `ws:${id}`,
  agent: (id: string) => `agent:${id}`,
  conversation: (id: string) => `conv:${id}`,
};

export interface Realtime {
  io: Io;
  close(): Promise<void>;
}

/**
 * Socket.IO on the app's HTTP server. Every event a client gets comes from a committed outbox row:
 * live through the relay, or replayed from the database after a reconnect (`auth.since`), so a
 * restart of the server loses nothing a client had not yet seen.
 */
export async function attachRealtime(httpServer: HttpServer, deps: Deps, options: { maxReplay?: number } = {}): Promise<Realtime> {
  const maxReplay = options.maxReplay ?? MAX_REPLAY;
  const { db } = deps.storage;
  const io: Io = new Server(httpServer, { serveClient: false, cors: { origin: true }, maxHttpBufferSize: 64 * 1024 });
  const liveCounts = new LiveCounts(db);
  const expiry = new Map<string, ReturnType<typeof deps.clock.setTimeout>>();

  const presence = deps.presence;
  const unsubscribePresence = presence.subscribe((conversationId, state) => {
    void latestSeq(conversationId).then((seq) => io.to(rooms.conversation(conversationId)).emit('presence:updated', { seq, presence: state }));
  });
  /**
   * The seq of the last change of a workspace that this node has fanned out. Events a client
   * receives never carry a seq beyond it, so resuming from any seq it saw cannot skip a change
   * that was committed but not yet delivered.
   */
  const delivered = new Map<string, number>();
  const deliveredSeq = async (workspaceId: string, upToId = deps.relay.positionOf(CONSUMER)) => {
    const row = await db
      .selectFrom('outbox')
      .select('seq')
      .where('workspace_id', '=', workspaceId)
      .where('id', '<=', upToId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  };
  const latestSeq = async (conversationId: string) => {
    const row = await db.selectFrom('conversations').select('workspace_id').where('id', '=', conversationId).executeTakeFirst();
    if (!row) return 0;
    return delivered.get(row.workspace_id) ?? deliveredSeq(row.workspace_id);
  };

  const roomOf = (workspaceId: string, e: Emission) => (e.room === 'workspace' ? rooms.workspace(workspaceId) : rooms.agent(e.room.agent));
  // Captured before anything could replace the adapter: with this in-memory one (a single node), a
  // room without local sockets has no members anywhere, so its events are not even encoded. Most
  // workspaces of a shared server have nobody online at a given moment. Any other adapter (several
  // nodes) gets every event.
  const singleNodeAdapter = io.of('/').adapter.constructor;
  const hasMembers = (room: string) => io.of('/').adapter.constructor !== singleNodeAdapter || (io.of('/').adapter.rooms.get(room)?.size ?? 0) > 0;
  const broadcast = (workspaceId: string, e: Emission) => {
    const room = roomOf(workspaceId, e);
    if (hasMembers(room)) (io.to(room).emit as (event: string, payload: unknown) => void)(e.event, e.payload);
  };
  /** Replay to one socket: it gets only what its room membership would have given it live. */
  const replayTo = (socket: BatonSocket, e: Emission) => {
    if (e.room !== 'workspace' && e.room.agent !== socket.data.agentId) return;
    (socket.emit as (event: string, payload: unknown) => void)(e.event, e.payload);
  };

  const pushCounts = async (workspaceId: string, agentId: string, seq: number) => {
    io.to(rooms.agent(agentId)).emit('counts:updated', { seq, counts: await liveCounts.forAgent(workspaceId, agentId) });
  };
  const onlineAgentsOf = async (workspaceId: string) =>
    hasMembers(rooms.workspace(workspaceId)) ? new Set((await io.in(rooms.workspace(workspaceId)).fetchSockets()).map((s) => s.data.agentId)) : [];

  await deps.relay.register({
    name: CONSUMER,
    durable: false,
    async handle(records: OutboxRecord[]) {
      for (const record of records) {
        for (const e of emissionsOf(record)) broadcast(record.workspaceId, e);
        delivered.set(record.workspaceId, record.seq);
      }
      // Counts depend on who is asking (Mine, Mentioned, Unread): each online agent gets their own,
      // once per batch and only when they moved, computed from the counters the changes carry.
      for (const u of await liveCounts.afterBatch(records, onlineAgentsOf)) io.to(rooms.agent(u.agentId)).emit('counts:updated', { seq: u.seq, counts: u.counts });
    },
  });

  io.use(async (socket, next) => {
    const parsed = SocketAuth.safeParse(socket.handshake.auth);
    if (!parsed.success) return next(new Error('unauthorized'));
    const principal = await authenticate(db, deps.clock, undefined, parsed.data.token).catch(() => null);
    if (!principal || principal.kind !== 'agent') return next(new Error('unauthorized'));
    // Browsers always send Origin; it must be one the workspace lists. Server-side clients send none.
    const origin = socket.handshake.headers.origin;
    if (origin) {
      const workspace = await findWorkspace(db, principal.workspaceId);
      const allowed = workspace ? (JSON.parse(workspace.allowed_origins) as string[]) : [];
      if (!allowed.includes('*') && !allowed.includes(origin)) return next(new Error('origin not allowed'));
    }
    socket.data = { workspaceId: principal.workspaceId, agentId: principal.agentId, role: principal.role, tokenExp: principal.tokenExp, viewing: null };
    next();
  });

  io.on('connection', (socket: BatonSocket) => {
    const { workspaceId, agentId } = socket.data;
    const since = (socket.handshake.auth as SocketAuth).since;

    // Expired tokens do not keep a live feed: the client reconnects with a fresh one.
    const msLeft = socket.data.tokenExp * 1000 - deps.clock.now();
    expiry.set(socket.id, deps.clock.setTimeout(() => socket.disconnect(true), Math.max(0, msLeft)));

    void deps.relay
      .exclusive(async () => {
        // Between relay passes: rows up to `position` were fanned out before this socket joined,
        // rows after it will be fanned out to it live. Replay exactly the first set from `since`.
        const position = deps.relay.positionOf(CONSUMER);
        let replayed = 0;
        let resync = false;
        if (since !== undefined) {
          const rows = await db
            .selectFrom('outbox')
            .selectAll()
            .where('workspace_id', '=', workspaceId)
            .where('seq', '>', since)
            .where('id', '<=', position)
            .orderBy('id')
            .limit(maxReplay + 1)
            .execute();
          if (rows.length > maxReplay) resync = true;
          else {
            for (const row of rows) for (const e of emissionsOf(toRecord(row))) replayTo(socket, e);
            replayed = rows.length;
          }
        }
        await socket.join([rooms.workspace(workspaceId), rooms.agent(agentId)]);
        const seq = await deliveredSeq(workspaceId, position);
        // A client ahead of the server saw data this database does not have (it was restored or
        // reset): what it holds is not ours to patch, so it reloads.
        if (since !== undefined && since > seq) resync = true;
        socket.emit('ready', { seq, replayed, resync, agentId });
        await pushCounts(workspaceId, agentId, seq);
      })
      .catch((error) => {
        console.error('[baton] socket replay failed', error);
        socket.disconnect(true);
      });

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
      const timer = expiry.get(socket.id);
      if (timer) deps.clock.clearTimeout(timer);
      expiry.delete(socket.id);
      if (socket.data.viewing) presence.leave(socket.id, socket.data.viewing);
      // Forget the counts last sent once the agent has no socket left here; a new one gets them fresh.
      if (!io.sockets.adapter.rooms.get(rooms.agent(agentId))?.size) liveCounts.forget(workspaceId, agentId);
    });
  });

  return {
    io,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribePresence();
        io.close(() => resolve());
      }),
  };
}
