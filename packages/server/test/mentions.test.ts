import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMentions } from '../src/services/mentions.js';

// The mention grammar: word-bounded, case-insensitive, trailing punctuation is not part of the name.
const CASES: [string, string[]][] = [
  ['@ben can you look?', ['ben']],
  ['ping @Ben', ['ben']],
  ['thanks @ben.', ['ben']],
  ['(@ben)', ['ben']],
  ['@ben, @ana: please', ['ben', 'ana']],
  ['@ben and @BEN again', ['ben']],
  ['cc:@maria.garcia!', ['maria.garcia']],
  ['"@tom"', ['tom']],
  ['line one\n@ana on line two', ['ana']],
  ['write to email@ben.com', []],
  ['a.b@ben', []],
  ['no mention here', []],
  ['@ alone', []],
  ['@-ben', []],
  ['50@ben%', []],
];

describe('parseMentions', () => {
  for (const [text, expected] of CASES) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseMentions(text), expected);
    });
  }
});
