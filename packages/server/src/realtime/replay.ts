import type { ReadyEvent } from '@baton/protocol';
import type { OutboxRecord } from '../outbox/changes.js';
import { toRecord } from '../outbox/relay.js';
import type { Db } from '../storage/db.js';
import { prunedSeqOf } from '../storage/outbox.js';
import { emissionsOf } from './events.js';
import type { SocketFanOut } from './fan-out.js';
import { emitTo, rooms, type BatonSocket } from './io.js';

/**
 * More missed changes than this and a reconnecting client gets `ready { resync: true }` and reloads
 * from REST instead of replaying. A reload is a handful of requests; 500 changes are already about
 * 1,500 events, and a socket should not hold the server for thousands (docs/decisions.md).
 */
export const MAX_REPLAY = 500;
/** Changes read and sent per turn; the event loop (live fan-out, requests) runs between turns. */
export const REPLAY_PAGE = 50;

export interface ReplayOptions {
  maxReplay?: number;
  pageSize?: number;
}

/**
 * Catches a (re)connecting socket up and makes it live, without ever holding up the live fan-out.
 *
 * 1. The socket starts watching its workspace on the fan-out, which splits the workspace's changes
 *    at one outbox id: up to it they were broadcast before the socket joined anything; after it the
 *    watch buffers them (at most `maxReplay`).
 * 2. If the client sent `since`, the changes after it and up to that id are read from the database
 *    in pages of `pageSize` and sent. Pages of all replaying sockets take turns, one page per turn
 *    with the event loop in between, so a hundred reconnects cost the live path one page's wait.
 *    More than `maxReplay` missed (checked first, with one index probe) means `resync` instead, and
 *    so does a `since` older than the workspace's changes the retention sweep has deleted (checked
 *    before the pages and again after them, since a sweep may delete between the two).
 * 3. Then, without awaiting anything, the buffer is sent (skipping seqs already sent), the socket
 *    joins its rooms and gets `ready`: every change reaches it exactly once and in order, by replay,
 *    buffer or room.
 *
 * Replaying reads the database, so it works across restarts and on any node.
 */
export class Replay {
  private readonly maxReplay: number;
  private readonly pageSize: number;
  /** The end of the queue of turns; each turn is one page (or the size check) of one socket. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly fanOut: SocketFanOut,
    options: ReplayOptions = {},
  ) {
    this.maxReplay = options.maxReplay ?? MAX_REPLAY;
    this.pageSize = Math.max(1, Math.min(options.pageSize ?? REPLAY_PAGE, this.maxReplay));
  }

  /** Replays to the socket and makes it live; resolves with the `ready` it sent, or null if the socket left first. */
  async run(socket: BatonSocket, since: number | undefined): Promise<ReadyEvent | null> {
    const { workspaceId, agentId } = socket.data;
    const send = (record: OutboxRecord) => {
      // Only what the socket's rooms would have given it live.
      for (const e of emissionsOf(record)) if (e.room === 'workspace' || e.room.agent === agentId) emitTo(socket, e.event, e.payload);
    };
    const buffered: OutboxRecord[] = [];
    let overflow = false;
    // Without `since` there is nothing to catch up on: what is committed before `ready` is in its seq.
    const stopWatching =
      since === undefined
        ? () => {}
        : this.fanOut.watch(workspaceId, (record) => {
            if (buffered.length < this.maxReplay) buffered.push(record);
            else overflow = true;
          });
    const upTo = this.fanOut.position;
    try {
      let resync = false;
      let replayed = 0;
      /** The seq of the last change sent (or `since`): pages continue after it, the buffer skips up to it. */
      let cursor = since ?? 0;
      if (since !== undefined) {
        resync = await this.turn(async () => (await this.pruned(workspaceId, since)) || (await this.gapExceeds(workspaceId, since, upTo)));
        while (!resync) {
          const rows = await this.turn(() => (socket.disconnected ? Promise.resolve([]) : this.page(workspaceId, cursor, upTo)));
          if (socket.disconnected) return null;
          for (const row of rows) {
            const record = toRecord(row);
            send(record);
            cursor = record.seq;
          }
          replayed += rows.length;
          if (rows.length < this.pageSize) break;
        }
        // The sweep deletes rows and records their seq in one unit: read after the pages, this sees
        // any deletion that could have emptied part of them.
        if (!resync) resync = await this.pruned(workspaceId, since);
      }
      const deliveredSeq = await this.fanOut.deliveredSeq(workspaceId);
      if (socket.disconnected) return null;

      // From here to `ready` nothing awaits, so no change can be broadcast in between.
      stopWatching();
      // A burst of live changes larger than the cap while replaying: reload rather than hold them all.
      if (overflow) resync = true;
      if (since !== undefined && !resync) {
        for (const record of buffered) {
          if (record.seq <= cursor) continue;
          send(record);
          cursor = record.seq;
          replayed++;
        }
      }
      // Synchronous on the in-memory adapter (and on the cluster adapters built on it, which keep
      // rooms locally the same way), so the next broadcast already includes this socket.
      void socket.join([rooms.workspace(workspaceId), rooms.agent(agentId)]);
      // Everything sent was broadcast first, so this is at least the last seq the socket got.
      const seq = Math.max(deliveredSeq, this.fanOut.latestSeq(workspaceId) ?? 0);
      // A client ahead of the server saw data this database does not have (it was restored or
      // reset): what it holds is not ours to patch, so it reloads.
      if (since !== undefined && since > seq) resync = true;
      const ready: ReadyEvent = { seq, replayed, resync, agentId };
      socket.emit('ready', ready);
      return ready;
    } finally {
      stopWatching();
    }
  }

  /** Runs `fn` after every turn queued before it, with a pass of the event loop in between. */
  private turn<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Whether changes after `since` were deleted by the retention sweep. It deletes a prefix of the
   * outbox in id order, so per workspace what is left is exactly what follows the recorded seq.
   * (Seqs have gaps, timeline items take some, so "is row `since + 1` there" would not tell.)
   */
  private async pruned(workspaceId: string, since: number): Promise<boolean> {
    return (await prunedSeqOf(this.db, workspaceId)) > since;
  }

  /** Whether more than `maxReplay` changes of the workspace lie after `since` (up to `upTo`): one probe of the seq index. */
  private async gapExceeds(workspaceId: string, since: number, upTo: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('outbox')
      .select('seq')
      .where('workspace_id', '=', workspaceId)
      .where('seq', '>', since)
      .where('id', '<=', upTo)
      .orderBy('seq')
      .limit(1)
      .offset(this.maxReplay)
      .executeTakeFirst();
    return row !== undefined;
  }

  private page(workspaceId: string, after: number, upTo: number) {
    return this.db
      .selectFrom('outbox')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('seq', '>', after)
      .where('id', '<=', upTo)
      .orderBy('seq')
      .limit(this.pageSize)
      .execute();
  }
}
