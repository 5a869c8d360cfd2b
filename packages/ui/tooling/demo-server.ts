// The lifecycle of the real Baton server an element's browser tests run against (see
// demoServerPlugin in ./web-test-runner.mjs): the element's test/demo-server.ts starts and prepares
// the server, then hands it here.

/** A close that takes longer is a fault of the server: it is reported, and the process exits anyway. */
const CLOSE_WAIT_MS = 10_000;

/**
 * Prints `info` as one JSON line — the runner waits for that line and serves it to the browser —
 * then serves until stdin closes or the process is signalled, so the server never outlives the
 * test runner.
 */
export function serveUntilRunnerStops(server: { close(): Promise<unknown> }, info: unknown, { closeWaitMs = CLOSE_WAIT_MS } = {}): void {
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    const late = setTimeout(() => {
      // What is still open names the part of the server that did not close.
      process.stderr.write(`The test server did not close within ${closeWaitMs / 1000} s; still active: ${process.getActiveResourcesInfo().join(', ')}\n`);
      process.exit(1);
    }, closeWaitMs);
    await server.close();
    clearTimeout(late);
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Last: once the runner has this line it may stop the server at any moment.
  process.stdout.write(`${JSON.stringify(info)}\n`);
}
