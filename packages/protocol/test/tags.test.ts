import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeTag, normalizeTags } from '../src/tags.js';

describe('tag spelling', () => {
  it('is lower case, accents kept', () => {
    assert.equal(normalizeTag('VIP'), 'vip');
    assert.equal(normalizeTag('Café'), 'café');
  });

  it('keeps one of two spellings of a tag, in the order first given', () => {
    assert.deepEqual(normalizeTags(['VIP', 'billing', 'vip', 'Billing', 'ES']), ['vip', 'billing', 'es']);
    assert.deepEqual(normalizeTags([]), []);
  });
});
