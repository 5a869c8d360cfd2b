import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toRecord, type ConsumerProgress, type OutboxConsumer, type ProgressHooks } from '../src/outbox/relay.js';
import { consumerPosition } from '../src/storage/outbox.js';
import type { OutboxRecord } from '../src/outbox/changes.js';
import { TestServer, tempDbFile, expectStatus as ok, turnsUntil } from '../src/testing.js';

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

  it('a row this process committed reaches every consumer from memory, on either engine: read and parsed by none', async (t) => {
    const server = await TestServer.startFor(t); // on PostgreSQL too, under the harness
    const ws = await server.createWorkspace('Acme');
    const relay = server.server.deps.relay;
    const first: OutboxRecord[] = [];
    const second: OutboxRecord[] = [];
    await relay.register({ name: 'first', durable: false, handle: async (records) => void first.push(...records) });
    await relay.register({ name: 'second', durable: false, handle: async (records) => void second.push(...records) });
    for (let i = 0; i < 3; i++) await ok(ws.api('POST', '/v1/conversations', { channel: 'sms', contact: { name: 'Rui' }, message: { body: `hello ${i}` } }), 201);
    await server.settle();
    assert.equal(first.length, 3);
    // Read from the database, each consumer's pump would parse a record of its own (on PostgreSQL
    // every row was, while its insert reported no id); from memory they share the one written.
    first.forEach((record, i) => assert.equal(record, second[i], `row ${record.id} is the very record the unit wrote`));
  });

  it('each consumer is pumped on its own: one that waits holds only itself', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace('Acme');
    const relay = server.server.deps.relay;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const handedToWaiting: OutboxRecord[][] = [];
    const quick: OutboxRecord[] = [];
    // Registered first: when the relay handed each batch to its consumers in turn, it held the next.
    const waits = async (records: OutboxRecord[]) => {
      handedToWaiting.push(records);
      await held;
    };
    await relay.register({ name: 'waits', durable: true, handle: waits });
    await relay.register({ name: 'quick', durable: false, handle: async (records) => void quick.push(...records) });
    const create = (body: string) => ok(ws.api('POST', '/v1/conversations', { channel: 'sms', contact: { name: 'Rui' }, message: { body } }), 201);
    try {
      await create('one');
      await turnsUntil(() => quick.length === 1, 'the quick consumer got the first row');
      await create('two');
      await turnsUntil(() => quick.length === 2, 'the quick consumer got the second row while the other waits');
      assert.deepEqual(
        handedToWaiting.map((batch) => batch.map((r) => r.id)),
        [[quick[0]!.id]],
        'the first consumer is still on the first row',
      );
      assert.equal(relay.positionOf('quick'), quick[1]!.id);
      assert.equal(relay.handedToAll(), quick[0]!.id - 1, 'the outbox is kept from the waiting consumer’s place');
    } finally {
      release();
    }
    await relay.drain();
    assert.deepEqual(
      handedToWaiting.flat().map((r) => r.id),
      quick.map((r) => r.id),
      'then it gets the same rows, in order, once each',
    );
    assert.equal(await consumerPosition(server.server.deps.storage.db, 'waits'), quick[1]!.id);
  });

  it('each consumer polls on its own: one held by a slow batch does not stop the others finding rows of another process', async (t) => {
    const file = tempDbFile(t, 'relay-polls');
    const a = await TestServer.startFor(t, { db: file });
    const ws = await a.createWorkspace('Acme');
    const b = await TestServer.startFor(t, { db: file });
    const relay = a.server.deps.relay;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const quick: OutboxRecord[] = [];
    await relay.register({ name: 'held-by-its-batch', durable: false, handle: () => held });
    await relay.register({ name: 'quick', durable: false, handle: async (records) => void quick.push(...records) });
    // Written by another process: nothing kicks a's relay, only its polls find these.
    const createInB = () => ok(b.request('POST', '/v1/conversations', { token: ws.apiKey, body: { channel: 'sms', contact: { name: 'Rui' }, message: { body: 'from b' } } }), 201);
    try {
      await createInB();
      a.clock!.advance(1_000);
      await turnsUntil(() => quick.length === 1, 'the first poll found the row');
      await createInB();
      a.clock!.advance(1_000);
      await turnsUntil(() => quick.length === 2, 'the next poll came although the other consumer is still on its batch');
    } finally {
      release();
    }
  });

  it('a consumer that finishes later: its stored place and the outbox kept follow what it finished, not what it was handed; drain waits for it', async (t) => {
    const server = await TestServer.startFor(t);
    const ws = await server.createWorkspace('Acme');
    const relay = server.server.deps.relay;
    const handed: OutboxRecord[] = [];
    let finished = 0;
    let work: Promise<void> | null = null;
    let release = () => {};
    let hooks: ProgressHooks | null = null;
    const progress: ConsumerProgress = {
      settled: () => (handed.length > finished ? handed[finished]!.id - 1 : null),
      busy: () => work !== null,
      idle: async () => void (await work),
      stop: () => {},
      attach: (given) => void (hooks = given),
    };
    const slow: OutboxConsumer = {
      name: 'slow',
      durable: true,
      progress,
      // Takes the rows and finishes them when released.
      handle: async (records) => {
        handed.push(...records);
        work ??= new Promise<void>((resolve) => (release = resolve)).then(() => {
          finished = handed.length;
          work = null;
          hooks?.settled();
        });
      },
    };
    await relay.register(slow);
    const start = await consumerPosition(server.server.deps.storage.db, 'slow');
    await ok(ws.api('POST', '/v1/conversations', { channel: 'sms', contact: { name: 'Rui' }, message: { body: 'hello' } }), 201);
    // Handed, not finished: the relay's drain is waiting for it.
    let drained = false;
    const draining = relay.drain().then(() => (drained = true));
    try {
      while (handed.length === 0) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(drained, false, 'drain waits for a busy consumer');
      assert.equal(relay.handedToAll(), handed[0]!.id - 1, 'the outbox is kept from the oldest row it has not finished');
    } finally {
      // Also when an assertion failed: the server's close waits for the consumer.
      release();
      await draining;
    }
    assert.equal(await consumerPosition(server.server.deps.storage.db, 'slow'), handed.at(-1)!.id, 'stored once finished');
    assert.ok(handed.at(-1)!.id > start!);
  });
});
