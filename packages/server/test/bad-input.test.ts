import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { TestServer } from '../src/testing.js';
import { assertNothingWritten, databaseImage } from './support/database-image.js';
import { assertError, setup, WRITE_ROUTES, WRITES, type Fixture } from './support/write-routes.js';

// DESIGN §5: unknown fields, wrong types, oversize bodies, malformed JSON → 400/413 with the error
// shape; never a 500, never a partial write. Every case below checks the state afterwards.

const BODY_LIMIT = 256 * 1024;

const MALFORMED = ['{', '{"a":', "{'a': 1}", '{"a": 1,}', 'undefined', 'nope', '{"a": 1} trailing', '{"a": 01}', '\u0000'];

/** A body above the limit that would otherwise be valid-looking JSON. */
const oversize = (valid: Record<string, unknown> | undefined) => JSON.stringify({ ...valid, pad: 'x'.repeat(BODY_LIMIT) });

// The database image is how every test here shows a refusal wrote nothing, so it must see writes:
// in another workspace, and in tables no route reads. On both engines (this file runs on each).
it('a database image sees a write anywhere in the database, and names the rows', async (t) => {
  const server = await TestServer.startFor(t);
  const acme = await server.createWorkspace('Acme');
  const globex = await server.createWorkspace('Globex');
  const before = await databaseImage(server);
  assert.ok(Object.keys(before).length >= 20, `tables seen: ${Object.keys(before).join(', ')}`);
  await assertNothingWritten(server, before, 'nothing was sent');

  assert.equal((await globex.api('POST', '/v1/contacts', { name: 'Dora' })).status, 201);
  await assert.rejects(assertNothingWritten(server, before, 'a contact in Globex'), (error: Error) => {
    assert.match(error.message, /^a contact in Globex; rows changed:/);
    assert.match(error.message, /^contacts \+1 .*"Dora"/m);
    return true;
  });

  // A keyed request's stored reply, which no route reads back.
  const keyed = await databaseImage(server);
  const res = await server.request('POST', '/v1/contacts', { token: acme.apiKey, body: { name: 'Eve' }, headers: { 'Idempotency-Key': 'image-1' } });
  assert.equal(res.status, 201);
  await assert.rejects(assertNothingWritten(server, keyed, 'a keyed create'), /^idempotency_keys \+1 .*image-1/m);
});

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
      const before = await databaseImage(f.server);

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

      // Bytes that are not UTF-8 (Latin-1's "é", a lone continuation byte): refused, never stored as U+FFFD.
      for (const bytes of [Buffer.from('{"bogus":"caf\u00e9"}', 'latin1'), Buffer.from([0x7b, 0x22, 0x80, 0x22, 0x3a, 0x31, 0x7d])]) {
        assertError(await send({ raw: bytes }), 400, 'malformed_json', `not UTF-8: ${bytes.toString('hex')}`);
      }
      // JSON is UTF-8: a body labelled with another charset is not read as if it were.
      assertError(await send({ raw: JSON.stringify(valid ?? {}), headers: { 'content-type': 'application/json; charset=iso-8859-1' } }), 415, 'unsupported_media_type', 'charset iso-8859-1');

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

      await assertNothingWritten(f.server, before, 'state unchanged');

      // The endpoint works with a proper request, so each refusal above was about the input.
      const good = await send({ raw: json, headers: { 'content-type': 'application/json; charset=utf-8' } });
      assert.equal(good.status, spec.status, `valid request: ${good.status} ${JSON.stringify(good.body)}`);
    });
  }

  it('a streamed body over the limit (no Content-Length) is 413 and writes nothing', async (t) => {
    const f = await setup(t);
    const before = await databaseImage(f.server);
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
    await assertNothingWritten(f.server, before, 'state unchanged');
  });

  it('a chunked body that never ends is refused once it passes the limit, not when it ends', async (t) => {
    const f = await setup(t);
    const before = await databaseImage(f.server);
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
    await assertNothingWritten(f.server, before, 'state unchanged');
  });

  it('without Node\'s server in front (app.request), bodies are read and limited the same way', async (t) => {
    const f = await setup(t);
    const before = await databaseImage(f.server);
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
    await assertNothingWritten(f.server, before, 'state unchanged');
    const created = await post(JSON.stringify({ body: 'noted in process' }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.note.body, 'noted in process');
  });

  it('the limit is 256 KiB: one byte more is 413, exactly the limit is parsed', async (t) => {
    const f = await setup(t);
    const before = await databaseImage(f.server);
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
    await assertNothingWritten(f.server, before, 'state unchanged');
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
      const before = await databaseImage(f.server);
      const tooLong = await make(f, 'x'.repeat(20_001));
      assertError(tooLong, 400, 'validation_failed', '20,001');
      // The message itself says what to change: an inbox shows it to the agent as it is.
      assert.match(tooLong.body.error.message, /body: longer than 20,000 characters$/);
      assertError(await make(f, 'é'.repeat(20_001)), 400, 'validation_failed', '20,001 non-ASCII');
      await assertNothingWritten(f.server, before, 'state unchanged');
      const fine = await make(f, 'x'.repeat(20_000));
      assert.equal(fine.status, 201, JSON.stringify(fine.body).slice(0, 200));
    });
  }
});

describe('bad query values', () => {
  const cases: [string, (f: Fixture) => string[], (f: Fixture) => string][] = [
    [
      '/v1/conversations',
      () => ['view=nope', 'view=', 'view=MINE', 'limit=0', 'limit=1000', 'limit=101', 'limit=-1', 'limit=1.5', 'limit=abc', 'limit=', 'cursor=garbage', `cursor=${'x'.repeat(201)}`, 'tag=vip%00', ...[[1.5, 'c'], [1e300, 'c'], ['1', 'c'], [1, 2]].map((c) => `cursor=${Buffer.from(JSON.stringify(c)).toString('base64url')}`), 'bogus=1'],
      () => 'view=mine&limit=100',
    ],
    [
      '/v1/conversations/:id/timeline',
      () => ['after=-1', 'after=x', 'limit=0', 'limit=501', 'limit=2.5', 'bogus=1'],
      () => 'after=0&limit=500',
    ],
    ['/v1/notifications', () => ['limit=0', 'limit=101', 'unreadOnly=yes', 'bogus=1'], () => 'limit=100&unreadOnly=true'],
    ['/v1/contacts', () => ['', 'externalId=crm-1&email=a@b.example', 'externalId=', 'externalId=crm%00-1', 'bogus=1'], () => 'externalId=crm-1'],
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
      const before = await databaseImage(f.server);
      for (const value of ['abc', '"x"', '1.5', '-1', '', 'W/"abc"', '1, 2', '9999999999999999999', '0x1']) {
        const res = await f.ana.call('POST', path, body, { 'If-Match': value });
        assertError(res, 400, 'validation_failed', `If-Match ${JSON.stringify(value)}`);
      }
      const id = path.split('/')[3]!;
      const { conversation } = (await f.ws.api('GET', `/v1/conversations/${id}`)).body;
      const stale = await f.ana.call('POST', path, body, { 'If-Match': String(conversation.version + 1) });
      assertError(stale, 409, 'version_conflict', 'stale If-Match');
      assert.deepEqual(stale.body.error.details.conversation, conversation);
      await assertNothingWritten(f.server, before, 'state unchanged');
      const res = await f.ana.call('POST', path, body, { 'If-Match': `"${conversation.version}"` });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.conversation.version, conversation.version + 1);
    });
  }
});

describe('unknown routes', () => {
  it('answer 404 with the JSON error shape', async (t) => {
    const f = await setup(t);
    const before = await databaseImage(f.server);
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
    await assertNothingWritten(f.server, before, 'state unchanged');
  });
});

describe('query strings', () => {
  it('a parameter given twice is a 400 naming it: no parameter takes a list, and the second value would be dropped unread', async (t) => {
    const f = await setup(t);
    for (const path of ['/v1/conversations?view=mine&view=all', '/v1/conversations?view=all&channel=sms&channel=email', '/v1/search?q=order&q=refund', `/v1/conversations/${f.conv.id}/timeline?after=1&after=2`]) {
      const res = await f.server.request('GET', path, { token: f.ana.token });
      assertError(res, 400, 'validation_failed', path);
      assert.equal(res.body.error.details[0].code, 'repeated', path);
    }
    // Once each, the same parameters are fine.
    assert.equal((await f.server.request('GET', '/v1/conversations?view=all&channel=sms', { token: f.ana.token })).status, 200);
  });
});
