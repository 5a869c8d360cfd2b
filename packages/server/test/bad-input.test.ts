import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { routes, VIEWS, type RouteName } from '@baton/protocol';
import { ADMIN_TOKEN, LOOPBACK_DESTINATIONS, TestServer, type HttpResult, type TestAgent, type TestWorkspace, expectStatus as ok, readAll, type Reader } from '../src/testing.js';

// DESIGN §5: unknown fields, wrong types, oversize bodies, malformed JSON → 400/413 with the error
// shape; never a 500, never a partial write. Every case below checks the state afterwards.

const BODY_LIMIT = 256 * 1024;

interface Fixture {
  server: TestServer;
  ws: TestWorkspace;
  boss: TestAgent;
  ana: TestAgent;
  contact: any;
  /** Open, unassigned, with an unread inbound message. */
  conv: any;
  /** Assigned to ana by boss, so ana has a notification. */
  assigned: any;
  resolved: any;
  team: any;
  webhook: any;
  /** A draft workflow, never published. */
  workflow: any;
  /** A second API key and signing key: revoking one of them is a valid request. */
  spareApiKeyId: string;
  spareKid: string;
  savedReply: any;
}

const PUSH_ENDPOINT = 'https://push.example/send/abc';
const PUSH_KEYS = {
  p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url'),
  auth: Buffer.alloc(16, 1).toString('base64url'),
};

const supportRule = (team: string, name = 'Everyone → Support') => ({
  name,
  trigger: { event: 'conversation.created' },
  actions: [{ type: 'assign', steps: [{ pool: { team }, strategy: 'round_robin' }] }],
});

/** Workflow bodies of the wrong shape (each a 400, not a 422: the validator cannot say more). */
const badWorkflows = (team: string) => [
  { ...supportRule(team), name: 5 },
  { ...supportRule(team), trigger: 'conversation.created' },
  { ...supportRule(team), trigger: { event: 'conversation.exploded' } },
  { ...supportRule(team), actions: [] },
  { ...supportRule(team), actions: [{ type: 'teleport' }] },
  { ...supportRule(team), priority: 1.5 },
  { ...supportRule(team), enabled: 'yes' },
];

async function setup(t: TestContext): Promise<Fixture> {
  const server = await TestServer.startFor(t, { privateDestinations: LOOPBACK_DESTINATIONS });
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const ana = await ws.addAgent('ana');
  const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Carla', externalId: 'crm-1' }), 201);
  const start = async (body: string) => (await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body } }), 201)).conversation;
  const conv = await start('where is my order?');
  const assigned = await start('hello?');
  const resolved = await start('thanks');
  await ok(boss.call('POST', `/v1/conversations/${assigned.id}/assign`, { assigneeId: ana.id }), 200);
  await ok(boss.call('POST', `/v1/conversations/${resolved.id}/resolve`), 200);
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [boss.id] }), 201);
  // Subscribed to an event the fixture never fires, so no delivery runs in the background.
  const { webhook } = await ok(ws.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['conversation.reopened'] }), 201);
  const { workflow } = await ok(boss.call('POST', '/v1/workflows', supportRule(team.id)), 201);
  const spareApiKeyId = (await ok(ws.api('POST', '/v1/workspace/api-keys'), 201)).apiKey.id;
  const spareKid = (await ok(ws.api('POST', '/v1/workspace/signing-keys'), 201)).signingKey.kid;
  const { savedReply } = await ok(ws.api('POST', '/v1/saved-replies', { name: 'Thanks', shortcut: 'thx', body: 'Thanks, {{contact.name}}!' }), 201);
  return { server, ws, boss, ana, contact, conv, assigned, resolved, team, webhook, workflow, spareApiKeyId, spareKid, savedReply };
}

/** Everything the workspace can read about itself; equal before and after means nothing was written. */
async function snapshot(f: Fixture) {
  const reads: [string, Reader, string][] = [];
  const get = (label: string, caller: Reader, path: string) => void reads.push([label, caller, path]);
  const api = f.ws.api;
  get('workspace', api, '/v1/workspace');
  get('agents', api, '/v1/agents');
  get('teams', api, '/v1/teams');
  get('contact', api, `/v1/contacts/${f.contact.id}`);
  get('contactConversations', api, `/v1/contacts/${f.contact.id}/conversations`);
  // What createContact's bad bodies would have created.
  get('probeContacts', api, '/v1/contacts?externalId=crm-2');
  get('webhooks', api, '/v1/webhooks');
  get('credentials', api, '/v1/workspace/credentials');
  get('savedReplies', api, '/v1/saved-replies');
  get('workflows', api, '/v1/workflows');
  get('workflow versions', api, `/v1/workflows/${f.workflow.id}/versions`);
  for (const c of [f.conv, f.assigned, f.resolved]) {
    get(`conversation ${c.id}`, api, `/v1/conversations/${c.id}`);
    get(`timeline ${c.id}`, api, `/v1/conversations/${c.id}/timeline`);
  }
  for (const agent of [f.boss, f.ana]) {
    get(`${agent.username} counts`, agent.call, '/v1/conversations/counts');
    get(`${agent.username} notifications`, agent.call, '/v1/notifications');
    get(`${agent.username} preferences`, agent.call, '/v1/agents/me/preferences');
    for (const view of VIEWS) get(`${agent.username} ${view}`, agent.call, `/v1/conversations?view=${view}&limit=100`);
  }
  return readAll(reads);
}

function assertError(res: HttpResult, status: number, code: string, label: string) {
  assert.notEqual(res.status, 500, `${label}: 500 ${JSON.stringify(res.body)}`);
  assert.equal(res.status, status, `${label}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body?.error?.code, code, `${label}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body.error.message, 'string', label);
}

interface WriteCase {
  /** Who calls and where, with the fixture's real ids. */
  target: (f: Fixture) => { token: string; path: string };
  /** A body that succeeds; undefined for commands that take none. */
  valid?: (f: Fixture) => Record<string, unknown>;
  /** Bodies with a field of the wrong type (or shape); each must be a 400. */
  wrongTypes: (f: Fixture) => unknown[];
  /** Whether `{}` / no body is an error. */
  requiresBody: boolean;
  /** Checks what the snapshot cannot see was not written either. */
  nothingWritten?: (f: Fixture) => Promise<void>;
}

/** Every write endpoint of the protocol table; a test fails if one is added without a case. */
const WRITES: Partial<Record<RouteName, WriteCase>> = {
  createWorkspace: {
    target: () => ({ token: ADMIN_TOKEN, path: '/v1/workspaces' }),
    valid: () => ({ name: 'Initech' }),
    wrongTypes: () => [
      { name: 5 },
      { name: 'X', allowedOrigins: 'https://a.example' },
      { name: 'X', timeZone: 3 },
      { name: 'X', timeZone: 'Mars/Olympus' },
      { name: 'X', allowedOrigins: ['not a url'] },
      // These parse as URLs, but their origin is "null" — the Origin a sandboxed iframe sends.
      { name: 'X', allowedOrigins: ['https://ok.example', 'javascript:alert(1)'] },
      { name: 'X', allowedOrigins: ['data:text/html,hi'] },
      { name: 'X', allowedOrigins: ['file:///etc/passwd'] },
    ],
    requiresBody: true,
  },
  createToken: {
    target: (f) => ({ token: f.ws.apiKey, path: '/v1/tokens' }),
    valid: (f) => ({ agentId: f.ana.id }),
    wrongTypes: (f) => [{ agentId: 5 }, { agentId: f.ana.id, ttlSeconds: '60' }, { agentId: f.ana.id, ttlSeconds: 1.5 }, { agentId: [f.ana.id] }],
    requiresBody: true,
  },
  createAgent: {
    target: (f) => ({ token: f.ws.apiKey, path: '/v1/agents' }),
    valid: () => ({ name: 'Cy', username: 'cy' }),
    wrongTypes: () => [
      { name: 'Cy', username: 5 },
      { name: ['Cy'], username: 'cy' },
      { name: 'Cy', username: 'cy', capacity: '10' },
      // JSON allows numbers beyond double range; they parse to Infinity, which must be refused.
      // eslint-disable-next-line no-loss-of-precision
      { name: 'Cy', username: 'cy', capacity: 1e400 },
      { name: 'Cy', username: 'cy', skills: 'es' },
      { name: 'Cy', username: 'cy', role: 'root' },
      { name: 'Cy', username: 'cy', availability: true },
      { name: 'Cy', username: 'has space' },
    ],
    requiresBody: true,
  },
  updateAgent: {
    target: (f) => ({ token: f.ws.apiKey, path: `/v1/agents/${f.ana.id}` }),
    valid: () => ({ availability: 'away' }),
    wrongTypes: () => [{ availability: true }, { skills: [1] }, { capacity: -1 }, { role: null }, { name: '' }],
    requiresBody: false,
  },
  createTeam: {
    target: (f) => ({ token: f.ws.apiKey, path: '/v1/teams' }),
    valid: () => ({ name: 'Billing' }),
    wrongTypes: (f) => [{ name: 1 }, { name: 'Billing', memberIds: f.ana.id }, { name: 'Billing', memberIds: [{ id: f.ana.id }] }],
    requiresBody: true,
  },
  updateTeam: {
    target: (f) => ({ token: f.ws.apiKey, path: `/v1/teams/${f.team.id}` }),
    valid: () => ({ name: 'Renamed' }),
    wrongTypes: () => [{ name: false }, { memberIds: [1] }, { memberIds: null }],
    requiresBody: false,
  },
  createContact: {
    // Every bad body carries externalId crm-2: had one been written, the valid create would be a 409.
    target: (f) => ({ token: f.ws.apiKey, path: '/v1/contacts' }),
    valid: () => ({ name: 'Dora', externalId: 'crm-2' }),
    wrongTypes: () => [
      { name: 1, externalId: 'crm-2' },
      { name: 'Dora', externalId: 'crm-2', tags: 'vip' },
      { name: 'Dora', externalId: 'crm-2', email: 'not-an-email' },
      { name: 'Dora', externalId: 'crm-2', phone: 12345 },
    ],
    requiresBody: true,
  },
  updateContact: {
    target: (f) => ({ token: f.ws.apiKey, path: `/v1/contacts/${f.contact.id}` }),
    valid: () => ({ name: 'Renamed' }),
    wrongTypes: () => [{ tags: [1] }, { name: null }, { email: 'nope' }, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }],
    requiresBody: false,
  },
  createConversation: {
    target: (f) => ({ token: f.ws.apiKey, path: '/v1/conversations' }),
    valid: (f) => ({ contactId: f.contact.id, channel: 'sms', message: { body: 'hi' } }),
    wrongTypes: (f) => [
      { contactId: f.contact.id, channel: 5 },
      { contactId: f.contact.id, channel: 'SMS!' },
      { contactId: f.contact.id, channel: 'sms', message: 'hi' },
      { contactId: f.contact.id, channel: 'sms', message: { body: 'hi', extra: 1 } },
      { contactId: f.contact.id, channel: 'sms', priority: 'whenever' },
      { contactId: f.contact.id, contact: { name: 'Both' }, channel: 'sms' },
      { channel: 'sms' },
      { contact: { name: 'Nested', bogus: true }, channel: 'sms' },
    ],
    requiresBody: true,
  },
  postMessage: {
    target: (f) => ({ token: f.ws.apiKey, path: `/v1/conversations/${f.conv.id}/messages` }),
    valid: () => ({ direction: 'inbound', body: 'still waiting' }),
    wrongTypes: () => [{ direction: 'sideways', body: 'x' }, { direction: 'inbound', body: 5 }, { direction: 'inbound', body: '   ' }, { body: 'x' }],
    requiresBody: true,
  },
  postNote: {
    target: (f) => ({ token: f.ana.token, path: `/v1/conversations/${f.conv.id}/notes` }),
    valid: () => ({ body: 'looking into it' }),
    wrongTypes: () => [{ body: 5 }, { body: ['a'] }, { body: '   ' }, { body: null }, { body: { text: 'x' } }],
    requiresBody: true,
  },
  updateConversation: {
    target: (f) => ({ token: f.ana.token, path: `/v1/conversations/${f.conv.id}` }),
    valid: (f) => ({ tags: ['billing'], priority: 'high', teamId: f.team.id, subject: 'Late order' }),
    wrongTypes: (f) => [
      { tags: 'billing' },
      { tags: [5] },
      { tags: ['   '] },
      { priority: 'meh' },
      { teamId: 5 },
      { subject: '' },
      { subject: 5 },
      // An unknown team is refused with its path, before anything is written.
      { teamId: 'team_doesnotexist', priority: 'high' },
      { tags: ['ok'], teamId: f.ana.id },
    ],
    requiresBody: false,
  },
  createSavedReply: {
    target: (f) => ({ token: f.boss.token, path: '/v1/saved-replies' }),
    valid: () => ({ name: 'Hello', shortcut: 'hi', body: 'Hi {{contact.name}}' }),
    wrongTypes: () => [
      { name: 5, body: 'x' },
      { name: 'X' },
      { name: 'X', body: '   ' },
      { name: 'X', body: 'x', shortcut: 'has space' },
      { name: 'X', body: 'x'.repeat(5001) },
      // Placeholders are checked: a typo is refused rather than sent to a customer.
      { name: 'X', body: 'Hi {{contact.nmae}}' },
    ],
    requiresBody: true,
  },
  updateSavedReply: {
    target: (f) => ({ token: f.boss.token, path: `/v1/saved-replies/${f.savedReply.id}` }),
    valid: () => ({ name: 'Renamed' }),
    wrongTypes: () => [{ name: 5 }, { body: '' }, { shortcut: '-x' }, { body: '{{agent.password}}' }],
    requiresBody: false,
  },
  deleteSavedReply: {
    target: (f) => ({ token: f.boss.token, path: `/v1/saved-replies/${f.savedReply.id}` }),
    wrongTypes: () => [[], 'x', 5, null],
    requiresBody: false,
  },
  bulk: {
    target: (f) => ({ token: f.ana.token, path: '/v1/conversations/bulk' }),
    valid: (f) => ({ action: 'resolve', ids: [f.conv.id] }),
    wrongTypes: (f) => [
      { action: 'resolve', ids: [] },
      { action: 'resolve', ids: f.conv.id },
      { action: 'resolve', ids: [f.conv.id, f.conv.id] },
      { action: 'resolve', ids: Array.from({ length: 101 }, (_, i) => `conv_${i}`) },
      { action: 'delete', ids: [f.conv.id] },
      { action: 'assign', ids: [f.conv.id] },
      { action: 'tag', ids: [f.conv.id], add: [] },
      { action: 'snooze', ids: [f.conv.id], until: 5 },
      { action: 'resolve', ids: [f.conv.id], ifMatch: { [f.conv.id]: 'x' } },
    ],
    requiresBody: true,
  },
  snooze: {
    target: (f) => ({ token: f.ana.token, path: `/v1/conversations/${f.conv.id}/snooze` }),
    valid: () => ({ until: new Date(Date.now() + 86_400_000).toISOString() }),
    wrongTypes: () => [
      { until: 5 },
      { until: 'tomorrow' },
      { until: [new Date(Date.now() + 86_400_000).toISOString()] },
      // Checked against the server's clock: not in the past, not more than a year ahead.
      { until: new Date(Date.now() - 86_400_000).toISOString() },
      { until: new Date(Date.now() + 2 * 365 * 86_400_000).toISOString() },
    ],
    requiresBody: true,
  },
  assign: {
    target: (f) => ({ token: f.ana.token, path: `/v1/conversations/${f.conv.id}/assign` }),
    valid: (f) => ({ assigneeId: f.ana.id }),
    wrongTypes: (f) => [{ assigneeId: 5 }, { assigneeId: 'has space' }, { assigneeId: f.ana.id, teamId: 5 }, { assigneeId: [f.ana.id] }],
    requiresBody: true,
  },
  resolve: {
    target: (f) => ({ token: f.ana.token, path: `/v1/conversations/${f.conv.id}/resolve` }),
    wrongTypes: () => [[], 'resolved', 5, null, true],
    requiresBody: false,
  },
  reopen: {
    target: (f) => ({ token: f.ana.token, path: `/v1/conversations/${f.resolved.id}/reopen` }),
    wrongTypes: () => [[], 'open', 5, null, false],
    requiresBody: false,
  },
  markRead: {
    target: (f) => ({ token: f.ana.token, path: `/v1/conversations/${f.conv.id}/read` }),
    wrongTypes: () => [[], 'read', 1, null],
    requiresBody: false,
  },
  markNotificationsRead: {
    target: (f) => ({ token: f.ana.token, path: '/v1/notifications/read' }),
    valid: () => ({ all: true }),
    wrongTypes: () => [{ all: false }, { ids: 'x' }, { ids: [] }, { ids: ['ntf_x'], all: true }, { ids: [5] }],
    requiresBody: true,
  },
  updatePreferences: {
    target: (f) => ({ token: f.ana.token, path: '/v1/agents/me/preferences' }),
    valid: () => ({ assigned: { email: false } }),
    wrongTypes: () => [{ assigned: true }, { assigned: { email: 'no' } }, { assigned: { sms: true } }, { queued_timeout: { inapp: false } }],
    requiresBody: false,
  },
  updateWorkspace: {
    target: (f) => ({ token: f.ws.apiKey, path: '/v1/workspace' }),
    valid: () => ({ notificationSnippets: true }),
    wrongTypes: () => [
      { notificationSnippets: 'yes' },
      { linkTemplate: 5 },
      { linkTemplate: 'javascript:alert(1)//{conversationId}' },
      { linkTemplate: 'https://crm.example/inbox' },
    ],
    requiresBody: false,
  },
  createPushSubscription: {
    target: (f) => ({ token: f.ana.token, path: '/v1/push-subscriptions' }),
    valid: () => ({ endpoint: PUSH_ENDPOINT, keys: PUSH_KEYS }),
    wrongTypes: () => [
      { endpoint: 'ftp://push.example/x', keys: PUSH_KEYS },
      { endpoint: PUSH_ENDPOINT, keys: { ...PUSH_KEYS, p256dh: 5 } },
      { endpoint: PUSH_ENDPOINT, keys: { ...PUSH_KEYS, p256dh: '!'.repeat(87) } },
      { endpoint: PUSH_ENDPOINT, keys: { ...PUSH_KEYS, p256dh: Buffer.alloc(65, 7).toString('base64url') } },
      { endpoint: PUSH_ENDPOINT, keys: { ...PUSH_KEYS, auth: Buffer.alloc(17, 1).toString('base64url') } },
      { endpoint: PUSH_ENDPOINT },
    ],
    requiresBody: true,
    nothingWritten: async (f) => {
      const res = await f.ana.call('DELETE', '/v1/push-subscriptions', { endpoint: PUSH_ENDPOINT });
      assert.deepEqual(res.body, { deleted: false }, 'no subscription was saved');
    },
  },
  deletePushSubscription: {
    target: (f) => ({ token: f.ana.token, path: '/v1/push-subscriptions' }),
    valid: () => ({ endpoint: PUSH_ENDPOINT }),
    wrongTypes: () => [{ endpoint: 5 }, { endpoint: null }, { endpoint: [PUSH_ENDPOINT] }],
    requiresBody: true,
  },
  createWebhook: {
    target: (f) => ({ token: f.ws.apiKey, path: '/v1/webhooks' }),
    valid: () => ({ url: 'http://127.0.0.1:9/other', events: ['conversation.reopened'] }),
    wrongTypes: () => [
      { url: 'ftp://127.0.0.1/hook', events: ['conversation.reopened'] },
      { url: 'http://127.0.0.1:9/other', events: [] },
      { url: 'http://127.0.0.1:9/other', events: ['nope'] },
      { url: 'http://127.0.0.1:9/other', events: ['note.created', 'note.created'] },
      { url: 'http://127.0.0.1:9/other', events: 'note.created' },
    ],
    requiresBody: true,
  },
  deleteWebhook: {
    target: (f) => ({ token: f.ws.apiKey, path: `/v1/webhooks/${f.webhook.id}` }),
    wrongTypes: () => [[], 'delete', 1, null],
    requiresBody: false,
  },
  createApiKey: {
    target: (f) => ({ token: f.ws.apiKey, path: '/v1/workspace/api-keys' }),
    wrongTypes: () => [[], 'key', 1, null, { name: 'ci' }],
    requiresBody: false,
  },
  revokeApiKey: {
    target: (f) => ({ token: f.ws.apiKey, path: `/v1/workspace/api-keys/${f.spareApiKeyId}` }),
    wrongTypes: () => [[], 'revoke', 1, null],
    requiresBody: false,
  },
  createSigningKey: {
    target: (f) => ({ token: f.ws.apiKey, path: '/v1/workspace/signing-keys' }),
    wrongTypes: () => [[], 'key', 1, null, { alg: 'none' }],
    requiresBody: false,
  },
  retireSigningKey: {
    target: (f) => ({ token: f.ws.apiKey, path: `/v1/workspace/signing-keys/${f.spareKid}` }),
    wrongTypes: () => [[], 'retire', 1, null],
    requiresBody: false,
  },
  createWorkflow: {
    target: (f) => ({ token: f.boss.token, path: '/v1/workflows' }),
    valid: (f) => supportRule(f.team.id, 'Another'),
    wrongTypes: (f) => badWorkflows(f.team.id),
    requiresBody: true,
  },
  validateWorkflow: {
    target: (f) => ({ token: f.boss.token, path: '/v1/workflows/validate' }),
    valid: (f) => ({ workflow: supportRule(f.team.id) }),
    wrongTypes: (f) => [{ workflowId: f.workflow.id }, { workflow: {}, workflowId: 5 }, { workflow: {}, workflowId: 'has space' }],
    requiresBody: true,
  },
  testWorkflow: {
    target: (f) => ({ token: f.boss.token, path: '/v1/workflows/test' }),
    valid: (f) => ({ workflow: supportRule(f.team.id), last: 10 }),
    wrongTypes: (f) => [
      { workflow: supportRule(f.team.id) },
      { workflow: supportRule(f.team.id), last: 0 },
      { workflow: supportRule(f.team.id), last: 501 },
      { workflow: supportRule(f.team.id), last: 2, conversationId: f.conv.id },
      { workflow: supportRule(f.team.id), sample: { conversation: {} } },
    ],
    requiresBody: true,
  },
  updateWorkflow: {
    target: (f) => ({ token: f.boss.token, path: `/v1/workflows/${f.workflow.id}` }),
    valid: (f) => supportRule(f.team.id, 'Renamed'),
    wrongTypes: (f) => badWorkflows(f.team.id),
    requiresBody: true,
  },
  deleteWorkflow: {
    target: (f) => ({ token: f.boss.token, path: `/v1/workflows/${f.workflow.id}` }),
    wrongTypes: () => [[], 'delete', 1, null],
    requiresBody: false,
  },
  publishWorkflow: {
    target: (f) => ({ token: f.boss.token, path: `/v1/workflows/${f.workflow.id}/publish` }),
    wrongTypes: () => [[], 'publish', 1, null, { version: 1 }],
    requiresBody: false,
  },
};

const WRITE_ROUTES = (Object.entries(routes) as [RouteName, (typeof routes)[RouteName]][]).filter(([, spec]) => spec.method !== 'get');

const MALFORMED = ['{', '{"a":', "{'a': 1}", '{"a": 1,}', 'undefined', 'nope', '{"a": 1} trailing', '{"a": 01}', '\u0000'];

/** A body above the limit that would otherwise be valid-looking JSON. */
const oversize = (valid: Record<string, unknown> | undefined) => JSON.stringify({ ...valid, pad: 'x'.repeat(BODY_LIMIT) });

describe('bad bodies on every write endpoint: 4xx with the error shape, nothing written', () => {
  it('every write route of the protocol table is covered here', () => {
    assert.ok(WRITE_ROUTES.length >= 16);
    for (const [name] of WRITE_ROUTES) assert.ok(WRITES[name], `add a case for ${name}`);
  });

  for (const [name, spec] of WRITE_ROUTES) {
    const method = spec.method.toUpperCase();
    it(`${method} ${spec.path} (${name})`, async (t) => {
      const c = WRITES[name];
      assert.ok(c, `no case for ${name}`);
      const f = await setup(t);
      const { token, path } = c.target(f);
      const valid = c.valid?.(f);
      const send = (options: Parameters<TestServer['request']>[2]) => f.server.request(method, path, { token, ...options });
      const before = await snapshot(f);

      for (const raw of MALFORMED) assertError(await send({ raw }), 400, 'malformed_json', `malformed ${JSON.stringify(raw)}`);

      const unknown = await send({ body: { ...valid, bogus: 1 } });
      assertError(unknown, 400, 'validation_failed', 'unknown field');
      assert.ok(Array.isArray(unknown.body.error.details), 'unknown field: details listed');
      assert.ok(
        unknown.body.error.details.some((d: any) => d.code === 'unrecognized_keys' && String(d.message).includes('bogus')),
        `unknown field named in details: ${JSON.stringify(unknown.body.error.details)}`,
      );
      assertError(await send({ raw: JSON.stringify({ ...valid, bogus: 1 }).replace('"bogus"', '"__proto__"') }), 400, 'validation_failed', '__proto__ key');

      // Valid JSON nested far deeper than any body: refused as the wrong shape, not a crash.
      for (const raw of ['['.repeat(100_000) + ']'.repeat(100_000), `{"bogus":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`]) {
        assertError(await send({ raw }), 400, 'validation_failed', `deeply nested ${raw.slice(0, 12)}…`);
      }

      for (const body of c.wrongTypes(f)) {
        const res = await send({ raw: JSON.stringify(body) });
        assertError(res, 400, 'validation_failed', `wrong type ${JSON.stringify(body)}`);
        assert.ok(Array.isArray(res.body.error.details) && res.body.error.details.length > 0, `details for ${JSON.stringify(body)}`);
      }
      if (c.requiresBody) {
        assertError(await send({ raw: '', headers: { 'content-type': 'application/json' } }), 400, 'validation_failed', 'empty body');
        assertError(await send({}), 400, 'validation_failed', 'no body at all');
        assertError(await send({ body: {} }), 400, 'validation_failed', '{}');
      }
      // Strings SQLite would store altered: cut at a NUL, or a lone surrogate replaced.
      if (valid) {
        const key = Object.keys(valid).find((k) => typeof valid[k] === 'string' && k !== 'agentId' && k !== 'assigneeId' && k !== 'username');
        if (key) {
          for (const bad of ['\u0000', '\ud800']) {
            const raw = JSON.stringify({ ...valid, [key]: `a${bad}b` });
            assertError(await send({ raw }), 400, 'validation_failed', `${key} with ${JSON.stringify(bad)}`);
          }
        }
      }

      assertError(await send({ raw: oversize(valid) }), 413, 'payload_too_large', 'oversize');

      const json = JSON.stringify(valid ?? {});
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json']) {
        assertError(await send({ raw: json, headers: { 'content-type': type } }), 415, 'unsupported_media_type', `content-type ${type}`);
      }
      // A body without any Content-Type (a byte array, so fetch adds none).
      const untyped = await fetch(f.server.url + path, { method, headers: { authorization: `Bearer ${token}` }, body: new TextEncoder().encode(json) });
      assertError({ status: untyped.status, body: await untyped.json(), headers: untyped.headers }, 415, 'unsupported_media_type', 'no content-type');

      if (spec.path.includes(':id')) {
        const realId = path.split('/')[3]!;
        const prefix = realId.split('_')[0];
        const badIds = ['nope', `${prefix}_00000000000000000000`, `${realId}x`, realId.toUpperCase(), 'x'.repeat(300), "' OR '1'='1", '%00', '..%2F..%2Fv1%2Fagents', '%E2%9C%93'];
        for (const id of badIds) {
          const badPath = path.replace(realId, id.includes('%') ? id : encodeURIComponent(id));
          const res = await f.server.request(method, badPath, { token, ...(valid ? { body: valid } : {}) });
          assertError(res, 404, 'not_found', `id ${JSON.stringify(id)}`);
        }
      }

      // (createWorkspace has no list to compare: a refused request returns no API key to use.)
      assert.deepEqual(await snapshot(f), before, 'state unchanged');
      await c.nothingWritten?.(f);

      // The endpoint works with a proper request, so each refusal above was about the input.
      const good = await send({ raw: json, headers: { 'content-type': 'application/json; charset=utf-8' } });
      assert.equal(good.status, spec.status, `valid request: ${good.status} ${JSON.stringify(good.body)}`);
    });
  }

  it('a streamed body over the limit (no Content-Length) is 413 and writes nothing', async (t) => {
    const f = await setup(t);
    const before = await snapshot(f);
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"body":"'));
      },
      pull(controller) {
        if (sent > BODY_LIMIT + chunk.length) {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
          return;
        }
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${f.server.url}/v1/conversations/${f.conv.id}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.ana.token}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assertError({ status: res.status, body: await res.json(), headers: res.headers }, 413, 'payload_too_large', 'streamed');
    assert.deepEqual(await snapshot(f), before);
  });

  it('a chunked body that never ends is refused once it passes the limit, not when it ends', async (t) => {
    const f = await setup(t);
    const before = await snapshot(f);
    const socket = connect(f.server.server.port, '127.0.0.1');
    t.after(() => socket.destroy());
    await once(socket, 'connect');
    let response = '';
    socket.on('data', (data: Buffer) => void (response += data.toString('latin1')));
    const ended = once(socket, 'end').catch(() => {});
    socket.write(
      `POST /v1/conversations/${f.conv.id}/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${f.ana.token}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `9\r\n{"body":"\r\n`,
    );
    const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
    let sent = 0;
    // Keep sending, never the last chunk, until the server answers; 16× the limit means it never did.
    while (response === '' && sent < 16 * BODY_LIMIT && !socket.destroyed) {
      if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
      sent += 0x4000;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    const [head = '', body = ''] = response.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 413 /, `answered while the body was still coming (${sent} bytes sent): ${head}`);
    assert.match(head, /^connection: close$/im, 'the connection is not reused: the rest of the body was never read');
    assert.equal(JSON.parse(body).error.code, 'payload_too_large');
    assert.ok(sent < 16 * BODY_LIMIT);
    assert.deepEqual(await snapshot(f), before);
  });

  it('without Node\'s server in front (app.request), bodies are read and limited the same way', async (t) => {
    const f = await setup(t);
    const before = await snapshot(f);
    const path = `/v1/conversations/${f.conv.id}/notes`;
    const post = async (body: string) => {
      const res = await f.server.server.app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${f.ana.token}`, 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: await res.json(), headers: res.headers };
    };
    assertError(await post(JSON.stringify({ body: 'x'.repeat(BODY_LIMIT) })), 413, 'payload_too_large', 'in process');
    assertError(await post('{"body": '), 400, 'malformed_json', 'in process');
    assert.deepEqual(await snapshot(f), before);
    const created = await post(JSON.stringify({ body: 'noted in process' }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.note.body, 'noted in process');
  });

  it('the limit is 256 KiB: one byte more is 413, exactly the limit is parsed', async (t) => {
    const f = await setup(t);
    const before = await snapshot(f);
    const sized = (bytes: number) => {
      const shell = JSON.stringify({ body: '' });
      return JSON.stringify({ body: 'x'.repeat(bytes - shell.length) });
    };
    assert.equal(sized(BODY_LIMIT).length, BODY_LIMIT);
    const path = `/v1/conversations/${f.conv.id}/notes`;
    assertError(await f.server.request('POST', path, { token: f.ana.token, raw: sized(BODY_LIMIT + 1) }), 413, 'payload_too_large', 'limit + 1');
    // The connection that carried the refused body is not left half-read for the next request.
    for (let i = 0; i < 3; i++) {
      assertError(await f.server.request('POST', path, { token: f.ana.token, raw: sized(BODY_LIMIT + 1) }), 413, 'payload_too_large', `again ${i}`);
      assert.equal((await f.ana.call('GET', `/v1/conversations/${f.conv.id}`)).status, 200);
    }
    // At the limit the body is read and then refused by the schema (a note is at most 20,000 characters).
    assertError(await f.server.request('POST', path, { token: f.ana.token, raw: sized(BODY_LIMIT) }), 400, 'validation_failed', 'at the limit');
    assert.deepEqual(await snapshot(f), before);
  });
});

describe('text length limits', () => {
  for (const [label, make] of [
    ['a note', (f: Fixture, body: string) => f.ana.call('POST', `/v1/conversations/${f.conv.id}/notes`, { body })],
    ['an outbound message', (f: Fixture, body: string) => f.ana.call('POST', `/v1/conversations/${f.conv.id}/messages`, { direction: 'outbound', body })],
    ['an inbound message', (f: Fixture, body: string) => f.ws.api('POST', `/v1/conversations/${f.conv.id}/messages`, { direction: 'inbound', body })],
    ['a first message', (f: Fixture, body: string) => f.ws.api('POST', '/v1/conversations', { contactId: f.contact.id, channel: 'sms', message: { body } })],
  ] as const) {
    it(`${label} of 20,001 characters is 400 and writes nothing; 20,000 is fine`, async (t) => {
      const f = await setup(t);
      const before = await snapshot(f);
      assertError(await make(f, 'x'.repeat(20_001)), 400, 'validation_failed', '20,001');
      assertError(await make(f, 'é'.repeat(20_001)), 400, 'validation_failed', '20,001 non-ASCII');
      assert.deepEqual(await snapshot(f), before);
      const fine = await make(f, 'x'.repeat(20_000));
      assert.equal(fine.status, 201, JSON.stringify(fine.body).slice(0, 200));
    });
  }
});

describe('bad query values', () => {
  const cases: [string, (f: Fixture) => string[], (f: Fixture) => string][] = [
    [
      '/v1/conversations',
      () => ['view=nope', 'view=', 'view=MINE', 'limit=0', 'limit=1000', 'limit=101', 'limit=-1', 'limit=1.5', 'limit=abc', 'limit=', 'cursor=garbage', `cursor=${'x'.repeat(201)}`, 'bogus=1'],
      () => 'view=mine&limit=100',
    ],
    [
      '/v1/conversations/:id/timeline',
      () => ['after=-1', 'after=x', 'limit=0', 'limit=501', 'limit=2.5', 'bogus=1'],
      () => 'after=0&limit=500',
    ],
    ['/v1/notifications', () => ['limit=0', 'limit=101', 'unreadOnly=yes', 'bogus=1'], () => 'limit=100&unreadOnly=true'],
    ['/v1/contacts', () => ['', 'externalId=crm-1&email=a@b.example', 'externalId=', 'bogus=1'], () => 'externalId=crm-1'],
    ['/v1/workflows/:id/runs', () => ['outcome=maybe', 'outcome=', 'limit=0', 'limit=201', 'limit=x', 'cursor=has%20space', 'bogus=1'], () => 'outcome=applied&limit=200'],
  ];
  for (const [route, bad, good] of cases) {
    it(`GET ${route} refuses bad query values with 400`, async (t) => {
      const f = await setup(t);
      const path = route.replace(':id', route.startsWith('/v1/workflows') ? f.workflow.id : f.conv.id);
      const call = route === '/v1/contacts' || route.startsWith('/v1/workflows') ? f.ws.api : f.ana.call;
      for (const q of bad(f)) {
        const res = await call('GET', `${path}?${q}`);
        assertError(res, 400, 'validation_failed', `${route}?${q}`);
        assert.ok(Array.isArray(res.body.error.details), `${route}?${q}: details`);
      }
      const res = await call('GET', `${path}?${good(f)}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });
  }
});

describe('If-Match', () => {
  for (const [name, target] of [
    ['assign', (f: Fixture) => ({ path: `/v1/conversations/${f.conv.id}/assign`, body: { assigneeId: f.ana.id } as unknown })],
    ['resolve', (f: Fixture) => ({ path: `/v1/conversations/${f.conv.id}/resolve`, body: undefined })],
    ['reopen', (f: Fixture) => ({ path: `/v1/conversations/${f.resolved.id}/reopen`, body: undefined })],
  ] as const) {
    it(`an invalid If-Match on ${name} is 400 and changes nothing; a stale one 409; the current one works`, async (t) => {
      const f = await setup(t);
      const { path, body } = target(f);
      const before = await snapshot(f);
      for (const value of ['abc', '"x"', '1.5', '-1', '', 'W/"abc"', '1, 2', '9999999999999999999', '0x1']) {
        const res = await f.ana.call('POST', path, body, { 'If-Match': value });
        assertError(res, 400, 'validation_failed', `If-Match ${JSON.stringify(value)}`);
      }
      const id = path.split('/')[3]!;
      const { conversation } = (await f.ws.api('GET', `/v1/conversations/${id}`)).body;
      const stale = await f.ana.call('POST', path, body, { 'If-Match': String(conversation.version + 1) });
      assertError(stale, 409, 'version_conflict', 'stale If-Match');
      assert.deepEqual(stale.body.error.details.conversation, conversation);
      assert.deepEqual(await snapshot(f), before, 'state unchanged');
      const res = await f.ana.call('POST', path, body, { 'If-Match': `"${conversation.version}"` });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.conversation.version, conversation.version + 1);
    });
  }
});

describe('unknown routes', () => {
  it('answer 404 with the JSON error shape', async (t) => {
    const f = await setup(t);
    const before = await snapshot(f);
    const probes: [string, string][] = [
      ['GET', '/v1/nope'],
      ['POST', '/v1/nope'],
      ['GET', '/nope'],
      ['GET', '/v2/conversations'],
      ['DELETE', `/v1/conversations/${f.conv.id}`],
      ['PUT', `/v1/conversations/${f.conv.id}`],
      ['PATCH', `/v1/conversations/${f.conv.id}/unknown`],
      ['POST', `/v1/conversations/${f.conv.id}/unknown`],
      ['GET', `/v1/conversations/${f.conv.id}/notes/extra/segments`],
      ['DELETE', `/v1/agents/${f.ana.id}`],
      ['POST', '/v1/contacts/search'],
    ];
    for (const [method, path] of probes) {
      for (const token of [f.ana.token, f.ws.apiKey]) {
        const res = await f.server.request(method, path, { token, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
        assertError(res, 404, 'not_found', `${method} ${path}`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      }
    }
    assert.deepEqual(await snapshot(f), before);
  });
});
