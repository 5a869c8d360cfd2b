import assert from 'node:assert/strict';
import { test } from 'node:test';
import { snippetOf } from '../src/storage/search-snippet.js';

const marked = ({ snippet, highlights }: ReturnType<typeof snippetOf>) => highlights.map(([s, e]) => snippet.slice(s, e));

test('a short body is quoted whole, as written, with its matched words as offsets', () => {
  const hit = snippetOf('I need a refund for invoice 42 <b>now</b>, a refund please', ['refund', 'invoice']);
  assert.equal(hit.snippet, 'I need a refund for invoice 42 <b>now</b>, a refund please');
  assert.deepEqual(hit.highlights, [
    [9, 15],
    [20, 27],
    [45, 51],
  ]);
});

test('words match as the index folds them: prefixes of two characters or more, case and accents ignored; one character matches a whole word', () => {
  assert.deepEqual(marked(snippetOf('María pidió un REEMBOLSO ayer', ['maria', 'reem'])), ['María', 'REEMBOLSO']);
  assert.deepEqual(marked(snippetOf('plan a or plan b, and apples', ['a'])), ['a']);
  assert.deepEqual(marked(snippetOf('XJ-2291 serial', ['xj', '2291'])), ['XJ', '2291']);
});

test('a long body is cut to the window with the most query words, a few words before the first, with … where it was cut', () => {
  const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');
  const body = `${filler(0, 50)} the parcel arrived ${filler(100, 10)} parcel and invoice ${filler(200, 50)}`;
  const hit = snippetOf(body, ['parcel', 'invoice']);
  assert.ok(hit.snippet.startsWith('…w') && hit.snippet.endsWith('…'), hit.snippet);
  assert.deepEqual(marked(hit), ['parcel', 'parcel', 'invoice']);
  assert.ok(hit.snippet.startsWith('…w47 w48 w49 the parcel'), hit.snippet);
  assert.equal(hit.snippet.split(' ').length, 20);
});

test('a match near the end keeps the last twenty words; no match quotes the body', () => {
  const body = `${Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ')} tracking`;
  const hit = snippetOf(body, ['tracking']);
  assert.ok(hit.snippet.startsWith('…w11 ') && hit.snippet.endsWith('tracking'), hit.snippet);
  assert.deepEqual(marked(hit), ['tracking']);
  assert.deepEqual(snippetOf('nothing here', ['absent']), { snippet: 'nothing here', highlights: [] });
});
