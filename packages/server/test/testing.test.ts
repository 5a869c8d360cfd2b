import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { expectStatus, tempDbFile, TestServer } from '../src/testing.js';
import { assertNothingWritten, databaseImage } from './support/database-image.js';

// tempDbFile removes its folder after the test's other hooks by registering the removal from a
// hook (see its comment); this is what breaks if node:test ever stops running hooks registered
// while its hooks run, or starts running them in another order.

test('tempDbFile: the folder outlives every hook the test registers after it, and is gone once the test is over', async (t) => {
  let file = '';
  const seenByHooks: boolean[] = [];
  await t.test('a test using the file', (inner) => {
    file = tempDbFile(inner, 'testing');
    writeFileSync(file, 'not a database, only bytes the folder holds');
    // Registered after the helper's hook, like a server started on the file: must still find it.
    inner.after(() => void seenByHooks.push(existsSync(file)));
    inner.after(() => void seenByHooks.push(existsSync(file)));
  });
  assert.deepEqual(seenByHooks, [true, true], 'the file was there for every later hook');
  assert.equal(existsSync(dirname(file)), false, 'the folder is removed when the test ends');
});

// The image is what bad-input, write-fuzz and tenant-isolation compare to show a refusal wrote
// nothing, so it must see writes: in another workspace, and in tables no API route reads.
test('databaseImage: a write anywhere in the database fails assertNothingWritten, with the rows named', async (t) => {
  const server = await TestServer.startFor(t);
  const acme = await server.createWorkspace('Acme');
  const globex = await server.createWorkspace('Globex');
  await expectStatus(acme.api('POST', '/v1/contacts', { name: 'Carla' }), 201);
  const before = await databaseImage(server);
  await assertNothingWritten(server, before, 'nothing was sent');

  await expectStatus(globex.api('POST', '/v1/contacts', { name: 'Dora' }), 201);
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
