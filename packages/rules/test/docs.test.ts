import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RULE_FIELDS } from '@baton/protocol';
import { fillReference, RULES_DOC } from '../scripts/reference.js';

describe('docs/rules.md', () => {
  const text = readFileSync(RULES_DOC, 'utf8');

  it('is generated from the current registry (run `pnpm --filter @baton/rules run docs`)', () => {
    assert.equal(fillReference(text), text);
  });

  it('lists every field', () => {
    for (const field of RULE_FIELDS) assert.ok(text.includes(`\`${field.name}\``), field.name);
  });
});
