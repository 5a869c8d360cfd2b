import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Small helpers shared by the benchmarks: percentiles, timing loops, event-loop stalls and a plain-text table. */

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest-rank: the smallest sample with at least p of the samples at or below it.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  n: number;
  median: number;
  p95: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, median: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

export interface LoopOptions {
  /** Untimed calls first, so the JIT and the page cache are warm. */
  warmup: number;
  /** Stop after this many timed iterations... */
  maxIterations: number;
  /** ...or once this much time is spent, whichever comes first... */
  budgetMs: number;
  /** ...but never with fewer samples than this. */
  minIterations: number;
}

/**
 * Times several variants of one operation, interleaved (A, B, A, B…) so drift in the machine
 * (page cache, CPU frequency, a neighbour) lands on all of them alike. Returns ms samples per variant.
 */
export async function timeInterleaved(variants: (() => unknown)[], options: LoopOptions): Promise<number[][]> {
  for (let i = 0; i < options.warmup; i++) for (const run of variants) await run();
  const samples = variants.map(() => [] as number[]);
  const started = performance.now();
  for (let i = 0; i < options.maxIterations; i++) {
    if (i >= options.minIterations && performance.now() - started > options.budgetMs) break;
    for (let v = 0; v < variants.length; v++) {
      const t0 = performance.now();
      await variants[v]!();
      samples[v]!.push(performance.now() - t0);
    }
  }
  return samples;
}

/**
 * Like timeInterleaved, but also records the CPU time the process used in each call (user +
 * system, all threads; in practice the main thread, since libsql runs queries synchronously on it).
 * On a busy machine wall time includes the time the process waited for a CPU; CPU time does not,
 * so the two together tell a slow query from a preempted one.
 */
export async function timeInterleavedCpu(variants: (() => unknown)[], options: LoopOptions): Promise<{ wall: number[][]; cpu: number[][] }> {
  for (let i = 0; i < options.warmup; i++) for (const run of variants) await run();
  const wall = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  const started = performance.now();
  for (let i = 0; i < options.maxIterations; i++) {
    if (i >= options.minIterations && performance.now() - started > options.budgetMs) break;
    for (let v = 0; v < variants.length; v++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await variants[v]!();
      wall[v]!.push(performance.now() - t0);
      const used = process.cpuUsage(c0);
      cpu[v]!.push((used.user + used.system) / 1000);
    }
  }
  return { wall, cpu };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The longest the event loop was held, in ms: by the clock, and in CPU time. */
export interface Stall {
  /** `monitorEventLoopDelay`'s maximum: includes any time a neighbour had the CPU. */
  wall: number;
  /** The most CPU time one turn of the loop used: the same stretch without the neighbours. */
  cpu: number;
}

/**
 * Calls `run` `calls` times, with a turn of the event loop between calls, and returns the longest
 * the loop was held meanwhile: the maximum of `monitorEventLoopDelay` (1 ms resolution; its timer
 * fires late by as long as synchronous work keeps the loop from it), and the most CPU time spent
 * between two turns of the loop (a `setImmediate` chain), which a busy machine does not inflate.
 * libsql runs queries synchronously on the loop, so this is the longest single stretch of work that
 * nothing else (another request, a socket) could interleave with.
 */
export async function loopStalls(run: () => unknown, calls: number): Promise<Stall> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let cpu = 0;
  let last = process.cpuUsage();
  let turning = true;
  const turn = () => {
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    cpu = Math.max(cpu, (used.user + used.system) / 1000);
    if (turning) setImmediate(turn);
  };
  await new Promise((resolve) => setTimeout(resolve, 3)); // the timer is running
  setImmediate(turn);
  for (let i = 0; i < calls; i++) {
    await run();
    await nextTurn();
  }
  await new Promise((resolve) => setTimeout(resolve, 3)); // the last call's stretch is recorded
  turning = false;
  histogram.disable();
  return { wall: histogram.max / 1e6, cpu };
}

export const stall = (s: Stall) => `${ms(s.wall)} (${ms(s.cpu)})`;

export const ms = (value: number) => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)) : '–');
export const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

/** Renders rows as an aligned, pipe-separated table (valid Markdown, readable in a terminal). */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-\d.,×%<>~ –]+$|^–$/.test(String(r[i] ?? ''))));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (numeric[i] ? (c ?? '').padStart(widths[i]!) : (c ?? '').padEnd(widths[i]!))).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}
