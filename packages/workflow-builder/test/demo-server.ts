// Starts a Baton server on a loopback port with an in-memory database for the browser tests.
// Prints one JSON line (URL and the server admin token, with which each test creates its own
// workspace), then serves until stdin closes or it is signalled, so it never outlives the runner.
import { startServer } from '@baton/server';

const adminToken = 'wb-test-admin-token-0123456789abcdef';
const server = await startServer({ host: '127.0.0.1', port: 0, db: ':memory:', pollMs: 50, adminToken });
process.stdout.write(`${JSON.stringify({ url: server.url, adminToken })}\n`);

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
