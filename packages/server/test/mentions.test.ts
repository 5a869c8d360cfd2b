import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mentionExcerpt, NOTE_EXCERPT_MAX, parseMentions } from '../src/services/mentions.js';

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

describe('mentionExcerpt', () => {
  const words = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `word${i + from}`).join(' ');

  it('keeps a short note whole, on one line', () => {
    assert.equal(mentionExcerpt('  @ben can you\n\nlook?  ', 'ben'), '@ben can you look?');
  });

  it('cuts a long note after a word, keeping an early mention', () => {
    const out = mentionExcerpt(`@ben please ${words(60)}`, 'ben');
    assert.ok(out.startsWith('@ben please word0 '), out);
    assert.ok(out.endsWith('…') && out.length <= NOTE_EXCERPT_MAX, out);
    assert.match(out, / word\d+…$/);
  });

  it('starts a few words before a mention far into a long note, so it shows in the first two lines', () => {
    const out = mentionExcerpt(`${words(60)} @Ben can you approve it?`, 'ben');
    assert.ok(out.startsWith('…word'), out);
    assert.ok(out.endsWith('@Ben can you approve it?'), out);
    assert.ok(out.indexOf('@Ben') <= 30, out);
    // A mention at character 100 of a note that goes on: the same.
    const middle = mentionExcerpt(`${'x'.repeat(20)} ${words(12)} @ben here ${words(30)}`, 'ben');
    assert.ok(middle.startsWith('…') && middle.indexOf('@ben') <= 30 && middle.endsWith('…') && middle.length <= NOTE_EXCERPT_MAX, middle);
    // Early enough to show from the note's start: kept from the start.
    assert.ok(mentionExcerpt(`Hi team, @ben ${words(40)}`, 'ben').startsWith('Hi team, @ben'));
  });

  it('keeps a mention in the middle with words on both sides', () => {
    const out = mentionExcerpt(`${words(40)} @ben look here ${words(40, 100)}`, 'ben');
    assert.ok(out.startsWith('…') && out.endsWith('…'), out);
    assert.ok(out.includes('@ben look here'), out);
    assert.ok(out.length <= NOTE_EXCERPT_MAX, `${out.length}`);
  });

  it('finds the reader by mention, not inside an email address, and falls back to the start', () => {
    const out = mentionExcerpt(`write to mail@ben.com ${words(50)} and @ben too`, 'ben');
    assert.ok(out.endsWith('and @ben too'), out);
    const unknown = mentionExcerpt(`${words(50)} @ben`, 'cara');
    assert.ok(unknown.startsWith('word0 ') && unknown.endsWith('…'), unknown);
  });

  it('never runs over the limit, whatever the text', () => {
    for (const text of ['x'.repeat(500), `@ben ${'y'.repeat(400)}`, `${'z'.repeat(400)} @ben`, `${'a '.repeat(300)}@ben`]) {
      const out = mentionExcerpt(text, 'ben');
      assert.ok(out.length <= NOTE_EXCERPT_MAX, `${out.length}: ${out}`);
      if (text.includes('@ben') && text.length > NOTE_EXCERPT_MAX) assert.ok(out.includes('@ben'), out);
    }
  });
});
