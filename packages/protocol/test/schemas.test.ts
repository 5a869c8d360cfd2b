import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssignBody, CreateConversationBody, ListConversationsQuery, MarkNotificationsReadBody, PostNoteBody, routes, Username } from '../src/index.js';
import { buildOpenApiDocument } from '../src/openapi.js';

describe('request schemas', () => {
  it('reject unknown fields instead of dropping them', () => {
    const result = AssignBody.safeParse({ assigneeId: 'agt_1', note: 'x' });
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error!.issues), /unrecognized_keys|note/);
  });

  it('need exactly one of contactId or contact for a new conversation', () => {
    assert.equal(CreateConversationBody.safeParse({ channel: 'sms' }).success, false);
    assert.equal(CreateConversationBody.safeParse({ channel: 'sms', contactId: 'ctc_1', contact: { name: 'A' } }).success, false);
    assert.equal(CreateConversationBody.safeParse({ channel: 'sms', contactId: 'ctc_1' }).success, true);
    assert.equal(CreateConversationBody.safeParse({ channel: 'SMS!', contactId: 'ctc_1' }).success, false);
  });

  it('bound note bodies', () => {
    assert.equal(PostNoteBody.safeParse({ body: '   ' }).success, false);
    assert.equal(PostNoteBody.safeParse({ body: 'x'.repeat(20_000) }).success, true);
    assert.equal(PostNoteBody.safeParse({ body: 'x'.repeat(20_001) }).success, false);
  });

  it('default and bound list queries', () => {
    assert.deepEqual(ListConversationsQuery.parse({}), { view: 'all', limit: 25, sort: 'newest' });
    assert.equal(ListConversationsQuery.safeParse({ limit: '101' }).success, false);
    assert.equal(ListConversationsQuery.safeParse({ view: 'starred' }).success, false);
  });

  it('mark notifications read by ids or all, not both', () => {
    assert.equal(MarkNotificationsReadBody.safeParse({ ids: ['ntf_1'] }).success, true);
    assert.equal(MarkNotificationsReadBody.safeParse({ all: true }).success, true);
    assert.equal(MarkNotificationsReadBody.safeParse({ ids: ['ntf_1'], all: true }).success, false);
    assert.equal(MarkNotificationsReadBody.safeParse({}).success, false);
  });

  it('keep usernames mentionable', () => {
    for (const ok of ['ben', 'maria.garcia', 'a', 'tom_2']) assert.equal(Username.safeParse(ok).success, true, ok);
    for (const bad of ['ben.', '-ben', 'ben smith', 'bén', '']) assert.equal(Username.safeParse(bad).success, false, bad);
  });
});

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument({ version: '0.0.0' });

  it('is OpenAPI 3.1 and lists every route of the table', () => {
    assert.equal(doc.openapi, '3.1.0');
    for (const [name, spec] of Object.entries(routes)) {
      const path = spec.path.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[path]?.[spec.method] as { operationId: string } | undefined;
      assert.ok(op, `${name} missing`);
      assert.equal(op.operationId, name);
    }
  });

  it('says which answers a too-large body gets, and that every answer names its request', () => {
    for (const [name, spec] of Object.entries(routes)) {
      const op = doc.paths[spec.path.replace(/:(\w+)/g, '{$1}')]![spec.method] as any;
      assert.equal('413' in op.responses, 'body' in spec, `${name}: 413 exactly when it takes a body`);
      for (const [status, response] of Object.entries(op.responses)) assert.ok((response as any).headers['X-Request-Id'], `${name} ${status}`);
    }
  });

  it('documents request bodies as strict JSON schemas', () => {
    const op = doc.paths['/v1/conversations/{id}/assign']!.post as any;
    const schema = op.requestBody.content['application/json'].schema;
    assert.equal(schema.additionalProperties, false);
    assert.ok(schema.properties.assigneeId);
    assert.ok(op.parameters.some((p: any) => p.name === 'If-Match'));
  });
});

describe('constants', () => {
  it('ENDPOINTS carries the method and path of every route, and nothing else', async () => {
    const { ENDPOINTS } = await import('../src/constants.js');
    const fromRoutes = Object.fromEntries(Object.entries(routes).map(([name, r]) => [name, { method: r.method, path: r.path }]));
    assert.deepEqual(ENDPOINTS, fromRoutes);
  });
});
