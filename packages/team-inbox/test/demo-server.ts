// Starts a Baton server on a loopback port with the seeded demo workspace, for the browser tests
// that run against a real server. Prints one JSON line (URL, agent ids, tokens, API key), then
// serves until stdin closes or it is signalled, so it never outlives the test runner.
import { mintAgentToken, seedDemoWorkspace, startServer } from '@baton/server';

const server = await startServer({ host: '127.0.0.1', port: 0, db: ':memory:', pollMs: 50 });
const demo = await seedDemoWorkspace(server.deps);
const tokens: Record<string, string> = {};
for (const [username, id] of Object.entries(demo.agents)) {
  tokens[username] = (await mintAgentToken(server.deps, demo.workspaceId, id, 3600)).token;
}
process.stdout.write(`${JSON.stringify({ url: server.url, agents: demo.agents, tokens, apiKey: demo.credentials?.apiKey })}\n`);

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
