// Test-only: a fresh workspace on the real test server (test/demo-server.ts) per test, made over
// HTTP with the server admin token, so no test sees another's workflows.
import { BatonRestClient } from '@baton/client/rest';
import type { WorkflowDefinition } from '@baton/protocol';

interface ServerInfo {
  url: string;
  adminToken: string;
}

let info: Promise<ServerInfo> | null = null;
export function serverInfo(): Promise<ServerInfo> {
  info ??= fetch('/__baton/demo-server.json').then((r) => r.json() as Promise<ServerInfo>);
  return info;
}

export interface TestWorkspace {
  url: string;
  apiKey: string;
  agents: { ana: string; ben: string; maria: string; tom: string };
  teams: { support: string; bilingual: string };
  /** Ana is the admin. */
  tokens: { ana: string; ben: string };
  /** A REST client signed in as Ana. */
  ana: BatonRestClient;
  /** Another REST client for Ana: the "second admin tab". */
  other: BatonRestClient;
  createWorkflow(def: Partial<WorkflowDefinition> & { name: string }, publish?: boolean): Promise<string>;
}

async function call(url: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

let n = 0;
export async function freshWorkspace(): Promise<TestWorkspace> {
  const { url, adminToken } = await serverInfo();
  const ws = await call(url, adminToken, 'POST', '/v1/workspaces', { name: `Builder test ${Date.now()} ${++n}` });
  const apiKey: string = ws.apiKey;
  const agent = async (name: string, username: string, extra: Record<string, unknown>) =>
    (await call(url, apiKey, 'POST', '/v1/agents', { name, username, email: `${username}@example.com`, availability: 'online', ...extra })).agent.id as string;
  const agents = {
    ana: await agent('Ana Silva', 'ana', { role: 'admin' }),
    ben: await agent('Ben Okafor', 'ben', {}),
    maria: await agent('María García', 'maria', { skills: ['es'] }),
    tom: await agent('Tom Becker', 'tom', { skills: ['technical', 'senior'], availability: 'away' }),
  };
  const teams = {
    support: (await call(url, apiKey, 'POST', '/v1/teams', { name: 'Support', memberIds: [agents.ana, agents.ben, agents.tom] })).team.id as string,
    bilingual: (await call(url, apiKey, 'POST', '/v1/teams', { name: 'Bilingual', memberIds: [agents.maria, agents.ana] })).team.id as string,
  };
  const token = async (id: string) => (await call(url, apiKey, 'POST', '/v1/tokens', { agentId: id, ttlSeconds: 3600 })).token as string;
  const tokens = { ana: await token(agents.ana), ben: await token(agents.ben) };
  const ana = new BatonRestClient({ baseUrl: url, token: tokens.ana, maxAttempts: 1 });
  const other = new BatonRestClient({ baseUrl: url, token: tokens.ana, maxAttempts: 1 });
  return {
    url, apiKey, agents, teams, tokens, ana, other,
    async createWorkflow(def, publish = true) {
      const full: WorkflowDefinition = {
        trigger: { event: 'conversation.created' },
        actions: [{ type: 'assign', steps: [{ pool: { team: teams.support }, strategy: 'round_robin' }] }],
        ...def,
      };
      const { workflow } = await ana.createWorkflow(full);
      if (publish) await ana.publishWorkflow(workflow.id);
      return workflow.id as string;
    },
  };
}
