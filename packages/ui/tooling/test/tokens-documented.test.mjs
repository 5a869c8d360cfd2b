// Every theme token the elements read is in the table hosts theme from (team-inbox's README), and
// the table names none that does not exist: the list cannot drift from tokens.ts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

const names = (text) => new Set(text.match(/--baton-[a-z0-9-]+/g));

test('the README lists exactly the tokens tokens.ts defines', async () => {
  const source = await readFile(new URL('../../src/tokens/tokens.ts', import.meta.url), 'utf8');
  const defined = new Set([...source.matchAll(/^\s*(--baton-[a-z0-9-]+):/gm)].map((m) => m[1]));
  const readme = await readFile(new URL('../../../team-inbox/README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('| group | tokens |'));
  const listed = names(table.slice(0, table.indexOf('\n\n')).replace('`--baton-space-1` … `--baton-space-4`', '--baton-space-1 --baton-space-2 --baton-space-3 --baton-space-4'));
  assert.ok(defined.size > 30, `read ${defined.size} tokens`);
  assert.deepEqual([...defined].filter((t) => !listed.has(t)), [], 'defined, not listed');
  assert.deepEqual([...listed].filter((t) => !defined.has(t)), [], 'listed, not defined');
});
