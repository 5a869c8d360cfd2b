import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// Contact attributes (DESIGN §3): the host's own fields on a contact, set through the contacts API
// and read by rules as `contact.attributes.<key>`.

describe('contact attributes', () => {
  it('are stored on create, merged on PATCH (null removes a key), and returned with the contact', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace();
    const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Priya', attributes: { plan: 'enterprise', seats: 40, vip: true } }), 201);
    assert.deepEqual(contact.attributes, { plan: 'enterprise', seats: 40, vip: true });
    const patched = await ok(ws.api('PATCH', `/v1/contacts/${contact.id}`, { attributes: { seats: 45, vip: null, region: 'eu' } }), 200);
    assert.deepEqual(patched.contact.attributes, { plan: 'enterprise', seats: 45, region: 'eu' });
    const read = await ok(ws.api('GET', `/v1/contacts/${contact.id}`), 200);
    assert.deepEqual(read.contact.attributes, { plan: 'enterprise', seats: 45, region: 'eu' });
    const plain = await ok(ws.api('POST', '/v1/contacts', { name: 'Nobody' }), 201);
    assert.deepEqual(plain.contact.attributes, {});
  });

  it('bad keys, values and too many attributes are a 400 that changes nothing; another workspace gets a 404', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace();
    const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Priya', attributes: { plan: 'pro' } }), 201);
    const bad: unknown[] = [{ '1plan': 'x' }, { 'plan.tier': 'x' }, { plan: { nested: true } }, { plan: ['a'] }, { plan: 'x'.repeat(501) }];
    for (const attributes of bad) {
      const res = await ws.api('PATCH', `/v1/contacts/${contact.id}`, { attributes });
      assert.equal(res.status, 400, JSON.stringify(attributes));
      assert.equal(res.body.error.code, 'validation_failed');
    }
    const create = await ws.api('POST', '/v1/contacts', { name: 'X', attributes: { 'bad key': 1 } });
    assert.equal(create.status, 400);
    // A "__proto__" key (an own key as JSON.parse makes it), whatever its value: a schema would drop
    // it unchecked and answer 2xx for nothing stored.
    for (const raw of ['{"attributes":{"__proto__":{"nested":{"deep":[1]}}}}', '{"attributes":{"__proto__":"x"}}']) {
      const patch = await server.request('PATCH', `/v1/contacts/${contact.id}`, { token: ws.apiKey, raw });
      assert.equal(patch.status, 400, raw);
      assert.equal(patch.body.error.code, 'validation_failed');
      assert.deepEqual(patch.body.error.details[0].path, ['attributes', '__proto__']);
      const created = await server.request('POST', '/v1/contacts', { token: ws.apiKey, raw: raw.replace('{', '{"name":"Y",') });
      assert.equal(created.status, 400, raw);
      const inline = await server.request('POST', '/v1/conversations', { token: ws.apiKey, raw: `{"channel":"sms","contact":{"name":"Z",${raw.slice(1, -1)}}}` });
      assert.equal(inline.status, 400, raw);
    }
    // 50 are fine; one more once merged with the stored one is not.
    const fifty = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, i]));
    await ok(ws.api('PATCH', `/v1/contacts/${contact.id}`, { attributes: fifty }), 200);
    const over = await ws.api('PATCH', `/v1/contacts/${contact.id}`, { attributes: { extra: true } });
    assert.equal(over.status, 400);
    assert.equal(over.body.error.code, 'validation_failed');
    const after = await ok(ws.api('GET', `/v1/contacts/${contact.id}`), 200);
    assert.equal(Object.keys(after.contact.attributes).length, 50);
    assert.equal(after.contact.attributes.plan, 'pro');

    const other = await server.createWorkspace('Other');
    const theirs = await other.api('PATCH', `/v1/contacts/${contact.id}`, { attributes: { plan: 'stolen' } });
    assert.equal(theirs.status, 404);
    assert.equal((await ok(ws.api('GET', `/v1/contacts/${contact.id}`), 200)).contact.attributes.plan, 'pro');
  });

  it('rules read contact.attributes.<key> with typed comparisons, and the run log shows the actual values', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace();
    const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
    const ana = await ws.addAgent('ana');
    const { workflow } = await ok(
      boss.call('POST', '/v1/workflows', {
        name: 'Big enterprise → Ana',
        trigger: { event: 'conversation.created' },
        conditions: {
          all: [
            { field: 'contact.attributes.plan', op: 'eq', value: 'enterprise' },
            { field: 'contact.attributes.seats', op: 'gte', value: 40 },
          ],
        },
        actions: [{ type: 'assign', steps: [{ pool: { agents: [ana.id] }, strategy: 'round_robin' }] }],
      }),
      201,
    );
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    const start = async (attributes: Record<string, unknown>) => {
      const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'C', attributes }), 201);
      const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'email', message: { body: 'hi' } }), 201);
      await server.settle();
      return (await ok(ws.api('GET', `/v1/conversations/${conversation.id}`), 200)).conversation;
    };
    assert.equal((await start({ plan: 'enterprise', seats: 40 })).assigneeId, ana.id);
    assert.equal((await start({ plan: 'enterprise', seats: 39 })).assigneeId, null);
    assert.equal((await start({ plan: 'enterprise', seats: '40' })).assigneeId, null, 'types never coerce');
    const miss = await start({ plan: 'free' });
    assert.equal(miss.assigneeId, null);
    const { items } = await ok(ws.api('GET', `/v1/conversations/${miss.id}/routing`), 200);
    const trace = JSON.stringify(items[0].conditions);
    assert.match(trace, /"actual":"free"/);

    // The field registry validates the path: a key that is not an identifier is refused.
    const invalid = await boss.call('POST', '/v1/workflows/validate', {
      workflow: {
        name: 'bad',
        trigger: { event: 'conversation.created' },
        conditions: { all: [{ field: 'contact.attributes.1st', op: 'eq', value: 'x' }] },
        actions: [{ type: 'add_tag', tags: ['x'] }],
      },
    });
    assert.equal(invalid.status, 200);
    assert.equal(invalid.body.valid, false);
    assert.deepEqual(invalid.body.errors[0].path, ['conditions', 'all', 0, 'field']);
  });
});
