import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { routes, VIEWS, type Caller, type RouteName } from '@baton/protocol';
import { LOOPBACK_DESTINATIONS, TestServer, type HttpResult, type TestAgent, type TestWorkspace, expectStatus as ok, readAll, type Reader } from '../src/testing.js';
import { assertNothingWritten, databaseImage } from './support/database-image.js';

// Workspaces are tenants (DESIGN §3): every query is scoped by the credential's workspace, so
// another tenant's ids are "not found", its rows never show up in lists, and a body cannot
// point at them.

interface Side {
  ws: TestWorkspace;
  boss: TestAgent;
  ana: TestAgent;
  contact: any;
  /** Open, assigned to ana, with a note mentioning @ana. */
  open: any;
  /** Open, unassigned, with an unread inbound message. */
  unassigned: any;
  resolved: any;
  team: any;
  webhook: any;
  /** A published workflow (version 1). */
  workflow: any;
  /** A second API key and signing key, so one of each can be revoked while the workspace keeps working. */
  spareApiKeyId: string;
  spareKid: string;
  /** Saved replies: one for each writer, so each can delete its own. */
  savedReplies: Record<'apiKey' | 'admin', any>;
}

const supportRule = (team: string) => ({
  name: 'Everyone → Support',
  trigger: { event: 'conversation.created' },
  actions: [{ type: 'assign', steps: [{ pool: { team }, strategy: 'round_robin' }] }],
});

/** A workspace with the same usernames as every other one, so @mentions and lookups could collide. */
async function seed(server: TestServer, name: string): Promise<Side> {
  const ws = await server.createWorkspace(name);
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const ana = await ws.addAgent('ana');
  const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: `${name} customer`, tags: ['vip'], externalId: 'crm-1' }), 201);
  const conv = async (body: string) =>
    (await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', subject: `${name}: ${body}`, message: { body } }), 201)).conversation;
  const open = await conv('where is my order?');
  const unassigned = await conv('hello?');
  const resolved = await conv('thanks, all good');
  await ok(boss.call('POST', `/v1/conversations/${open.id}/assign`, { assigneeId: ana.id }), 200);
  await ok(boss.call('POST', `/v1/conversations/${open.id}/notes`, { body: '@ana can you take this?' }), 201);
  await ok(boss.call('POST', `/v1/conversations/${resolved.id}/resolve`), 200);
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [ana.id, boss.id] }), 201);
  // Subscribed to an event the fixture never fires, so no delivery runs in the background.
  const { webhook } = await ok(ws.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['conversation.reopened'] }), 201);
  const savedReply = async (name: string) => (await ok(ws.api('POST', '/v1/saved-replies', { name, body: 'Thanks, {{contact.name}}' }), 201)).savedReply;
  const savedReplies = { apiKey: await savedReply('One'), admin: await savedReply('Two') };
  const { workflow } = await ok(boss.call('POST', '/v1/workflows', supportRule(team.id)), 201);
  await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
  const fresh = async (id: string) => (await ok(ws.api('GET', `/v1/conversations/${id}`), 200)).conversation;
  const spareApiKeyId = (await ok(ws.api('POST', '/v1/workspace/api-keys'), 201)).apiKey.id;
  const spareKid = (await ok(ws.api('POST', '/v1/workspace/signing-keys'), 201)).signingKey.kid;
  return {
    ws,
    boss,
    ana,
    contact,
    open: await fresh(open.id),
    unassigned: await fresh(unassigned.id),
    resolved: await fresh(resolved.id),
    team,
    webhook,
    workflow,
    spareApiKeyId,
    spareKid,
    savedReplies,
  };
}

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t, { privateDestinations: LOOPBACK_DESTINATIONS });
  const a = await seed(server, 'Acme');
  const b = await seed(server, 'Globex');
  return { server, a, b };
}

/**
 * Everything a workspace can see of itself, read through its own credentials: for tests where the
 * other workspace writes, so the database as a whole changes. Where nothing may be written at all,
 * the tests compare database images instead (support/database-image.ts), which see every table.
 */
async function snapshot(side: Side) {
  const reads: [string, Reader, string][] = [];
  const get = (label: string, caller: Reader, path: string) => void reads.push([label, caller, path]);
  const api = side.ws.api;
  get('workspace', api, '/v1/workspace');
  get('agents', api, '/v1/agents');
  get('teams', api, '/v1/teams');
  get('contact', api, `/v1/contacts/${side.contact.id}`);
  get('contactConversations', api, `/v1/contacts/${side.contact.id}/conversations`);
  get('foundContacts', api, '/v1/contacts?externalId=crm-1');
  get('savedReplies', api, '/v1/saved-replies');
  get('webhooks', api, '/v1/webhooks');
  get('deliveries', api, `/v1/webhooks/${side.webhook.id}/deliveries`);
  get('credentials', api, '/v1/workspace/credentials');
  get('workflows', api, '/v1/workflows');
  get('workflow versions', api, `/v1/workflows/${side.workflow.id}/versions`);
  get('workflow runs', api, `/v1/workflows/${side.workflow.id}/runs`);
  for (const c of [side.open, side.unassigned, side.resolved]) {
    get(`conversation ${c.id}`, api, `/v1/conversations/${c.id}`);
    get(`timeline ${c.id}`, api, `/v1/conversations/${c.id}/timeline`);
    get(`transcript ${c.id}`, api, `/v1/conversations/${c.id}/transcript`);
  }
  for (const agent of [side.boss, side.ana]) {
    get(`${agent.username} counts`, agent.call, '/v1/conversations/counts');
    get(`${agent.username} notifications`, agent.call, '/v1/notifications');
    get(`${agent.username} preferences`, agent.call, '/v1/agents/me/preferences');
    for (const view of VIEWS) get(`${agent.username} ${view}`, agent.call, `/v1/conversations?view=${view}&limit=100`);
  }
  return readAll(reads);
}

type Cred = Extract<Caller, 'apiKey' | 'agent' | 'admin'>;

function caller(side: Side, cred: Cred) {
  return cred === 'apiKey' ? side.ws.api : cred === 'admin' ? side.boss.call : side.ana.call;
}

interface IdCase {
  /** The id of `owner`'s resource the route is called on. */
  id: (owner: Side) => string;
  body?: (cred: Cred, caller: Side) => unknown;
  /** When each credential needs its own resource (a delete can only succeed once), instead of `id`. */
  idFor?: (owner: Side, cred: Cred) => string;
}

/** One case per route with an `:id`; the table below fails if a route is added without one. */
const ID_CASES: Partial<Record<RouteName, IdCase>> = {
  getConversation: { id: (o) => o.open.id },
  timeline: { id: (o) => o.open.id },
  postMessage: { id: (o) => o.open.id, body: (cred) => ({ direction: cred === 'apiKey' ? 'inbound' : 'outbound', body: 'sneaky' }) },
  postNote: { id: (o) => o.open.id, body: () => ({ body: '@ana @boss sneaky' }) },
  updateConversation: { id: (o) => o.open.id, body: () => ({ tags: ['sneaky'], priority: 'urgent', subject: 'Sneaky' }) },
  snooze: { id: (o) => o.open.id, body: () => ({ until: new Date(Date.now() + 3_600_000).toISOString() }) },
  assign: { id: (o) => o.unassigned.id, body: (_cred, c) => ({ assigneeId: c.ana.id }) },
  resolve: { id: (o) => o.open.id },
  reopen: { id: (o) => o.resolved.id },
  markRead: { id: (o) => o.unassigned.id },
  getContact: { id: (o) => o.contact.id },
  updateContact: { id: (o) => o.contact.id, body: () => ({ name: 'Sneaky', tags: ['sneaky'], externalId: null }) },
  contactConversations: { id: (o) => o.contact.id },
  updateAgent: { id: (o) => o.ana.id, body: (cred) => (cred === 'agent' ? { availability: 'offline' } : { availability: 'offline', role: 'admin', name: 'Sneaky' }) },
  updateTeam: { id: (o) => o.team.id, body: (_cred, c) => ({ name: 'Sneaky', memberIds: [c.ana.id] }) },
  transcript: { id: (o) => o.open.id },
  deleteWebhook: { id: (o) => o.webhook.id },
  // The server admin's only (no workspace credential may call it: 403, test/workspace-admin.test.ts).
  createWorkspaceApiKey: { id: (o) => o.ws.id },
  revokeApiKey: { id: (o) => o.spareApiKeyId },
  retireSigningKey: { id: (o) => o.spareKid },
  webhookDeliveries: { id: (o) => o.webhook.id },
  updateSavedReply: { id: (o) => o.savedReplies.apiKey.id, body: () => ({ name: 'Sneaky', body: 'sneaky' }) },
  deleteSavedReply: { id: (o) => o.savedReplies.apiKey.id, idFor: (o, cred) => o.savedReplies[cred === 'admin' ? 'admin' : 'apiKey'].id },
  getWorkflow: { id: (o) => o.workflow.id },
  updateWorkflow: { id: (o) => o.workflow.id, body: (_cred, c) => supportRule(c.team.id) },
  deleteWorkflow: { id: (o) => o.workflow.id },
  publishWorkflow: { id: (o) => o.workflow.id },
  workflowVersions: { id: (o) => o.workflow.id },
  listWorkflowRuns: { id: (o) => o.workflow.id },
  conversationRouting: { id: (o) => o.open.id },
};

const ID_ROUTES = (Object.entries(routes) as [RouteName, (typeof routes)[RouteName]][]).filter(([, spec]) => spec.path.includes(':id'));

describe("another workspace's ids are not found", () => {
  it('every :id route of the protocol table is covered here', () => {
    assert.ok(ID_ROUTES.length >= 13);
    for (const [name] of ID_ROUTES) assert.ok(ID_CASES[name], `add a case for ${name}`);
  });

  for (const [name, spec] of ID_ROUTES) {
    const creds = spec.callers.filter((c): c is Cred => c === 'apiKey' || c === 'agent' || c === 'admin');
    it(`${spec.method.toUpperCase()} ${spec.path} (${name}) with B's credentials on A's id → 404, A unchanged`, async (t) => {
      const testCase = ID_CASES[name];
      assert.ok(testCase, `no case for ${name}`);
      const { server, a, b } = await setup(t);
      const method = spec.method.toUpperCase();
      const path = (id: string) => spec.path.replace(':id', encodeURIComponent(id));
      const before = await databaseImage(server);

      for (const cred of creds) {
        const body = testCase.body?.(cred, b);
        const aId = testCase.idFor?.(a, cred) ?? testCase.id(a);
        const res: HttpResult = await caller(b, cred)(method, path(aId), body);
        const missing: HttpResult = await caller(b, cred)(method, path(`${aId.split('_')[0]}_doesnotexist`), body);
        // What another tenant's id gets must not differ from what an id that exists nowhere gets.
        assert.equal(res.status, missing.status, `${cred}: A's id and a made-up id answer alike`);
        assert.equal(res.body?.error?.code, missing.body?.error?.code, `${cred}: same error code`);
        if (name === 'updateAgent' && cred === 'agent') {
          // An agent may only touch their own record; the refusal comes before any lookup.
          assert.equal(res.status, 403, `${cred}: ${JSON.stringify(res.body)}`);
        } else {
          assert.equal(res.status, 404, `${cred}: ${res.status} ${JSON.stringify(res.body)}`);
          assert.equal(res.body.error.code, 'not_found');
        }
      }

      await assertNothingWritten(server, before, "neither A's data nor B's changed");

      // The same calls with A's own credentials work, so the 404s above were about the tenant.
      for (const cred of creds) {
        const res: HttpResult = await caller(a, cred)(method, path(testCase.idFor?.(a, cred) ?? testCase.id(a)), testCase.body?.(cred, a));
        assert.equal(res.status, spec.status, `A's ${cred}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    });
  }
});

describe('lists never include another workspace', () => {
  it("views and counts show only the caller's workspace", async (t) => {
    const { a, b } = await setup(t);
    const snoozed = new Map<Side, string>();
    for (const side of [a, b]) {
      const { conversation } = await ok(side.ws.api('POST', '/v1/conversations', { contactId: side.contact.id, channel: 'sms', message: { body: 'later' } }), 201);
      await ok(side.ws.api('POST', `/v1/conversations/${conversation.id}/snooze`, { until: new Date(Date.now() + 3_600_000).toISOString() }), 200);
      snoozed.set(side, conversation.id);
    }
    const aIds = new Set([a.open.id, a.unassigned.id, a.resolved.id, snoozed.get(a)!]);
    for (const side of [a, b]) {
      const expected: Record<string, string[]> = {
        snoozed: [snoozed.get(side)!],
        all: [side.open.id, side.unassigned.id],
        mine: [side.open.id],
        unassigned: [side.unassigned.id],
        mentioned: [side.open.id],
        unread: [side.open.id, side.unassigned.id],
        resolved: [side.resolved.id],
      };
      for (const view of VIEWS) {
        const page = await side.ana.call('GET', `/v1/conversations?view=${view}&limit=100`);
        assert.equal(page.status, 200);
        const ids = page.body.items.map((c: any) => c.id);
        assert.deepEqual(ids.slice().sort(), expected[view]!.slice().sort(), `${side.ws.id} ${view}`);
        if (side === b) for (const id of ids) assert.ok(!aIds.has(id), `B's ${view} includes A's ${id}`);
      }
      const counts = await side.ana.call('GET', '/v1/conversations/counts');
      assert.equal(counts.status, 200);
      assert.deepEqual(counts.body, Object.fromEntries(VIEWS.map((v) => [v, expected[v]!.length])));
    }
  });

  it('agents, teams, notifications, contacts, search and webhooks are per workspace', async (t) => {
    const { a, b } = await setup(t);
    for (const [side, otherSide] of [[a, b], [b, a]] as const) {
      for (const call of [side.ws.api, side.ana.call]) {
        const agents = await call('GET', '/v1/agents');
        assert.deepEqual(agents.body.items.map((x: any) => x.id).sort(), [side.boss.id, side.ana.id].sort());
        const teams = await call('GET', '/v1/teams');
        assert.deepEqual(teams.body.items.map((x: any) => x.id), [side.team.id]);
        const ws = await call('GET', '/v1/workspace');
        assert.equal(ws.body.workspace.id, side.ws.id);
        // Both workspaces use externalId crm-1 for their customer.
        const found = await call('GET', '/v1/contacts?externalId=crm-1');
        assert.equal(found.status, 200);
        assert.deepEqual(found.body.items.map((x: any) => x.id), [side.contact.id]);
        const convs = await call('GET', `/v1/contacts/${side.contact.id}/conversations`);
        // Both workspaces have a customer asking "where is my order?".
        const hits = await call('GET', '/v1/search?q=order');
        assert.equal(hits.status, 200, JSON.stringify(hits.body));
        assert.deepEqual([...new Set(hits.body.items.map((h: any) => h.conversationId))], [side.open.id]);
        const scoped = await call('GET', `/v1/search?q=order&conversationId=${otherSide.open.id}`);
        assert.ok(scoped.status === 200 || scoped.status === 404, `search scoped to another workspace's conversation: ${scoped.status}`);
        if (scoped.status === 200) assert.deepEqual(scoped.body.items, []);
        assert.deepEqual(convs.body.items.map((x: any) => x.id).sort(), [side.open.id, side.unassigned.id, side.resolved.id].sort());
      }
      const notes = await side.ana.call('GET', '/v1/notifications');
      assert.equal(notes.status, 200);
      assert.deepEqual(notes.body.items.map((n: any) => n.type).sort(), ['assigned', 'mentioned']);
      for (const n of notes.body.items) {
        assert.equal(n.conversationId, side.open.id);
        assert.equal(n.agentId, side.ana.id);
      }
      assert.equal(notes.body.unread, 2);
      const hooks = await side.ws.api('GET', '/v1/webhooks');
      assert.deepEqual(hooks.body.items.map((h: any) => h.id), [side.webhook.id]);
      const bossNotes = await side.boss.call('GET', '/v1/notifications');
      assert.deepEqual(bossNotes.body.items, [], `${otherSide.ws.id}'s activity does not notify`);
    }
  });

  it("workflows are per workspace: lists, and validation against another workspace's workflow or team", async (t) => {
    const { server, a, b } = await setup(t);
    for (const [side, other] of [[a, b], [b, a]] as const) {
      for (const call of [side.ws.api, side.boss.call]) {
        const list = await call('GET', '/v1/workflows');
        assert.equal(list.status, 200);
        assert.deepEqual(list.body.items.map((w: any) => w.id), [side.workflow.id]);
      }
      const before = await databaseImage(server);
      const foreign = await side.boss.call('POST', '/v1/workflows/validate', { workflow: supportRule(side.team.id), workflowId: other.workflow.id });
      assert.equal(foreign.status, 404, JSON.stringify(foreign.body));
      const dry = await side.boss.call('POST', '/v1/workflows/test', { workflow: supportRule(side.team.id), conversationId: other.open.id });
      assert.equal(dry.status, 404, JSON.stringify(dry.body));
      const dryOther = await side.boss.call('POST', '/v1/workflows/test', { workflow: supportRule(side.team.id), workflowId: other.workflow.id, last: 5 });
      assert.equal(dryOther.status, 404, JSON.stringify(dryOther.body));
      const mine = await side.boss.call('POST', '/v1/workflows/test', { workflow: supportRule(side.team.id), last: 500 });
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.deepEqual(mine.body.results.map((r: any) => r.conversationId).sort(), [side.open.id, side.unassigned.id, side.resolved.id].sort());
      // Another workspace's team is an unknown team here.
      const theirTeam = await side.boss.call('POST', '/v1/workflows', supportRule(other.team.id));
      assert.equal(theirTeam.status, 422, JSON.stringify(theirTeam.body));
      assert.deepEqual(theirTeam.body.error.details.errors.map((e: any) => e.code), ['unknown_team']);
      // Refusals and dry runs: nothing written, on either side.
      await assertNothingWritten(server, before, 'validate and test wrote nothing');
    }
  });

  it('@ana in one workspace mentions only that workspace’s ana', async (t) => {
    const { a, b } = await setup(t);
    const beforeB = await snapshot(b);
    const aCounts = (await a.ana.call('GET', '/v1/conversations/counts')).body;
    const note = await a.boss.call('POST', `/v1/conversations/${a.unassigned.id}/notes`, { body: 'ping @ana and @boss' });
    assert.equal(note.status, 201);
    assert.deepEqual(note.body.note.mentions, [a.ana.id, a.boss.id]);
    assert.equal((await a.ana.call('GET', '/v1/conversations/counts')).body.mentioned, aCounts.mentioned + 1);
    assert.deepEqual(await snapshot(b), beforeB);
  });

  it('workspace settings and notification preferences change only for the caller', async (t) => {
    const { a, b } = await setup(t);
    const beforeA = await snapshot(a);
    const settings = await b.ws.api('PATCH', '/v1/workspace', { linkTemplate: 'https://globex.example/inbox?c={conversationId}', notificationSnippets: true });
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    assert.equal((await b.boss.call('PATCH', '/v1/workspace', { notificationSnippets: false })).status, 200);
    // Same username in both workspaces; the preferences are the caller's own.
    const prefs = await b.ana.call('PUT', '/v1/agents/me/preferences', { assigned: { email: false, push: false }, mentioned: { inapp: false } });
    assert.equal(prefs.status, 200, JSON.stringify(prefs.body));
    assert.equal(prefs.body.preferences.assigned.email, false);
    assert.deepEqual(await snapshot(a), beforeA);
    assert.notDeepEqual((await b.ws.api('GET', '/v1/workspace')).body, beforeA.workspace);
  });

  it("marking another workspace's notification ids read does nothing to them", async (t) => {
    const { a, b } = await setup(t);
    const aNotes = (await a.ana.call('GET', '/v1/notifications')).body;
    assert.equal(aNotes.unread, 2);
    const ids = aNotes.items.map((n: any) => n.id);
    const res = await b.ana.call('POST', '/v1/notifications/read', { ids });
    assert.equal(res.status, 200);
    assert.equal(res.body.unread, 2, "B's own unread count");
    assert.deepEqual((await a.ana.call('GET', '/v1/notifications')).body, aNotes);
    // The owner can.
    assert.equal((await a.ana.call('POST', '/v1/notifications/read', { ids })).body.unread, 0);
  });
});

describe("a body cannot point at another workspace's rows", () => {
  it("assign with another workspace's agent as assigneeId → 400, nothing written", async (t) => {
    const { server, a, b } = await setup(t);
    const before = await databaseImage(server);
    for (const call of [b.ws.api, b.boss.call, b.ana.call]) {
      for (const conv of [b.unassigned, b.open]) {
        const res = await call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: a.ana.id });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'validation_failed');
        assert.ok(Array.isArray(res.body.error.details));
      }
    }
    await assertNothingWritten(server, before, 'A: no notification, nothing in Mine; B: still unassigned, no event');
    // Control: an agent of B can be assigned.
    assert.equal((await b.ws.api('POST', `/v1/conversations/${b.unassigned.id}/assign`, { assigneeId: b.boss.id })).status, 200);
  });

  it("PATCH with another workspace's team as teamId → 400 with its path, nothing written", async (t) => {
    const { server, a, b } = await setup(t);
    const before = await databaseImage(server);
    const res = await b.ws.api('PATCH', `/v1/conversations/${b.open.id}`, { teamId: a.team.id, priority: 'urgent' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.deepEqual(res.body.error.details?.[0]?.path, ['teamId']);
    await assertNothingWritten(server, before, 'nothing written');
    assert.equal((await b.ws.api('PATCH', `/v1/conversations/${b.open.id}`, { teamId: b.team.id })).status, 200);
  });

  it("assign with another workspace's team as teamId → 400, nothing written", async (t) => {
    const { server, a, b } = await setup(t);
    const before = await databaseImage(server);
    const res = await b.ws.api('POST', `/v1/conversations/${b.unassigned.id}/assign`, { assigneeId: b.ana.id, teamId: a.team.id });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'validation_failed');
    await assertNothingWritten(server, before, 'nothing written');
    assert.equal((await b.ws.api('POST', `/v1/conversations/${b.unassigned.id}/assign`, { assigneeId: b.ana.id, teamId: b.team.id })).status, 200);
  });

  it("POST /v1/conversations with another workspace's contactId → 400, nothing written", async (t) => {
    const { server, a, b } = await setup(t);
    const before = await databaseImage(server);
    for (const call of [b.ws.api, b.ana.call]) {
      const res = await call('POST', '/v1/conversations', { contactId: a.contact.id, channel: 'sms', message: { body: 'hi' } });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'validation_failed');
    }
    await assertNothingWritten(server, before, 'nothing written, in either workspace');
    assert.equal((await b.ws.api('POST', '/v1/conversations', { contactId: b.contact.id, channel: 'sms' })).status, 201);
  });

  it("teams with another workspace's agent in memberIds → 400, nothing written", async (t) => {
    const { server, a, b } = await setup(t);
    const before = await databaseImage(server);
    for (const call of [b.ws.api, b.boss.call]) {
      const created = await call('POST', '/v1/teams', { name: 'Mixed', memberIds: [b.ana.id, a.ana.id] });
      assert.equal(created.status, 400, JSON.stringify(created.body));
      assert.equal(created.body.error.code, 'validation_failed');
      // The rename in the same request must not stick either: one request, all or nothing.
      const patched = await call('PATCH', `/v1/teams/${b.team.id}`, { name: 'Renamed', memberIds: [a.ana.id] });
      assert.equal(patched.status, 400, JSON.stringify(patched.body));
      assert.equal(patched.body.error.code, 'validation_failed');
    }
    await assertNothingWritten(server, before, 'nothing written, in either workspace');
    const control = await b.ws.api('PATCH', `/v1/teams/${b.team.id}`, { name: 'Renamed', memberIds: [b.ana.id] });
    assert.equal(control.status, 200);
    assert.deepEqual(control.body.team.memberIds, [b.ana.id]);
  });

  it("POST /v1/tokens for another workspace's agent → 400", async (t) => {
    const { a, b } = await setup(t);
    const res = await b.ws.api('POST', '/v1/tokens', { agentId: a.ana.id });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'validation_failed');
    assert.equal(res.body.token, undefined);
  });
});
