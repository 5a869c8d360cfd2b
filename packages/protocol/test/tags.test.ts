import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tags } from '../src/domain.js';
import { RuleAction } from '../src/rules.js';
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

describe('tag length', () => {
  it('is counted in the stored spelling: a tag whose lower case is longer than 64 is refused, with a message', () => {
    const typed = 'İ'.repeat(40); // 40 characters as typed, 80 in lower case
    assert.equal(typed.length, 40);
    assert.equal(normalizeTag(typed).length, 80);
    for (const r of [Tags.safeParse([typed]), RuleAction.safeParse({ type: 'add_tag', tags: [typed] })]) {
      assert.equal(r.success, false);
      assert.match(r.error!.issues[0]!.message, /at most 64 characters in lower case/);
    }
    assert.equal(Tags.safeParse(['x'.repeat(64)]).success, true);
    assert.equal(Tags.safeParse(['İ'.repeat(32)]).success, true, '64 in lower case fits');
  });
});
