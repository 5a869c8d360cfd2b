// Starts a Baton server on a loopback port with an in-memory database for the browser tests.
// Hands the runner one JSON line: the URL and the server admin token, with which each test
// creates its own workspace.
import { startServer } from '@baton/server';
import { serveUntilRunnerStops } from '@baton/ui/tooling/demo-server';

const adminToken = 'wb-test-admin-token-0123456789abcdef';
const server = await startServer({ host: '127.0.0.1', port: 0, db: ':memory:', pollMs: 50, adminToken });
serveUntilRunnerStops(server, { url: server.url, adminToken });
