import { test } from 'node:test';
import { TestServer } from '../src/testing.js';

test('smoke', async () => {
  const s = await TestServer.start();
  try {
    const ws = await s.createWorkspace('A');
    const ana = await ws.addAgent('ana');
    const conv = await ws.api('POST', '/v1/conversations', { contact: { name: 'Carl' }, channel: 'sms', message: { body: 'hi' } });
    const id = conv.body.conversation.id;
    for (const raw of ['{"body":"\\ud800 lone"}', '{"body":"nul\\u0000x"}', '{"body":"' + '\\u00e9'.repeat(5) + '"}', '['.repeat(100000) + ']'.repeat(100000), '{"body":"ok"} trailing', '\ufeff{"body":"bom"}']) {
      const r = await s.request('POST', `/v1/conversations/${id}/notes`, { token: ana.token, raw });
      console.log(raw.slice(0, 30), r.status, JSON.stringify(r.body).slice(0, 200));
    }
    for (const p of ['%ZZ', '%00', 'a%2Fb', encodeURIComponent("' OR 1=1 --"), 'x'.repeat(5000), encodeURIComponent('конв')]) {
      const r = await s.request('GET', `/v1/conversations/${p}`, { token: ana.token });
      const r2 = await s.request('POST', `/v1/conversations/${p}/notes`, { token: ana.token, body: { body: 'x' } });
      const r3 = await s.request('POST', `/v1/conversations/${p}/resolve`, { token: ana.token });
      console.log(p.slice(0, 20), r.status, r2.status, r3.status, JSON.stringify(r3.body));
    }
    const t = await s.request('GET', `/v1/conversations/${id}/timeline`, { token: ana.token });
    console.log(t.body.items.map((i: any) => [i.kind, JSON.stringify(i.body)]));
    for (const q of ['view=nope', 'limit=0', 'limit=1000', 'limit=abc', 'limit=', 'cursor=zzz', 'foo=1', 'view=mine&view=all', 'limit=1e2']) {
      const r = await s.request('GET', `/v1/conversations?${q}`, { token: ana.token });
      console.log(q, r.status, r.body?.error?.code);
    }
    const r = await s.request('GET', `/v1/conversations/${id}`, { token: ana.token, headers: { 'If-Match': '' } });
    console.log(r.status);
    const r4 = await s.request('POST', `/v1/conversations/${id}/resolve`, { token: ana.token, headers: { 'If-Match': '' } });
    console.log('empty if-match', r4.status, r4.body);
    const r5 = await s.request('DELETE', `/v1/conversations/${id}`, { token: ana.token });
    console.log('delete', r5.status, r5.body);
    const r6 = await s.request('POST', `/v1/conversations`, { token: ws.apiKey, raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    console.log('form', r6.status, r6.body);
  } finally {
    await s.close();
  }
});
