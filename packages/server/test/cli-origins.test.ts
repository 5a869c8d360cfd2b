import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { io } from 'socket.io-client';
import { TestServer, tempDbFile } from '../src/testing.js';

/** `baton origins …` on the file, as an operator runs it: a real child process. */
const cli = (file: string, ...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'origins', ...args, '--db', file], { timeout: 30_000 }, (error, out, err) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err }),
    );
  });

/** A browser's handshake from `origin`: the agent's `ready`, or the refusal's message. */
async function handshake(url: string, token: string, origin: string): Promise<string> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin } });
  try {
    return await new Promise<string>((resolve) => {
      socket.once('ready', () => resolve('ready'));
      socket.once('connect_error', (e) => resolve(e.message));
    });
  } finally {
    socket.disconnect();
  }
}

test('`baton origins` shows and replaces the pages whose sockets a workspace admits; bad input changes nothing', async (t) => {
  const file = tempDbFile(t);
  const first = await TestServer.start({ db: file });
  const ws = await first.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  await first.close();

  const none = await cli(file, ws.id);
  assert.equal(none.code, 0, none.err);
  assert.match(none.out, /admits no page's sockets/);

  // Paths and default ports fall away: what is stored is the origin a browser sends.
  const set = await cli(file, ws.id, 'https://crm.example.com/inbox?x=1', 'http://localhost:8080/');
  assert.equal(set.code, 0, set.err);
  assert.deepEqual(set.out.trim().split('\n'), ['https://crm.example.com', 'http://localhost:8080']);

  // Each run is a process of its own (a few seconds under tsx): one of each kind of refusal.
  for (const [args, said] of [
    [['ftp://crm.example.com'], /not an http\(s\) origin/],
    [['*', 'https://other.example.com'], /not an origin: \*/],
  ] as const) {
    const refused = await cli(file, ws.id, ...args);
    assert.equal(refused.code, 1, args.join(' '));
    assert.match(refused.err, said);
  }
  const unknown = await cli(file, 'ws_nope', 'https://crm.example.com');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no workspace ws_nope/);

  // The server reads the list at each handshake: the refusals changed nothing.
  const server = await TestServer.startFor(t, { db: file });
  assert.equal(await handshake(server.url, ana.token, 'https://crm.example.com'), 'ready');
  assert.equal(await handshake(server.url, ana.token, 'http://localhost:8080'), 'ready');
  assert.equal(await handshake(server.url, ana.token, 'https://evil.example.com'), 'origin not allowed');
  const any = await cli(file, ws.id, '*');
  assert.equal(any.code, 0, any.err);
  assert.equal(await handshake(server.url, ana.token, 'https://evil.example.com'), 'ready');
});
