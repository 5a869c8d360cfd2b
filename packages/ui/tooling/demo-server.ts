// The lifecycle of the real Baton server an element's browser tests run against (see
// demoServerPlugin in ./web-test-runner.mjs): the element's test/demo-server.ts starts and prepares
// the server, then hands it here.

/**
 * Prints `info` as one JSON line — the runner waits for that line and serves it to the browser —
 * then serves until stdin closes or the process is signalled, so the server never outlives the
 * test runner.
 */
export function serveUntilRunnerStops(server: { close(): Promise<unknown> }, info: unknown): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
