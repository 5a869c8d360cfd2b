// Test-only: two agents' <team-inbox> elements against the runner's seeded demo server.
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import '../define.js';

export type DemoAgent = 'ana' | 'ben' | 'maria' | 'tom';

export interface DemoServer {
  url: string;
  agents: Record<DemoAgent, string>;
  tokens: Record<DemoAgent, string>;
  apiKey: string;
}

/** The runner's seeded demo server: its URL, the agents' ids and tokens. */
export async function demoServer(): Promise<DemoServer> {
  return (await (await fetch('/__baton/demo-server.json')).json()) as DemoServer;
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

/** The shadow root of a part inside an inbox. */
export const part = (inbox: TeamInbox, tag: string): ShadowRoot => inbox.shadowRoot!.querySelector(tag)!.shadowRoot!;
