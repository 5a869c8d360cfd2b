import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
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
  /** The standalone `<team-inbox>` bundle the page includes with `<script type="module">`. */
  inboxBundleFile: string;
  /** The Automation page (`<workflow-builder>`) and its standalone bundle; without them the page is not served. */
  automationPageFile?: URL;
  builderBundleFile?: string;
}

const CustomerMessage = z.strictObject({
  name: z.string().trim().min(1).max(200),
  phone: z.string().trim().min(3).max(32).optional(),
  email: z.email().optional(),
  channel: z.enum(['sms', 'email', 'whatsapp', 'webchat']),
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

  return new Hono()
    .get('/', (c) => c.redirect('/demo?agent=ana'))
    .get('/demo', async (c) => c.html(await readFile(options.pageFile, 'utf8')))
    .get('/demo/assets/team-inbox.js', async (c) => {
      c.header('content-type', 'text/javascript; charset=utf-8');
      c.header('cache-control', 'no-cache');
      return c.body(await readFile(options.inboxBundleFile, 'utf8'), 200);
    })
    // Automation → Workflows: the same token route serves `<workflow-builder>` (admins only; others get its 403 message).
    .get('/demo/automation', async (c) => (options.automationPageFile ? c.html(await readFile(options.automationPageFile, 'utf8')) : c.notFound()))
    .get('/demo/assets/workflow-builder.js', async (c) => {
      if (!options.builderBundleFile) return c.notFound();
      c.header('content-type', 'text/javascript; charset=utf-8');
      c.header('cache-control', 'no-cache');
      return c.body(await readFile(options.builderBundleFile, 'utf8'), 200);
    })
    .get('/demo/agents', async (c) => {
      const res = await baton<{ items: { id: string; username: string; name: string }[] }>('GET', '/v1/agents');
      return c.json({ items: res.body.items.map((a) => ({ username: a.username, name: a.name })) }, 200);
    })
    // The one route every host adds: "who is logged in here" → a Baton token for that agent.
    .post('/demo/token', async (c) => {
      const username = c.req.query('agent') ?? '';
      const agents = await baton<{ items: { id: string; username: string }[] }>('GET', '/v1/agents');
      const agent = agents.body.items.find((a) => a.username === username.toLowerCase());
      if (!agent) return c.json({ error: { code: 'not_found', message: `no demo agent ${username}` } }, 404);
      const minted = await baton<{ token: string; expiresAt: string }>('POST', '/v1/tokens', { agentId: agent.id, ttlSeconds: 3600 });
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
        message: { body: m.body },
      });
      return c.json(res.body as object, res.status as 201);
    });
}
