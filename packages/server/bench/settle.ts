/**
 * Waits until a server is idle: under 10% of a CPU for 400 ms, or 60 s at most. The window is
 * longer than the search indexer's wake-up delay (250 ms), so its last pass is counted here too.
 * `cpuMicros` asks the server for the CPU time it has used so far. The benchmarks call it after
 * each load (and after seeding): the work a load leaves behind (outbox consumers, the rules runner
 * catching up) counts toward that load, and must not run on into the next server's round, where it
 * slowed the other server and hid its own cost (docs/benchmarks.md, session 4).
 */
export async function settle(cpuMicros: () => Promise<number>): Promise<void> {
  const windowMs = 400;
  for (let i = 0; i < 150; i++) {
    const before = await cpuMicros();
    await new Promise((r) => setTimeout(r, windowMs));
    if ((await cpuMicros()) - before < windowMs * 100) return;
  }
}
