import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { routes, type RouteName } from '@baton/protocol';
import { ADMIN_TOKEN, LOOPBACK_DESTINATIONS, TestServer, type HttpResult, type TestAgent, type TestWorkspace, expectStatus as ok } from '../../src/testing.js';

/**
 * Every write endpoint of the protocol table with a workspace to aim it at: a valid body, bodies of
 * the wrong shape. A refusal writes nothing: the tests compare database images (database-image.ts)
 * taken before and after. Shared by bad-input.test.ts (the listed refusals) and write-fuzz.test.ts (random ones).
 */

export interface Fixture {
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

export const PUSH_ENDPOINT = 'https://push.example/send/abc';
export const PUSH_KEYS = {
  p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url'),
  auth: Buffer.alloc(16, 1).toString('base64url'),
};

export const supportRule = (team: string, name = 'Everyone → Support') => ({
  name,
  trigger: { event: 'conversation.created' },
  actions: [{ type: 'assign', steps: [{ pool: { team }, strategy: 'round_robin' }] }],
});

/** Workflow bodies of the wrong shape (each a 400, not a 422: the validator cannot say more). */
export const badWorkflows = (team: string) => [
  { ...supportRule(team), name: 5 },
  { ...supportRule(team), trigger: 'conversation.created' },
  { ...supportRule(team), trigger: { event: 'conversation.exploded' } },
  { ...supportRule(team), actions: [] },
  { ...supportRule(team), actions: [{ type: 'teleport' }] },
  { ...supportRule(team), priority: 1.5 },
  { ...supportRule(team), enabled: 'yes' },
];

export async function setup(t: TestContext): Promise<Fixture> {
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

export function assertError(res: HttpResult, status: number, code: string, label: string) {
  assert.notEqual(res.status, 500, `${label}: 500 ${JSON.stringify(res.body)}`);
  assert.equal(res.status, status, `${label}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body?.error?.code, code, `${label}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body.error.message, 'string', label);
}

export interface WriteCase {
  /** Who calls and where, with the fixture's real ids. */
  target: (f: Fixture) => { token: string; path: string };
  /** A body that succeeds; undefined for commands that take none. */
  valid?: (f: Fixture) => Record<string, unknown>;
  /** Bodies with a field of the wrong type (or shape); each must be a 400. */
  wrongTypes: (f: Fixture) => unknown[];
  /** Whether `{}` / no body is an error. */
  requiresBody: boolean;
}

/** Every write endpoint of the protocol table; a test fails if one is added without a case. */
export const WRITES: Partial<Record<RouteName, WriteCase>> = {
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
  createWorkspaceApiKey: {
    target: (f) => ({ token: ADMIN_TOKEN, path: `/v1/workspaces/${f.ws.id}/api-keys` }),
    wrongTypes: () => [[], 'key', 1, null, { name: 'recovery' }],
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

export const WRITE_ROUTES = (Object.entries(routes) as [RouteName, (typeof routes)[RouteName]][]).filter(([, spec]) => spec.method !== 'get');
