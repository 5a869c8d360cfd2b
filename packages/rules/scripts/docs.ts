// Regenerates the tables and examples in docs/rules.md from the registry (see reference.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { fillReference, RULES_DOC } from './reference.js';

const before = readFileSync(RULES_DOC, 'utf8');
const after = fillReference(before);
if (after === before) console.log('docs/rules.md is up to date');
else {
  writeFileSync(RULES_DOC, after);
  console.log('docs/rules.md updated');
}
