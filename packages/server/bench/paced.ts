import { Agent, request } from 'node:http';

export interface PacedLoad {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Requests a second, sent evenly spaced. */
  rate: number;
  seconds: number;
  connections: number;
}

export interface PacedResult {
  sent: number;
  /** 2xx responses. */
  ok: number;
  failed: number;
  /** Seconds from the first request to the last response. */
  duration: number;
  /** Response times, ms, sorted. */
  latencies: number[];
}

/**
 * An open-loop load: request i leaves at start + i / rate, whether or not earlier ones have been
 * answered, over at most `connections` keep-alive sockets (queued in the agent past that). autocannon's
 * `overallRate` is not this: each connection sends as fast as it can until its count for the current
 * second is used up, then waits for the next second, so the load arrives as one burst a second, and
 * what a burst leaves queued (here: ~100 ms of creates, then their routing) shows as latency that an
 * even arrival would not have.
 */
export async function pacedLoad(load: PacedLoad): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const target = new URL(load.path, load.url);
  const total = Math.round(load.rate * load.seconds);
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let sent = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  const send = () =>
    new Promise<void>((resolve) => {
      const at = performance.now();
      const req = request(target, { method: 'POST', agent, headers: { ...load.headers, 'content-length': Buffer.byteLength(load.body) } }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - at);
          if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) ok++;
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(load.body);
    });
  while (sent < total) {
    // Everything due by now leaves now (a timer fires late under load; the schedule does not slip).
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * load.rate) + 1);
    for (; sent < due; sent++) inFlight.push(send());
    const next = start + (sent / load.rate) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await Promise.all(inFlight);
  const duration = (performance.now() - start) / 1000;
  agent.destroy();
  return { sent, ok, failed, duration, latencies: latencies.sort((a, b) => a - b) };
}
