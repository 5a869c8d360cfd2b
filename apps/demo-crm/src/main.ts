import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { listenPort, seedDemoWorkspace, serverOptionsFromEnv, startServer } from '@baton/server';
import { seedRules } from '@baton/rules/examples';
import { demoHost } from './host.js';

/**
 * `pnpm start`: Baton's server and the demo CRM on one port, on an embedded libsql file, with
 * the demo workspace seeded on first run.
 */
// Built by `pnpm start` (team-inbox's ensure-built) before this runs.
const inboxPackageDir = path.dirname(createRequire(import.meta.url).resolve('@baton/team-inbox/package.json'));
const inboxBundleFile = path.join(inboxPackageDir, 'dist/team-inbox.standalone.js');
const pushWorkerFile = path.join(inboxPackageDir, 'push-worker.js');
const builderBundleFile = path.join(path.dirname(createRequire(import.meta.url).resolve('@baton/workflow-builder/package.json')), 'dist/workflow-builder.standalone.js');
const port = listenPort(undefined);
const dataDir = path.resolve(process.env.BATON_DEMO_DATA ?? new URL('../.data', import.meta.url).pathname);
const dbFile = path.join(dataDir, 'demo.db');
const credentialsFile = path.join(dataDir, 'demo-credentials.json');

async function loadCredentials(): Promise<{ apiKey: string } | null> {
  try {
    return JSON.parse(await readFile(credentialsFile, 'utf8')) as { apiKey: string };
  } catch {
    return null;
  }
}

await mkdir(dataDir, { recursive: true });
let credentials = await loadCredentials();
if (!credentials) {
  // Secrets are only shown when a workspace is created, so without them start the demo afresh.
  await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(dbFile + suffix, { force: true })));
}

const server = await startServer({
  // Every variable `baton serve` reads (README's table): SMTP_URL, MAIL_FROM, limits, retention…
  ...serverOptionsFromEnv(),
  port,
  host: process.env.HOST ?? '127.0.0.1',
  db: dbFile,
  // The demo runs on one machine: webhooks and push may reach receivers on loopback (DESIGN §7a).
  privateDestinations: process.env.BATON_PRIVATE_DESTINATIONS || '127.0.0.0/8,::1/128',
  extend: async (app, deps) => {
    const seed = await seedDemoWorkspace(deps);
    if (seed.credentials) {
      credentials = { apiKey: seed.credentials.apiKey };
      await writeFile(credentialsFile, JSON.stringify({ workspaceId: seed.workspaceId, ...seed.credentials }, null, 2), { mode: 0o600 });
    }
    app.route(
      '/',
      demoHost({
        apiKey: credentials!.apiKey,
        callBaton: async (p, init) => app.request(p, init),
        pageFile: new URL('../public/index.html', import.meta.url),
        inboxBundleFile,
        pushWorkerFile,
        automationPageFile: new URL('../public/automation.html', import.meta.url),
        builderBundleFile,
      }),
    );
    // After the routes: the first request builds Hono's matcher, and no route can be added after it.
    if (seed.credentials) await seedWorkflows(app, credentials!.apiKey, seed.agents.ana);
  },
});
const demoUrl = (process.env.BATON_PUBLIC_URL || `http://localhost:${server.port}`).replace(/\/+$/, '');
await linkNotificationsHere(server.app, credentials!.apiKey, `${demoUrl}/demo?conversation={conversationId}`);
console.log(`[demo-crm] Baton demo on ${demoUrl}/demo?agent=ana (agents: ana, ben, maria, tom)`);

/** Baton's app in this process: the demo calls its public API as a host does over HTTP. */
type InProcess = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

function callBaton(app: InProcess, token: string, method: string, path: string, body?: unknown) {
  const json = body === undefined ? {} : { body: JSON.stringify(body) };
  return app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...json });
}

/**
 * Notification emails and pushes link to a conversation through the workspace's link template (the
 * host's page; Baton serves none). The demo's page is this process, on whatever port it got, so the
 * template is set on every start, through the public API as a host would.
 */
async function linkNotificationsHere(app: InProcess, apiKey: string, linkTemplate: string) {
  const res = await callBaton(app, apiKey, 'PATCH', '/v1/workspace', { linkTemplate });
  if (!res.ok) throw new Error(`setting the demo's notification links failed: ${res.status} ${await res.text()}`);
}

/**
 * A fresh demo also gets the rules reference's three example rules (`@baton/rules/examples`),
 * published (issue #10), so the Automation page has something to show and new conversations are
 * routed as docs/rules.md says. Through the public API like any host: workflows are written by an
 * admin, so it mints a token for ana.
 */
async function seedWorkflows(app: InProcess, apiKey: string, anaId: string) {
  const call = async (token: string, method: string, p: string, body?: unknown) => (await callBaton(app, token, method, p, body)).json() as Promise<any>;
  const { token } = await call(apiKey, 'POST', '/v1/tokens', { agentId: anaId, ttlSeconds: 300 });
  const teams: { id: string; name: string }[] = (await call(apiKey, 'GET', '/v1/teams')).items;
  const team = (name: string) => teams.find((t) => t.name === name)!.id;
  const rules = seedRules({ support: team('Support'), bilingual: team('Bilingual') });
  for (const rule of rules) {
    const { workflow } = await call(token, 'POST', '/v1/workflows', rule);
    if (workflow) await call(token, 'POST', `/v1/workflows/${workflow.id}/publish`);
  }
}

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
