import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { tempDbFile } from '../src/testing.js';

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
