import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toRecord } from '../src/outbox/relay.js';
import type { OutboxRecord } from '../src/outbox/changes.js';
import { TestServer, tempDbFile, expectStatus as ok } from '../src/testing.js';

// The relay hands rows its own process committed to consumers from memory (outbox/relay.ts
// `committedHere`); what consumers get must be exactly the stored rows, in id order, with rows
// written by another process on the same database in their place.

describe('outbox relay', () => {
  it('hands every row once, in id order, as stored: its own from memory, another process’s read in between', async (t) => {
    const file = tempDbFile(t, 'relay');
    const a = await TestServer.startFor(t, { db: file });
    const ws = await a.createWorkspace('Acme');
    const b = await TestServer.startFor(t, { db: file });

    const seen: OutboxRecord[] = [];
    await a.server.deps.relay.register({ name: 'probe', durable: false, handle: async (records) => void seen.push(...records) });
    const create = (server: TestServer, body: string) =>
      ok(server.request('POST', '/v1/conversations', { token: ws.apiKey, body: { channel: 'sms', contact: { name: 'Rui' }, message: { body } } }), 201);

    for (let i = 0; i < 3; i++) {
      await create(a, `from a ${i}`);
      await create(b, `from b ${i}`); // another process: a's relay has not got these rows in memory
    }
    await Promise.all(Array.from({ length: 20 }, (_, i) => create(a, `burst ${i}`)));
    await a.settle();

    const stored = (await a.server.deps.storage.db.selectFrom('outbox').selectAll().where('id', '>', seen[0]!.id - 1).orderBy('id').execute()).map(toRecord);
    assert.equal(stored.length, 26);
    assert.deepEqual(
      seen.map((r) => r.id),
      stored.map((r) => r.id),
      'every row once, in order',
    );
    // What came from memory is what a read would have given (a JSON round trip of the stored payload).
    assert.deepEqual(JSON.parse(JSON.stringify(seen)), stored);
    assert.ok(seen.some((r) => r.payload.items.some((i) => i.kind === 'message' && i.body === 'from b 1')));
  });
});
