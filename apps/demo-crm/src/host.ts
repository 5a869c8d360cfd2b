import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import { z } from 'zod';

/**
 * The demo CRM's own backend: what a host developer writes beside Baton. It keeps the workspace
 * API key server-side, mints short-lived agent tokens for its logged-in users, and forwards
 * customer messages into Baton — all through Baton's public REST API (`callBaton`).
 */
export interface DemoHostOptions {
  apiKey: string;
  /** Calls Baton's REST API; in the demo it is the same process, in real life a fetch to its URL. */
  callBaton: (path: string, init?: RequestInit) => Promise<Response>;
  pageFile: URL;
  /**
   * The standalone `<team-inbox>` bundle the page includes with `<script type="module">`. Its lazy
   * chunks (`standalone-chunks/…`, loaded on first use) are served from the folder beside it.
   */
  inboxBundleFile: string;
  /** `@baton/team-inbox/push-worker.js`, which the demo's service worker imports. */
  pushWorkerFile: string;
  /** The Automation page (`<workflow-builder>`) and its standalone bundle; without them the page is not served. */
  automationPageFile?: URL;
  builderBundleFile?: string;
}

/**
 * The demo's service worker: the two lines a host serves from its own origin for desktop
 * notifications (README, "Desktop notifications"). Browsers only run a worker from the page's origin.
 */
export const DEMO_SERVICE_WORKER = `// Baton desktop notifications (Web Push): the host's service worker.
importScripts('/demo/assets/baton-push-worker.js');
`;

/**
 * The shape of a lazy chunk's name in both elements' standalone builds (`[name]-[hash].js`, see
 * `chunkFileNames` in packages/ui/tooling/element-build.ts): letters, digits, `_` and `-` only, so a
 * request can never name a path outside the chunk folder (no `/`, no `..`, no `%2f` once decoded).
 */
const CHUNK_NAME = /^[A-Za-z0-9_-]{1,100}\.js$/;

const JS = 'text/javascript; charset=utf-8';

/** A file read on each request and sent `no-cache` (it changes on rebuild); no file configured → 404. */
const serveFile = (file: string | URL | undefined, type: string) => async (c: Context) => {
  if (!file) return c.notFound();
  c.header('content-type', type);
  c.header('cache-control', 'no-cache');
  return c.body(await readFile(file, 'utf8'), 200);
};

/**
 * A standalone bundle's lazy chunks: `chunkDir` beside `bundleFile` (the folder its entry imports
 * them from, relative to its own URL), names of the `CHUNK_NAME` shape only; no bundle configured → 404.
 */
const chunkRoute = (bundleFile: string | undefined, chunkDir: string) => async (c: Context) => {
  const name = c.req.param('name') ?? '';
  if (!bundleFile || !CHUNK_NAME.test(name)) return c.json({ error: { code: 'not_found', message: 'no such chunk' } }, 404);
  const code = await readFile(path.join(path.dirname(bundleFile), chunkDir, name), 'utf8').catch(() => null);
  if (code === null) return c.json({ error: { code: 'not_found', message: 'no such chunk' } }, 404);
  c.header('content-type', JS);
  // The name carries a content hash: a chunk never changes under its name.
  c.header('cache-control', 'public, max-age=31536000, immutable');
  return c.body(code, 200);
};

const CustomerMessage = z.strictObject({
  name: z.string().trim().min(1).max(200),
  phone: z.string().trim().min(3).max(32).optional(),
  email: z.email().optional(),
  channel: z.enum(['sms', 'email', 'whatsapp', 'webchat']),
  /** An email's subject line: it names the conversation the email starts (a reply keeps the thread's). */
  subject: z.string().trim().min(1).max(500).optional(),
  body: z.string().trim().min(1).max(5000),
});

export function demoHost(options: DemoHostOptions) {
  const baton = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await options.callBaton(path, {
      method,
      headers: { authorization: `Bearer ${options.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  const app = new Hono()
    .get('/', (c) => c.redirect('/demo?agent=ana'))
    .get('/demo', async (c) => c.html(await readFile(options.pageFile, 'utf8')))
    // Under its own file name: its lazy chunks import it back by that name (`../team-inbox.standalone.js`),
    // and a second URL for the same file would run it twice (two Lits, two stores).
    .get(`/demo/assets/${path.basename(options.inboxBundleFile)}`, serveFile(options.inboxBundleFile, JS))
    // The look and the script both CRM pages share, served beside them.
    .get('/demo/assets/crm.css', serveFile(new URL('crm.css', options.pageFile), 'text/css; charset=utf-8'))
    .get('/demo/assets/crm.js', serveFile(new URL('crm.js', options.pageFile), JS))
    .get('/sw.js', (c) => {
      c.header('content-type', JS);
      c.header('cache-control', 'no-cache');
      return c.body(DEMO_SERVICE_WORKER, 200);
    })
    .get('/demo/assets/baton-push-worker.js', serveFile(options.pushWorkerFile, JS))
    // The entry imports its chunks relative to its own URL: /demo/assets/standalone-chunks/<name>.
    .get('/demo/assets/standalone-chunks/:name', chunkRoute(options.inboxBundleFile, 'standalone-chunks'))
    // Automation → Workflows: the same token route serves `<workflow-builder>` (admins only; others get its 403 message).
    .get('/demo/automation', async (c) => (options.automationPageFile ? c.html(await readFile(options.automationPageFile, 'utf8')) : c.notFound()))
    // The builder's lazy chunks (the sample's local evaluator): same rules as the inbox's.
    .get('/demo/assets/builder-chunks/:name', chunkRoute(options.builderBundleFile, 'builder-chunks'))
    .get('/demo/agents', async (c) => {
      const res = await baton<{ items: { id: string; username: string; name: string }[] }>('GET', '/v1/agents');
      return c.json({ items: res.body.items.map((a) => ({ username: a.username, name: a.name })) }, 200);
    })
    // The one route every host adds: "who is logged in here" → a Baton token for that agent, asked
    // by the CRM's own user id (each agent was created with it as `externalId`).
    .post('/demo/token', async (c) => {
      const username = (c.req.query('agent') ?? '').toLowerCase();
      const minted = await baton<{ token: string; expiresAt: string }>('POST', '/v1/tokens', { externalId: `crm-user:${username}`, ttlSeconds: 3600 });
      if (minted.status === 400) return c.json({ error: { code: 'not_found', message: `no demo agent ${username}` } }, 404);
      return c.json(minted.body, minted.status as 201);
    })
    // Customer simulator: a message from a customer arrives at the CRM, which forwards it to Baton.
    .post('/demo/customer-message', async (c) => {
      const parsed = CustomerMessage.safeParse(await c.req.json().catch(() => null));
      if (!parsed.success) return c.json({ error: { code: 'validation_failed', message: 'invalid customer message', details: parsed.error.issues } }, 400);
      const m = parsed.data;
      const externalId = `demo:${(m.phone ?? m.email ?? m.name).toLowerCase()}`;
      const found = await baton<{ items: { id: string }[] }>('GET', `/v1/contacts?externalId=${encodeURIComponent(externalId)}`);
      const contactId = found.body.items[0]?.id;
      if (contactId) {
        // An existing customer writes again: continue their latest conversation (reopening it if resolved).
        const convs = await baton<{ items: { id: string; channel: string }[] }>('GET', `/v1/contacts/${contactId}/conversations`);
        const latest = convs.body.items[0];
        if (latest) {
          const res = await baton('POST', `/v1/conversations/${latest.id}/messages`, { direction: 'inbound', body: m.body, channel: m.channel });
          return c.json(res.body as object, res.status as 201);
        }
      }
      const res = await baton('POST', '/v1/conversations', {
        ...(contactId ? { contactId } : { contact: { name: m.name, phone: m.phone, email: m.email, externalId } }),
        channel: m.channel,
        ...(m.subject ? { subject: m.subject } : {}),
        message: { body: m.body },
      });
      return c.json(res.body as object, res.status as 201);
    });
  // The builder's entry under its own file name, as the inbox's is: its lazy chunks import it back by
  // that name. Without a builder bundle there is no such route (a 404, as for any unknown path).
  if (options.builderBundleFile) app.get(`/demo/assets/${path.basename(options.builderBundleFile)}`, serveFile(options.builderBundleFile, JS));
  return app;
}
