import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestServer, expectStatus as ok, type LiveSocket } from '../src/testing.js';

/**
 * A socket handshake reads the credential, may replay up to 500 changes and sends counts: a script
 * reconnecting in a loop spent that as fast as the server answered, for one agent or (through an
 * API key that mints tokens) for every agent of a workspace. Past its budget, on the server's
 * clock, a handshake is refused with `rate_limited` and when to come back; other agents and
 * workspaces keep theirs, and nothing already open is touched.
 */

const PER_AGENT = { burst: 3, perSecond: 0.5 };
const PER_WORKSPACE = { burst: 5, perSecond: 1 };

async function setup(t: Parameters<typeof TestServer.startFor>[0]) {
  const server = await TestServer.startFor(t, { handshakes: { perAgent: PER_AGENT, perWorkspace: PER_WORKSPACE } });
  const ws = await server.createWorkspace('Acme');
  const [ana, ben] = [await ws.addAgent('ana'), await ws.addAgent('ben')];
  const zoe = await (await server.createWorkspace('Other')).addAgent('zoe');
  return { server, ws, ana, ben, zoe };
}

/** The refusal a handshake met: its message and data. */
async function refused(server: TestServer, token: string): Promise<{ message: string; data: unknown }> {
  const error = await server.live(token).then(
    () => assert.fail('the handshake was admitted'),
    (e: Error & { data?: unknown }) => e,
  );
  return { message: error.message, data: error.data };
}

const limited = (retryAfterMs: number) => ({ message: 'rate_limited', data: { code: 'rate_limited', retryAfterMs } });

describe('socket handshake budget', () => {
  it("past an agent's budget a handshake is refused with when to come back; forged tokens spend nothing, open sockets stay", async (t) => {
    const { server, ana, zoe } = await setup(t);
    const open: LiveSocket[] = [];
    for (let i = 0; i < PER_AGENT.burst; i++) open.push(await server.live(ana.token));
    assert.deepEqual(await refused(server, ana.token), limited(2000));
    assert.deepEqual(await refused(server, ana.token), limited(2000), 'a refusal spends nothing either');

    // Anyone can claim to be ana; only a token that holds is counted against her.
    const forged = ana.token.slice(0, -4) + (ana.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (let i = 0; i < 5; i++) assert.deepEqual(await refused(server, forged), { message: 'unauthorized', data: undefined });

    assert.ok(open.every((s) => s.socket.connected), 'sockets already open are not touched');
    await ok(ana.call('GET', '/v1/conversations?view=mine'), 200);
    await server.live(zoe.token);

    server.clock!.advance(1500);
    assert.deepEqual(await refused(server, ana.token), limited(500));
    server.clock!.advance(500);
    await server.live(ana.token);
    assert.deepEqual(await refused(server, ana.token), limited(2000));
  });

  it("a workspace's agents share the workspace's budget; another workspace has its own", async (t) => {
    const { server, ws, ana, ben, zoe } = await setup(t);
    // An API key mints a token for any agent: the workspace's bound is what holds a tenant back.
    const carl = await ws.addAgent('carl');
    for (const agent of [ana, ana, ben, ben, carl]) await server.live(agent.token);
    assert.deepEqual(await refused(server, carl.token), limited(1000), 'carl has two of his own left, the workspace none');
    for (let i = 0; i < PER_AGENT.burst; i++) await server.live(zoe.token);

    server.clock!.advance(1000);
    await server.live(carl.token);
    assert.deepEqual(await refused(server, ben.token), limited(1000));
  });
});
