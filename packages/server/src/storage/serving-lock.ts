import pg from 'pg';
import type { Clock, TimerHandle } from '../clock.js';
import { connectionOptions, dropConnection } from './pg-connections.js';
import { StorageUnavailable } from './unavailable.js';

/**
 * The serving lock's key, in the server's own key space: `pg_advisory_lock(bigint)` is shared by
 * every client of the database, so it is a fixed, arbitrary number nothing else is expected to use.
 */
const SERVING_LOCK = 0x6261746f6e02n; // "baton" 02

/** Waits between tries to take the lock back: quick at first (a blip), then every few seconds (a restart). */
const RETAKE_AFTER_MS = [0, 250, 500, 1_000, 2_000, 5_000];

/** How often, on the node's clock, the lock's session is asked whether it is still there. */
export const HEARTBEAT_EVERY_MS = 5_000;

/** What `pg` rejects a query with when its `query_timeout` passes (pg/lib/client.js). */
const QUERY_TIMED_OUT = 'Query read timeout';

export interface ServingLockOptions {
  clock: Clock;
  /** Another node took the lock while this one was reconnecting; this node must stop. */
  onLost: (error: Error) => void;
  /**
   * How long a connect or the heartbeat waits for the server's answer, in real time, not on
   * `clock`: it bounds a network wait, and a test that moves its clock an hour ahead must not cut
   * a healthy connection whose answer is a millisecond away.
   */
  timeoutMs: number;
  /**
   * The heartbeat got no answer in time: the server is unreachable, so every other connection to
   * it (the pool's) is as dead as the lock's, and whatever waits on one would wait for TCP to give
   * up, many minutes. The listener drops them.
   */
  onUnreachable?: () => void;
}

/**
 * A connection for the lock's own work (taking it, ending an old session of this node's), not
 * yet connected. It listens for errors until `watch` takes over: an error on a client nobody
 * listens to would end the process.
 */
function lockClient(url: string, timeoutMs: number): pg.Client {
  // Named, so an operator sees it in pg_stat_activity for what it is.
  const client = new pg.Client({ ...connectionOptions(url, timeoutMs), application_name: 'baton serving lock' });
  client.on('error', () => {});
  return client;
}

export class AnotherNodeServing extends Error {
  constructor() {
    super(
      'another Baton node is serving this PostgreSQL database. Several nodes on one PostgreSQL database need REDIS_URL and ' +
        'the scale-out build, which this build is not (docs/decisions.md, "one node on PostgreSQL"); stop the other node or use another database',
    );
    this.name = 'AnotherNodeServing';
  }
}

/**
 * `held`: this node serves. `retaking`: the lock's connection was lost (the PostgreSQL server
 * restarted, a proxy cut it, someone ended its backend), which released the lock; writes wait
 * outside until it is taken back. `lost`: another node took it meanwhile; this node must stop.
 */
export type ServingState = 'held' | 'retaking' | 'lost' | 'released';

/** A connection holding the lock, and its backend's process id (pid in pg_locks). */
interface Session {
  client: pg.Client;
  pid: number;
}

/**
 * The session advisory lock that makes a node the only one serving a PostgreSQL database
 * (openPostgres says why there can be only one), on a connection of its own, outside the pool.
 *
 * A session lock lives as long as its connection. When that connection goes, the lock is gone,
 * and a second node could start and commit beside this one, which is what the lock exists to
 * prevent. So, from that moment, this node's writes are refused (`assertHeld`, called in every
 * unit of work before it writes) and the lock is taken back on a new connection, on the injected
 * clock, as soon as the server answers. If the lock is still held by this node's old session (the
 * connection was cut on this side only, and the server has not noticed), that session is ended
 * first. If another node took it, this one has lost it for good: its writes stay refused and
 * `onLost` is told, so the process can stop.
 */
export class ServingLock {
  private state_: ServingState = 'held';
  private tries = 0;
  private timer: TimerHandle | null = null;
  /** The try running now, so `release` does not leave a connection behind it. */
  private trying: Promise<void> | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  /** The heartbeat in flight, which `release` waits for, as for a try. */
  private beating: Promise<void> | null = null;
  private readonly clock: Clock;

  private constructor(
    private readonly url: string,
    private readonly options: ServingLockOptions,
    private session: Session,
  ) {
    this.clock = options.clock;
    this.watch(session.client);
    this.scheduleHeartbeat();
  }

  /** Takes the lock for a node that is starting; `AnotherNodeServing` if a node holds it. */
  static async take(url: string, options: ServingLockOptions): Promise<ServingLock> {
    const attempt = await ServingLock.tryLock(url, options.timeoutMs);
    if (!('session' in attempt)) throw new AnotherNodeServing();
    return new ServingLock(url, options, attempt.session);
  }

  /**
   * A session holding the lock, or the backend (pid) of the session that holds it. Throws when the
   * server cannot be reached.
   */
  private static async tryLock(url: string, timeoutMs: number): Promise<{ session: Session } | { heldBy: number | null }> {
    const client = lockClient(url, timeoutMs);
    try {
      await client.connect();
      const key = SERVING_LOCK.toString();
      const { rows } = await client.query<{ locked: boolean; pid: number }>('select pg_try_advisory_lock($1) as locked, pg_backend_pid() as pid', [key]);
      if (rows[0]?.locked) return { session: { client, pid: rows[0].pid } };
      // A bigint advisory key shows in pg_locks as its high and low 32 bits (classid, objid).
      const holder = await client.query<{ pid: number }>(
        `select pid from pg_locks where locktype = 'advisory' and granted and objsubid = 1
           and database = (select oid from pg_database where datname = current_database())
           and (classid::bigint << 32 | objid::bigint) = $1::bigint`,
        [key],
      );
      await client.end().catch(() => {});
      return { heldBy: holder.rows[0]?.pid ?? null };
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  get state(): ServingState {
    return this.state_;
  }

  /** Why this node may not write now, or null while it holds the lock. */
  why(): string | null {
    switch (this.state_) {
      case 'held':
        return null;
      case 'retaking':
        return 'this node lost its PostgreSQL connection and is reconnecting; try again in a moment';
      case 'lost':
        return 'another Baton node now serves this database; this node is stopping';
      case 'released':
        return 'this node is shutting down';
    }
  }

  /** Throws `StorageUnavailable` unless this node holds the lock now. */
  assertHeld(): void {
    const why = this.why();
    if (why) throw new StorageUnavailable(why);
  }

  /** Ends the lock's session, and so the lock. */
  async release(): Promise<void> {
    if (this.state_ === 'released') return;
    const wasHeld = this.state_ === 'held';
    this.state_ = 'released';
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.stopHeartbeat();
    await Promise.all([this.trying, this.beating]);
    if (wasHeld) await this.session.client.end().catch(() => {});
  }

  private watch(client: pg.Client): void {
    const gone = (error?: Error) => {
      if (client !== this.session.client || this.state_ !== 'held') return;
      console.error('[baton] lost the connection holding the serving lock; refusing writes until it is taken back', error ?? '');
      this.state_ = 'retaking';
      this.tries = 0;
      this.stopHeartbeat();
      this.schedule();
    };
    client.removeAllListeners('error');
    client.on('error', gone);
    client.on('end', () => gone());
  }

  /**
   * A connection can die without a word: a partition drops packets and sends no reset, and TCP
   * keepalive gives up only after ~11 minutes with Linux's defaults (Node cannot set the probes'
   * interval or count). Meanwhile the node would answer /healthz with 200 and hold its writes on
   * connections nobody answers. So every `HEARTBEAT_EVERY_MS` on the clock the lock's session runs
   * `select 1`, and an answer that does not come within `timeoutMs` ends that session here
   * (writes are refused, and the lock is taken back as after any other loss) and, through
   * `onUnreachable`, the pool's connections too.
   */
  private scheduleHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatTimer = null;
      this.beating = this.heartbeat().finally(() => (this.beating = null));
    }, HEARTBEAT_EVERY_MS);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) this.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async heartbeat(): Promise<void> {
    if (this.state_ !== 'held') return;
    const { client } = this.session;
    const { timeoutMs } = this.options;
    try {
      // pg reads `query_timeout` from a query's config too (pg/lib/client.js); @types/pg lists it only on the client's.
      await client.query({ text: 'select 1', query_timeout: timeoutMs } as pg.QueryConfig);
    } catch (error) {
      // A connection that failed by itself has already been handled by `watch`.
      if (client !== this.session.client || this.state_ !== 'held') return;
      if (error instanceof Error && error.message === QUERY_TIMED_OUT) {
        console.error(`[baton] PostgreSQL did not answer the serving lock's heartbeat within ${timeoutMs} ms; dropping its connections`);
        this.options.onUnreachable?.();
      } else {
        console.error("[baton] the serving lock's heartbeat failed; reconnecting", error);
      }
      // Its `end` moves this lock to retaking (`watch`).
      dropConnection(client);
      return;
    }
    if (client === this.session.client && this.state_ === 'held') this.scheduleHeartbeat();
  }

  private schedule(): void {
    const wait = RETAKE_AFTER_MS[Math.min(this.tries, RETAKE_AFTER_MS.length - 1)]!;
    this.tries++;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.trying = this.retake().finally(() => (this.trying = null));
    }, wait);
  }

  private async retake(): Promise<void> {
    if (this.state_ !== 'retaking') return;
    let attempt: Awaited<ReturnType<typeof ServingLock.tryLock>>;
    try {
      attempt = await ServingLock.tryLock(this.url, this.options.timeoutMs);
    } catch (error) {
      // The server does not answer yet (restarting): try again later.
      if (this.state_ === 'retaking') {
        console.error('[baton] could not reach PostgreSQL to take the serving lock back; will retry', error);
        this.schedule();
      }
      return;
    }
    if (this.state_ !== 'retaking') {
      // Released while connecting: let go of what was just taken.
      if ('session' in attempt) await attempt.session.client.end().catch(() => {});
      return;
    }
    if ('session' in attempt) {
      this.session = attempt.session;
      this.watch(attempt.session.client);
      this.state_ = 'held';
      this.scheduleHeartbeat();
      console.error('[baton] took the serving lock back; writes resume');
      return;
    }
    if (attempt.heldBy === this.session.pid) {
      // Still held by this node's own old session: the connection was cut on this side only (a
      // proxy, a partition), and the server has not noticed. Ours to end; then the lock is free.
      await this.endOldSession();
      this.schedule();
      return;
    }
    this.state_ = 'lost';
    const error = new Error('another Baton node took the serving lock while this node was reconnecting to PostgreSQL; this node must stop');
    console.error(`[baton] ${error.message}`);
    this.options.onLost(error);
  }

  /** Ends the backend of this node's previous session, which still holds the lock. */
  private async endOldSession(): Promise<void> {
    const client = lockClient(this.url, this.options.timeoutMs);
    try {
      await client.connect();
      await client.query('select pg_terminate_backend($1)', [this.session.pid]);
      console.error(`[baton] ended this node's previous session (backend ${this.session.pid}), which still held the serving lock`);
    } catch (error) {
      console.error('[baton] could not end the previous session holding the serving lock; will retry', error);
    } finally {
      await client.end().catch(() => {});
    }
  }
}
