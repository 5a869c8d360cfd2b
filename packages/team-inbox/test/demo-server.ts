// Starts a Baton server on a loopback port with the seeded demo workspace, for the browser tests
// that run against a real server. Hands the runner one JSON line (URL, agent ids, tokens, API key,
// and the server admin token, for a test that needs a workspace of its own).
import { mintAgentToken, seedDemoWorkspace, startServer } from '@baton/server';
import { serveUntilRunnerStops } from '@baton/ui/tooling/demo-server';

const adminToken = 'inbox-test-admin-token-0123456789abcdef';
const server = await startServer({ host: '127.0.0.1', port: 0, db: ':memory:', pollMs: 50, adminToken });
const demo = await seedDemoWorkspace(server.deps);
const tokens: Record<string, string> = {};
for (const [username, id] of Object.entries(demo.agents)) {
  tokens[username] = (await mintAgentToken(server.deps, demo.workspaceId, { agentId: id }, 3600)).token;
}
serveUntilRunnerStops(server, { url: server.url, agents: demo.agents, tokens, apiKey: demo.credentials?.apiKey, adminToken });
