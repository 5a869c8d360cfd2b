import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// conversation.language (DESIGN §3, §6): detected from the customer's inbound messages with
// @baton/rules/language; the contact's language wins when set; unsure stays null (or keeps what
// was found before); rules can route on it.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const start = async (contact: Record<string, unknown>, body: string) => {
    const res = await ok(ws.api('POST', '/v1/conversations', { contact, channel: 'sms', message: { body } }), 201);
    return res.conversation;
  };
  const inbound = async (id: string, body: string) => (await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body }), 201)).conversation;
  return { server, ws, start, inbound };
}

describe('conversation.language', () => {
  it('is detected from the first inbound message, null when unsure, and the contact’s language wins', async (t) => {
    const { start } = await setup(t);
    assert.equal((await start({ name: 'José' }, 'Hola, necesito ayuda con mi pedido, todavía no llegó')).language, 'es');
    assert.equal((await start({ name: 'Ann' }, 'Hi, I need help with my order, it has not arrived yet')).language, 'en');
    assert.equal((await start({ name: 'Zoe' }, 'ok')).language, null, 'too short to tell');
    assert.equal((await start({ name: 'Rui', language: 'pt' }, 'Hi, I need help with my order, it has not arrived yet')).language, 'pt');
  });

  it('follows later inbound messages; a short one keeps what was found; replies do not count', async (t) => {
    const { ws, start, inbound, server } = await setup(t);
    const c = await start({ name: 'José' }, 'hola');
    assert.equal(c.language, null);
    assert.equal((await inbound(c.id, 'Mi pedido no llegó y necesito el reembolso por favor')).language, 'es');
    assert.equal((await inbound(c.id, 'ok')).language, 'es', 'an unsure message keeps the language');
    const agent = await ws.addAgent('ana');
    const reply = await ok(agent.call('POST', `/v1/conversations/${c.id}/messages`, { direction: 'outbound', body: 'Hello! I am sorry to hear that, I will check your order right away' }), 201);
    assert.equal(reply.conversation.language, 'es', "the agent's English reply is not the customer's language");
    const fetched = await ok(server.request('GET', `/v1/conversations/${c.id}`, { token: ws.apiKey }), 200);
    assert.equal(fetched.conversation.language, 'es');
  });

  it('routes: a rule on conversation.language sends a Spanish writer without a contact language to the es agent', async (t) => {
    const { server, ws, start } = await setup(t);
    const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
    const maria = await ws.addAgent('maria', { skills: ['es'] });
    await ws.addAgent('ana');
    const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Bilingual', memberIds: [maria.id] }), 201);
    const { workflow } = await ok(
      boss.call('POST', '/v1/workflows', {
        name: 'Spanish → bilingual',
        trigger: { event: 'conversation.created' },
        conditions: { all: [{ field: 'conversation.language', op: 'in', value: ['es'] }] },
        actions: [{ type: 'assign', steps: [{ pool: { team: team.id }, require: { skills: ['es'] }, strategy: 'round_robin' }] }],
      }),
      201,
    );
    await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
    const spanish = await start({ name: 'José' }, 'Hola, necesito ayuda con mi pedido, todavía no llegó');
    const english = await start({ name: 'Ann' }, 'Hi, I need help with my order, it has not arrived yet');
    await server.settle();
    const get = async (id: string) => (await ok(ws.api('GET', `/v1/conversations/${id}`), 200)).conversation;
    assert.equal((await get(spanish.id)).assigneeId, maria.id);
    assert.equal((await get(english.id)).assigneeId, null);
    const routing = await ok(ws.api('GET', `/v1/conversations/${english.id}/routing`), 200);
    assert.equal(routing.items[0].conditions.children[0].actual, 'en');
  });
});
