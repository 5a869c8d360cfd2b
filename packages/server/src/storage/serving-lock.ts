import pg from 'pg';
import type { Clock, TimerHandle } from '../clock.js';
import { StorageUnavailable } from './unavailable.js';

/**
 * The serving lock's key, in the server's own key space: `pg_advisory_lock(bigint)` is shared by
 * every client of the database, so it is a fixed, arbitrary number nothing else is expected to use.
 */
const SERVING_LOCK = 0x6261746f6e02n; // "baton" 02

/** Waits between tries to take the lock back: quick at first (a blip), then every few seconds (a restart). */
const RETAKE_AFTER_MS = [0, 250, 500, 1_000, 2_000, 5_000];

/**
 * A connection for the lock's own work (taking it, ending an old session of this node's), not
 * yet connected. It listens for errors until `watch` takes over: an error on a client nobody
 * listens to would end the process.
 */
function lockClient(url: string): pg.Client {
  const client = new pg.Client({
    connectionString: url,
    // Named, so an operator sees it in pg_stat_activity for what it is.
    application_name: 'baton serving lock',
    // A connection cut without a word (a partition) is noticed by TCP keepalive: probes from 10 s
    // of silence, not the system's default two hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // A server that does not answer at all (a dropped route) fails the try instead of holding it,
    // and a shutdown waiting for it, for the system's connect timeout.
    connectionTimeoutMillis: 10_000,
  });
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

  private constructor(
    private readonly url: string,
    private readonly clock: Clock,
    private readonly onLost: (error: Error) => void,
    private session: Session,
  ) {
    this.watch(session.client);
  }

  /** Takes the lock for a node that is starting; `AnotherNodeServing` if a node holds it. */
  static async take(url: string, options: { clock: Clock; onLost: (error: Error) => void }): Promise<ServingLock> {
    const attempt = await ServingLock.tryLock(url);
    if (!('session' in attempt)) throw new AnotherNodeServing();
    return new ServingLock(url, options.clock, options.onLost, attempt.session);
  }

  /**
   * A session holding the lock, or the backend (pid) of the session that holds it. Throws when the
   * server cannot be reached.
   */
  private static async tryLock(url: string): Promise<{ session: Session } | { heldBy: number | null }> {
    const client = lockClient(url);
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
    await this.trying;
    if (wasHeld) await this.session.client.end().catch(() => {});
  }

  private watch(client: pg.Client): void {
    const gone = (error?: Error) => {
      if (client !== this.session.client || this.state_ !== 'held') return;
      console.error('[baton] lost the connection holding the serving lock; refusing writes until it is taken back', error ?? '');
      this.state_ = 'retaking';
      this.tries = 0;
      this.schedule();
    };
    client.removeAllListeners('error');
    client.on('error', gone);
    client.on('end', () => gone());
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
      attempt = await ServingLock.tryLock(this.url);
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
    this.onLost(error);
  }

  /** Ends the backend of this node's previous session, which still holds the lock. */
  private async endOldSession(): Promise<void> {
    const client = lockClient(this.url);
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
