import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { repeat, type Clock } from '../clock.js';

export interface CheckpointResult {
  /** WAL frames at the time of the checkpoint. */
  log: number;
  /** Frames copied back into the database file (all of them when equal to `log`). */
  checkpointed: number;
  busy: number;
}

type Reply = { ok: true; result: CheckpointResult } | { ok: false; error: string };

/** Pages the writer lets the WAL reach before it checkpoints itself (SQLite's default is 1,000). */
export const WRITER_CHECKPOINT_PAGES = 16_000;

// The worker is plain CommonJS evaluated from this string, so it runs the same under tsx and from
// compiled output; libsql is loaded by the path this module resolves.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
const db = new Database(workerData.file, { timeout: 5000 });
parentPort.on('message', (message) => {
  if (message === 'close') { db.close(); parentPort.close(); return; }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, result });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error) });
  }
});
`;

/**
 * WAL checkpoints on a worker thread, so the event loop never waits for them.
 *
 * In WAL mode SQLite copies the log back into the database file every 1,000 pages by default, on
 * the connection that commits: under write load that was a copy and an fsync every fraction of a
 * second on the event loop, the slowest requests' latency (docs/benchmarks.md). Here a second
 * connection, on its own thread, runs PASSIVE checkpoints (they never block the writer or readers)
 * on the injected clock's schedule; the writer's own automatic checkpoint stays as a backstop at
 * `WRITER_CHECKPOINT_PAGES`, should this one stop or fall behind.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private schedule: { stop(): void } | null = null;
  private running: Promise<CheckpointResult> | null = null;
  private settle: ((reply: Reply) => void) | null = null;
  private closed = false;
  /** Checkpoints finished so far. */
  completed = 0;

  constructor(
    file: string,
    private readonly clock: Clock,
    private readonly intervalMs = 200,
    private readonly onError: (error: unknown) => void = (error) => console.error('[baton] WAL checkpoint failed; will retry', error),
  ) {
    const libsql = createRequire(import.meta.url).resolve('libsql');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { libsql, file } });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.settle?.(reply));
    // A worker that died cannot answer: fail the checkpoint waiting on it, and stop scheduling.
    this.worker.on('error', (error) => {
      this.closed = true;
      this.schedule?.stop();
      this.settle?.({ ok: false, error: String(error) });
      this.onError(error);
    });
  }

  start(): void {
    if (this.closed || this.schedule) return;
    this.schedule = repeat(this.clock, this.intervalMs, () => this.checkpoint(), this.onError);
  }

  /** One checkpoint now (also what each scheduled tick does); one at a time. */
  checkpoint(): Promise<CheckpointResult> {
    if (this.closed) return Promise.reject(new Error('checkpointer closed'));
    return (this.running ??= new Promise<CheckpointResult>((resolve, reject) => {
      // Referenced only while a checkpoint is in flight: an idle checkpointer never keeps the process up.
      this.worker.ref();
      this.settle = (reply) => {
        this.worker.unref();
        this.settle = null;
        this.running = null;
        if (!reply.ok) return reject(new Error(reply.error));
        this.completed++;
        resolve(reply.result);
      };
      this.worker.postMessage('checkpoint');
    }));
  }

  /** Settles when no checkpoint is in flight. */
  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.schedule?.stop();
    await this.running?.catch(() => {});
    if (this.closed) return; // the worker died meanwhile
    this.closed = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref(); // until it has closed its connection and exited
    this.worker.postMessage('close');
    await exited;
  }
}
