import type { Db } from '../storage/db.js';
import { prunedSeqOf } from '../storage/outbox.js';
import type { OutboxRecord } from '../outbox/changes.js';
import { Mutex } from '../outbox/mutex.js';
import type { OutboxConsumer } from '../outbox/relay.js';
import type { CountsSource } from './counts-source.js';
import { emissionsOf, type Emission } from './events.js';
import { emitTo, rooms, type BatonSocket, type Io } from './io.js';

export const FANOUT_CONSUMER = 'socket-fanout';

export interface FanOutOptions {
  /**
   * This process is the only Socket.IO node (the in-memory adapter): a room with no socket here has
   * no members anywhere, so its events are not even encoded (most workspaces of a shared server
   * have nobody online at a given moment). Leave it off with any adapter that spans nodes: a room
   * empty here may have members on another node, and their events must still be sent.
   */
  singleNode: boolean;
  counts: CountsSource;
}

/**
 * The live half of realtime: a transient outbox consumer that turns each committed change into its
 * socket events (realtime/events.ts) for the workspace and agent rooms, then sends each online
 * agent their counts if they moved. Sockets still replaying (realtime/replay.ts) are in no room
 * yet; they `watch` their workspace instead and get the same changes through their replay.
 */
export class SocketFanOut {
  /** Outbox rows up to this id were broadcast by this node, or committed before it started. */
  private broadcastUpTo = 0;
  /** Per workspace, the seq of the last change this node broadcast (or found already broadcast). */
  private readonly delivered = new Map<string, number>();
  private readonly watchers = new Map<string, Set<(record: OutboxRecord) => void>>();
  /** Batch counts and a new socket's first counts take turns, so counts seqs never go back. */
  private readonly countsTurn = new Mutex();

  readonly consumer: OutboxConsumer = { name: FANOUT_CONSUMER, durable: false, handle: (records) => this.handle(records) };

  constructor(
    private readonly io: Io,
    private readonly db: Db,
    private readonly options: FanOutOptions,
  ) {}

  /** Where the relay placed the consumer when it registered (the end of the outbox). */
  startAt(position: number): void {
    this.broadcastUpTo = position;
  }

  /** Rows with an id up to this have reached every socket that was in their rooms. */
  get position(): number {
    return this.broadcastUpTo;
  }

  /**
   * Calls `fn` with every change of the workspace broadcast from now on, synchronously as it is
   * broadcast; returns the stop. Together with `position` this splits a workspace's changes into
   * "already broadcast" and "seen by `fn`" with nothing in between.
   */
  watch(workspaceId: string, fn: (record: OutboxRecord) => void): () => void {
    let set = this.watchers.get(workspaceId);
    if (!set) this.watchers.set(workspaceId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.watchers.get(workspaceId) === set) this.watchers.delete(workspaceId);
    };
  }

  /**
   * The seq of the workspace's last change this node has broadcast. Events never carry a seq beyond
   * it, so a client resuming from any seq it saw cannot skip a change committed but not delivered.
   */
  async deliveredSeq(workspaceId: string): Promise<number> {
    const known = this.delivered.get(workspaceId);
    if (known !== undefined) return known;
    const row = await this.db
      .selectFrom('outbox')
      .select('seq')
      .where('workspace_id', '=', workspaceId)
      .where('id', '<=', this.broadcastUpTo)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    // No row left: the retention sweep deleted them all, and it deletes only rows every consumer of
    // this node was handed, so the last of them is the last this node broadcast (0: never any).
    const found = row ? Number(row.seq) : await prunedSeqOf(this.db, workspaceId);
    // A change broadcast while the query ran is newer than what it found.
    const seq = this.delivered.get(workspaceId) ?? found;
    this.delivered.set(workspaceId, seq);
    return seq;
  }

  /** The seq of the workspace's last change this node broadcast, if it broadcast or looked one up since it started. */
  latestSeq(workspaceId: string): number | undefined {
    return this.delivered.get(workspaceId);
  }

  /** A socket's first counts, after its `ready`, in turn with the batches' (never an older seq after a newer one). */
  sendInitialCounts(socket: BatonSocket, readySeq: number): Promise<void> {
    const { workspaceId, agentId } = socket.data;
    return this.countsTurn.run(async () => {
      if (socket.disconnected) return;
      const counts = await this.options.counts.forAgent(workspaceId, agentId);
      socket.emit('counts:updated', { seq: Math.max(readySeq, this.delivered.get(workspaceId) ?? 0), counts });
    });
  }

  /** The agents with a socket in the workspace's room on this node (ready ones: replaying sockets are in no room). */
  onlineAgentsOf(workspaceId: string): Set<string> {
    const agents = new Set<string>();
    const nsp = this.io.of('/');
    for (const id of nsp.adapter.rooms.get(rooms.workspace(workspaceId)) ?? []) {
      const agentId = nsp.sockets.get(id)?.data.agentId;
      if (agentId) agents.add(agentId);
    }
    return agents;
  }

  private async handle(records: OutboxRecord[]): Promise<void> {
    for (const record of records) {
      for (const e of emissionsOf(record)) this.broadcast(record.workspaceId, e);
      this.delivered.set(record.workspaceId, record.seq);
      this.broadcastUpTo = record.id;
      const watching = this.watchers.get(record.workspaceId);
      if (watching) for (const fn of watching) fn(record);
    }
    await this.countsTurn.run(async () => {
      const updates = await this.options.counts.afterBatch(records, (workspaceId) => this.onlineAgentsOf(workspaceId));
      for (const u of updates) this.io.to(rooms.agent(u.agentId)).emit('counts:updated', { seq: u.seq, counts: u.counts });
    });
  }

  private broadcast(workspaceId: string, e: Emission): void {
    const room = e.room === 'workspace' ? rooms.workspace(workspaceId) : rooms.agent(e.room.agent);
    if (this.options.singleNode && !this.io.of('/').adapter.rooms.get(room)?.size) return;
    emitTo(this.io.to(room), e.event, e.payload);
  }
}
