import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { TestServer } from '../src/testing.js';

test('smoke', async () => {
  const s = await TestServer.start();
  try {
    const ws = await s.createWorkspace('A');
    const ana = await ws.addAgent('ana');
    const me = await ana.call('GET', '/v1/agents/me');
    console.log(me.status, me.body);
    const key = ws.signingKeys[0]!;
    const now = Math.floor(s.clock!.now() / 1000);
    const iat = now + 10 * 365 * 86400;
    const token = await new SignJWT({ ws: ws.id, role: 'agent' }).setProtectedHeader({ alg: 'HS256', kid: key.kid }).setSubject(ana.id).setAudience('baton').setIssuedAt(iat).setExpirationTime(iat + 3600).setJti('x').sign(new TextEncoder().encode(key.secret));
    const r = await s.request('GET', '/v1/agents/me', { token });
    console.log('future iat', r.status);
    const conv = await ws.api('POST', '/v1/conversations', { contact: { name: 'Carl' }, channel: 'sms', message: { body: 'hi' } });
    console.log(conv.status);
    const id = conv.body.conversation.id;
    const k = { 'Idempotency-Key': 'k1' };
    const a = await ana.call('POST', `/v1/conversations/${id}/notes`, { body: 'x'.repeat(20001) }, k);
    const b = await ana.call('POST', `/v1/conversations/${id}/notes`, { body: 'x'.repeat(20001) }, k);
    console.log(a.status, b.status, b.headers.get('idempotent-replayed'), b.body);
    const c = await s.request('POST', `/v1/conversations/${id}/resolve`, { token: ana.token, raw: '{"a":', headers: { 'content-type': 'application/json' } });
    console.log(c.status, c.body);
    const st = new ReadableStream({ start(ctl) { ctl.enqueue(new TextEncoder().encode(JSON.stringify({ body: 'y'.repeat(300 * 1024) }))); ctl.close(); } });
    const res = await fetch(`${s.url}/v1/conversations/${id}/notes`, { method: 'POST', headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/json' }, body: st, duplex: 'half' } as RequestInit);
    console.log('stream', res.status, await res.text());
    const proto = await ana.call('POST', `/v1/conversations/${id}/notes`, JSON.parse('{"body":"ok","__proto__":{"x":1}}'));
    console.log('proto', proto.status, proto.body);
    const proto2 = await s.request('POST', `/v1/conversations/${id}/notes`, { token: ana.token, raw: '{"body":"ok","__proto__":{"x":1}}' });
    console.log('proto2', proto2.status, JSON.stringify(proto2.body));
  } finally {
    await s.close();
  }
});
