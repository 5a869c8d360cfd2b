import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestServer, type TestServer as Server, expectStatus as ok } from '../src/testing.js';

// The routing queue's timer drains workspace after workspace: one whose drain fails must not keep
// the others' step timeouts from placing their conversations (DESIGN §7a).

/** Ana (away) first for a minute, then Bob (online): a conversation waits 60 s for Ana's step. */
async function tenant(server: Server, name: string) {
  const ws = await server.createWorkspace(name);
  const boss = await ws.addAgent('boss', { role: 'admin', availability: 'away' });
  const ana = await ws.addAgent('ana', { availability: 'away' });
  const bob = await ws.addAgent('bob');
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Support', memberIds: [bob.id] }), 201);
  const { workflow } = await ok(
    boss.call('POST', '/v1/workflows', {
      name: 'Ana, then Support',
      trigger: { event: 'conversation.created' },
      actions: [
        {
          type: 'assign',
          steps: [
            { pool: { agents: [ana.id] }, strategy: 'round_robin', timeoutSec: 60 },
            { pool: { team: team.id }, strategy: 'round_robin' },
          ],
        },
      ],
    }),
    201,
  );
  await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
  const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Rui' }), 201);
  const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hello' } }), 201);
  await server.settle();
  const assignee = async () => (await ok(ws.api('GET', `/v1/conversations/${conversation.id}`), 200)).conversation.assigneeId;
  return { ws, bob, workflow, assignee };
}

describe('routing queue timer', () => {
  it("a workspace whose drain fails is passed over: another workspace's step timeout still places its conversation", async (t) => {
    const server = await TestServer.startFor(t);
    // Failing workspaces made before and after Y, so one comes ahead of it in whatever order the
    // timer reads them.
    const x = await tenant(server, 'X');
    const y = await tenant(server, 'Y');
    const z = await tenant(server, 'Z');
    for (const w of [x, y, z]) assert.equal(await w.assignee(), null, 'waiting for Ana');
    // Stored agents X's and Z's drains cannot read: each of their drains throws.
    await server.server.deps.storage.db.updateTable('agents').set({ skills: '{not json' }).where('workspace_id', 'in', [x.ws.id, z.ws.id]).execute();
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    t.after(() => (console.error = original));

    for (let done = 0; done < 70_000; done += 5_000) {
      server.clock!.advance(5_000);
      await server.server.deps.routingQueue.idle();
      await server.settle();
    }
    assert.equal(await y.assignee(), y.bob.id, "Y's step timed out and Bob took it");
    for (const w of [x, z]) {
      assert.equal(await w.assignee(), null);
      assert.ok(logged.some((args) => String((args as unknown[])[0]).includes(w.ws.id)), 'the failure was reported, naming the workspace');
    }
  });
});
