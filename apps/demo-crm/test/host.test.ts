import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { Hono } from 'hono';
import { TestServer } from '@baton/server/testing';
import { demoHost } from '../src/host.js';

/**
 * The demo CRM's backend against a real Baton server over loopback: it must reach Baton only
 * through the public REST API with its API key, like any host would.
 */
async function setup(t: TestContext) {
  const baton = await TestServer.start();
  t.after(() => baton.close());
  const ws = await baton.createWorkspace('Demo');
  // The demo seeds each agent with the CRM's user id as `externalId`; its token route asks by it.
  const ana = await ws.addAgent('ana', { externalId: 'crm-user:ana' });
  const host = demoHost({
    apiKey: ws.apiKey,
    callBaton: (path, init) => fetch(baton.url + path, init),
    pageFile: new URL('../public/index.html', import.meta.url),
    inboxBundleFile: '/not-requested-in-these-tests/team-inbox.standalone.js',
    pushWorkerFile: new URL('../../../packages/team-inbox/push-worker.js', import.meta.url).pathname,
  });
  const app = new Hono().route('/', host);
  const post = async (path: string, body?: unknown) => {
    const res = await app.request(path, {
      method: 'POST',
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { baton, ws, ana, post };
}

test("mints a working agent token by the CRM user's id, and refuses users with no agent", async (t) => {
  const { baton, ws, ana, post } = await setup(t);
  const minted = await post('/demo/token?agent=ANA');
  assert.equal(minted.status, 201);
  const me = await baton.request('GET', '/v1/agents/me', { token: minted.body.token });
  assert.equal(me.status, 200);
  assert.equal(me.body.agent.id, ana.id);
  const unknown = await post('/demo/token?agent=nobody');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'not_found');
  // An agent the CRM has no user for (no externalId) gets no token through it, whatever their username.
  await ws.addAgent('ben');
  assert.equal((await post('/demo/token?agent=ben')).status, 404);
});

test('a customer message starts a conversation, a second one continues (and reopens) it', async (t) => {
  const { ana, post } = await setup(t);
  const first = await post('/demo/customer-message', { name: 'Chris', phone: '+15550101', channel: 'sms', body: 'Hi there' });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const id = first.body.conversation.id;
  assert.equal((await ana.call('POST', `/v1/conversations/${id}/resolve`)).status, 200);

  const second = await post('/demo/customer-message', { name: 'Chris', phone: '+15550101', channel: 'sms', body: 'One more thing' });
  assert.equal(second.status, 201, JSON.stringify(second.body));
  assert.equal(second.body.conversation.id, id);
  assert.equal(second.body.conversation.status, 'open');

  const timeline = await ana.call('GET', `/v1/conversations/${id}/timeline`);
  const inbound = timeline.body.items.filter((i: any) => i.kind === 'message' && i.direction === 'inbound').map((i: any) => i.body);
  assert.deepEqual(inbound, ['Hi there', 'One more thing']);
  assert.ok(timeline.body.items.some((i: any) => i.kind === 'event' && i.type === 'reopened' && i.data.reason === 'inbound_message'));

  const other = await post('/demo/customer-message', { name: 'Dana', email: 'dana@example.com', channel: 'email', body: 'Hello' });
  assert.notEqual(other.body.conversation.id, id);
});

test("an email's subject names the conversation it starts; a reply in the thread keeps it", async (t) => {
  const { ana, post } = await setup(t);
  const first = await post('/demo/customer-message', { name: 'Dana', email: 'dana@example.com', channel: 'email', subject: '  Refund for order #4512 ', body: 'Hello' });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.conversation.subject, 'Refund for order #4512');
  const reply = await post('/demo/customer-message', { name: 'Dana', email: 'dana@example.com', channel: 'email', subject: 'Re: something else', body: 'Any news?' });
  assert.equal(reply.body.conversation.id, first.body.conversation.id);
  const read = await ana.call('GET', `/v1/conversations/${first.body.conversation.id}`);
  assert.equal(read.body.conversation.subject, 'Refund for order #4512');
  const sms = await post('/demo/customer-message', { name: 'Chris', phone: '+15550101', channel: 'sms', body: 'Hi' });
  assert.equal(sms.body.conversation.subject, null);
});

test('rejects a malformed customer message without writing anything', async (t) => {
  const { ana, post } = await setup(t);
  for (const bad of [{ name: 'X', channel: 'fax', body: 'hi' }, { name: '', channel: 'sms', body: 'hi' }, { name: 'X', channel: 'sms', body: 'hi', extra: 1 }, { name: 'X', channel: 'email', subject: ' ', body: 'hi' }]) {
    const res = await post('/demo/customer-message', bad);
    assert.equal(res.status, 400, JSON.stringify(bad));
  }
  const all = await ana.call('GET', '/v1/conversations?view=all');
  assert.equal(all.body.items.length, 0);
});

test('serves the standalone bundle and its lazy chunks from the folder beside it, and nothing else', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-host-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dist = path.join(dir, 'dist');
  await mkdir(path.join(dist, 'standalone-chunks'), { recursive: true });
  await writeFile(path.join(dist, 'team-inbox.standalone.js'), 'import("./standalone-chunks/snooze-menu-AbC_12-x.js");');
  await writeFile(path.join(dist, 'standalone-chunks', 'snooze-menu-AbC_12-x.js'), 'import "../team-inbox.standalone.js"; export const lazy = 1;');
  await writeFile(path.join(dist, 'standalone-chunks', 'notes.txt'), 'not a chunk');
  await writeFile(path.join(dist, 'secret.js'), 'export const secret = 1;');
  await writeFile(path.join(dir, 'secret.js'), 'export const secret = 2;');
  const app = new Hono().route(
    '/',
    demoHost({
      apiKey: 'unused',
      callBaton: () => Promise.reject(new Error('no Baton call expected')),
      pageFile: new URL('../public/index.html', import.meta.url),
      inboxBundleFile: path.join(dist, 'team-inbox.standalone.js'),
      pushWorkerFile: path.join(dir, 'push-worker.js'),
    }),
  );

  // The entry under its own name, which is where its chunks' `../team-inbox.standalone.js` lands.
  const entry = await app.request('/demo/assets/team-inbox.standalone.js');
  assert.equal(entry.status, 200);
  assert.match(await entry.text(), /standalone-chunks\/snooze-menu-AbC_12-x\.js/);
  const chunk = await app.request('/demo/assets/standalone-chunks/snooze-menu-AbC_12-x.js');
  assert.equal(chunk.status, 200);
  assert.match(chunk.headers.get('content-type') ?? '', /^text\/javascript/);
  const code = await chunk.text();
  assert.equal(code, 'import "../team-inbox.standalone.js"; export const lazy = 1;');
  const imported = new URL(/import "([^"]+)"/.exec(code)![1]!, 'http://host/demo/assets/standalone-chunks/snooze-menu-AbC_12-x.js').pathname;
  assert.equal((await app.request(imported)).status, 200, `${imported} is the entry`);

  for (const bad of [
    '/demo/assets/standalone-chunks/missing-0000.js',
    '/demo/assets/standalone-chunks/notes.txt',
    '/demo/assets/standalone-chunks/..%2Fsecret.js',
    '/demo/assets/standalone-chunks/..%2F..%2Fsecret.js',
    '/demo/assets/standalone-chunks/%2e%2e%2fsecret.js',
    '/demo/assets/standalone-chunks/../secret.js',
    '/demo/assets/standalone-chunks/..\\secret.js',
  ]) {
    const res = await app.request(bad);
    assert.equal(res.status, 404, bad);
    assert.doesNotMatch(await res.text(), /secret/, bad);
  }
});
