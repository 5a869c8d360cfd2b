import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { it } from 'node:test';
import { format } from 'node:util';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// A client that gives up halfway through sending a body (a phone losing signal, a killed script) is
// the client's business: the server writes nothing, logs no stack trace, and carries on.

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

it('uploads aborted mid-body write nothing, log no stack trace, and the server keeps answering', async (t) => {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
  const conversations = async () => (await ok(ws.api('GET', `/v1/contacts/${contact.id}/conversations`), 200)).items.length;
  const before = await conversations();

  const incoming: IncomingMessage[] = [];
  const onRequest = (req: IncomingMessage) => void incoming.push(req);
  server.server.http.on('request', onRequest);
  t.after(() => server.server.http.off('request', onRequest));

  const logged: string[] = [];
  const { error, warn } = console;
  console.error = (...args: unknown[]) => void logged.push(format(...args));
  console.warn = (...args: unknown[]) => void logged.push(format(...args));
  t.after(() => Object.assign(console, { error, warn }));

  const body = JSON.stringify({ contactId: contact.id, channel: 'sms', message: { body: 'x'.repeat(2_000) } });
  const half = body.slice(0, body.length / 2);
  const head = (extra: string) =>
    `POST /v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ws.apiKey}\r\nContent-Type: application/json\r\n${extra}\r\n`;
  const kinds = {
    // Declared length, half of it sent.
    sized: () => head(`Content-Length: ${body.length}\r\n`) + half,
    // Chunked (no length declared), one chunk sent, never the last.
    chunked: () => head('Transfer-Encoding: chunked\r\n') + `${half.length.toString(16)}\r\n${half}\r\n`,
    // The idempotency middleware reads the body before anything else does.
    idempotent: () => head(`Content-Length: ${body.length}\r\nIdempotency-Key: abort-me\r\n`) + half,
  };

  const ABORTS = 21;
  for (let i = 0; i < ABORTS; i++) {
    const kind = Object.keys(kinds)[i % 3] as keyof typeof kinds;
    const socket: Socket = connect(server.server.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => {});
    socket.write(kinds[kind]());
    // Abort only once the server is reading this body, so the abort lands mid-read.
    await until(() => incoming.length === i + 1, `request ${i} (${kind}) to arrive`);
    const req = incoming[i]!;
    await until(() => req.listenerCount('data') > 0, `the server to read request ${i}'s body (${kind})`);
    socket.destroy();
    await until(() => req.destroyed, `request ${i} to close`);
  }
  // Whatever the aborts make the server do (reject the read, answer, log) happens within a few turns.
  await new Promise((resolve) => setTimeout(resolve, 50));
  Object.assign(console, { error, warn });

  const lines = logged.flatMap((entry) => entry.split('\n'));
  assert.equal(
    lines.filter((line) => /^\s+at /.test(line)).length,
    0,
    `no stack traces for ${ABORTS} aborted uploads; logged:\n${logged.slice(0, 3).join('\n')}`,
  );
  assert.ok(lines.length <= ABORTS, `at most a short line per abort, got ${lines.length} lines:\n${lines.slice(0, 10).join('\n')}`);
  assert.ok(!lines.some((line) => line.includes('unhandled error')), `an abort is not an unhandled error:\n${lines.join('\n')}`);

  // Nothing was written, and the server still answers, on new connections and with the same key.
  assert.equal(await conversations(), before, 'no conversation from a half-sent body');
  assert.equal((await server.request('GET', '/healthz')).status, 200);
  const created = await ws.api('POST', '/v1/conversations', JSON.parse(body), { 'Idempotency-Key': 'abort-me' });
  assert.equal(created.status, 201, `the aborted key was never claimed: ${JSON.stringify(created.body)}`);
  assert.equal(created.headers.get('idempotent-replayed'), null);
  assert.equal(await conversations(), before + 1);
});
