// Test-only: two agents' <team-inbox> elements against the runner's seeded demo server.
import { expect } from '@esm-bundle/chai';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import '../define.js';

export type DemoAgent = 'ana' | 'ben' | 'maria' | 'tom';

export interface DemoServer {
  url: string;
  agents: Record<DemoAgent, string>;
  tokens: Record<DemoAgent, string>;
  apiKey: string;
  /** The server admin token (`POST /v1/workspaces`). */
  adminToken: string;
}

/** The runner's seeded demo server: its URL, the agents' ids and tokens. */
export async function demoServer(): Promise<DemoServer> {
  return (await (await fetch('/__baton/demo-server.json')).json()) as DemoServer;
}

/**
 * A customer writes in by SMS through the public API (the server's API key); `phone` defaults to a
 * fresh random number. Returns the new conversation's id.
 */
export async function customerWritesIn(
  server: DemoServer,
  name: string,
  body: string,
  phone = `+1555${Math.floor(Math.random() * 1e7)}`,
): Promise<string> {
  const res = await fetch(`${server.url}/v1/conversations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contact: { name, phone }, channel: 'sms', message: { body } }),
  });
  expect(res.status).to.equal(201);
  return ((await res.json()) as { conversation: { id: string } }).conversation.id;
}

/** A `<team-inbox>` signed in with `token` on the All view, 640px high, in the page. */
export async function mountInbox(server: DemoServer, token: string): Promise<TeamInbox> {
  const el = document.createElement('team-inbox');
  el.setAttribute('server', server.url);
  el.setAttribute('token', token);
  el.setAttribute('view', 'all');
  el.style.height = '640px';
  document.body.append(el);
  await el.updateComplete;
  return el;
}

export { part } from './mount.js';
