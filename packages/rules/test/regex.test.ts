import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileConditions, compilePattern } from '../src/index.js';
import { facts } from './support.js';

describe('RE2 patterns', () => {
  it('a catastrophic backtracking pattern finishes on a long input', () => {
    // With a backtracking engine `(a+)+$` on 50,000 a's and a b takes longer than the universe; RE2 is linear.
    const condition = compileConditions({ field: 'message.body', op: 'matches', value: '(a+)+$' });
    assert.equal(condition(facts({ message: { body: `${'a'.repeat(50_000)}b` } })), false);
    assert.equal(condition(facts({ message: { body: 'a'.repeat(50_000) } })), true);
    const nested = compileConditions({ field: 'message.body', op: 'matches', value: '^(\\w+\\s?)*$' });
    assert.equal(nested(facts({ message: { body: `${'word '.repeat(10_000)}!` } })), false);
  });

  it('RE2 syntax: Unicode classes and flags work, backreferences and lookaround are refused', () => {
    assert.equal(compileConditions({ field: 'message.body', op: 'matches', value: '(?i)^\\p{Lu}+ ORDER' })(facts({ message: { body: 'ÉTÉ order' } })), true);
    for (const bad of ['(a)\\1', 'a(?!b)', '(?<=a)b', '(', '[z-a]', 'x{1001}']) {
      const result = compilePattern(bad);
      assert.equal(result.ok, false, bad);
    }
    assert.equal(compilePattern('').ok, false);
    assert.equal(compilePattern('a'.repeat(1001)).ok, false);
  });
});
