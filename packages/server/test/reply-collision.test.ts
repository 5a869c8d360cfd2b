import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// Two agents answering one customer at once (Front's collision check, on the server): a reply sent
// with `seenSeq` is refused when someone else's reply came after the one its writer had seen. The
// composer sends it; "Send anyway" sends without it.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Lucía' }, channel: 'sms', message: { body: 'Hola' } }), 201);
  const timeline = async () => (await ok(ana.call('GET', `/v1/conversations/${conversation.id}/timeline`), 200)).items as any[];
  const replies = async () => (await timeline()).filter((i) => i.kind === 'message' && i.direction === 'outbound');
  return { server, ws, ana, ben, id: conversation.id as string, timeline, replies };
}

test("a reply written against an older reply is refused with the teammate's reply, and nothing is sent or changed", async (t) => {
  const { ws, ana, ben, id, timeline, replies } = await setup(t);
  const first = await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'Sí, el sábado', seenSeq: 0 }), 201);
  const before = await timeline();
  const conversation = (await ok(ben.call('GET', `/v1/conversations/${id}`), 200)) as any;

  // Ben began before Ana's reply: his says he had seen none.
  const refused = await ben.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'Claro, ¿a qué hora?', seenSeq: 0 });
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'replied_meanwhile');
  assert.deepEqual(refused.body.error.details, { seq: first.message.seq, author: { type: 'agent', id: ana.id } });
  assert.deepEqual(await timeline(), before);
  assert.deepEqual(await ok(ben.call('GET', `/v1/conversations/${id}`), 200), conversation);

  // Written after seeing it, his goes; so does one sent anyway (without seenSeq).
  const seen = first.message.seq;
  await ok(ben.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: '¿A qué hora?', seenSeq: seen }), 201);
  await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'A las diez' }), 201);
  assert.deepEqual((await replies()).map((m) => m.body), ['Sí, el sábado', '¿A qué hora?', 'A las diez']);

  // The host's reply (API key) counts as someone else's too.
  const latest = (await replies()).at(-1).seq;
  await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'Automated: confirmed' }), 201);
  assert.equal((await ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'late', seenSeq: latest })).status, 409);
});

test("an agent's own newer reply (another tab) and notes or customer messages never stop a reply", async (t) => {
  const { ws, ana, ben, id, replies } = await setup(t);
  await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'from the other tab' }), 201);
  await ok(ben.call('POST', `/v1/conversations/${id}/notes`, { body: '@ana I will leave it to you' }), 201);
  await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'Gracias' }), 201);
  await ok(ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'De nada', seenSeq: 0 }), 201);
  assert.equal((await replies()).length, 2);
});

test('of two replies sent at the same instant against the same reply, exactly one goes', async (t) => {
  const { ana, ben, id, replies } = await setup(t);
  for (let round = 0; round < 5; round++) {
    const seenSeq = (await replies()).at(-1)?.seq ?? 0;
    const answers = await Promise.all([
      ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: `ana ${round}`, seenSeq }),
      ben.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: `ben ${round}`, seenSeq }),
    ]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409], `round ${round}`);
    const sent = answers.find((a) => a.status === 201)!.body.message;
    assert.deepEqual(answers.find((a) => a.status === 409)!.body.error.details, { seq: sent.seq, author: sent.author });
  }
  assert.equal((await replies()).length, 5);
});

test('seenSeq is for replies only and must be a seq: refused with 400, nothing written', async (t) => {
  const { ws, ana, id, timeline } = await setup(t);
  const before = await timeline();
  for (const [who, body] of [
    [ws.api.bind(ws), { direction: 'inbound', body: 'hi', seenSeq: 0 }],
    [ana.call.bind(ana), { direction: 'outbound', body: 'hi', seenSeq: -1 }],
    [ana.call.bind(ana), { direction: 'outbound', body: 'hi', seenSeq: 1.5 }],
    [ana.call.bind(ana), { direction: 'outbound', body: 'hi', seenSeq: '3' }],
  ] as const) {
    const res = await who('POST', `/v1/conversations/${id}/messages`, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error.code, 'validation_failed');
    assert.deepEqual(res.body.error.details.issues?.[0]?.path ?? res.body.error.details[0]?.path, ['seenSeq'], JSON.stringify(res.body));
  }
  assert.deepEqual(await timeline(), before);
});
