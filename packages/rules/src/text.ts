/**
 * Text matching for rules: every text comparison ignores case and accents, and message bodies are
 * matched word by word, so "refund" finds "Refund!" and "reembolso" finds "REEMBÓLSO" but "fund"
 * does not find "refund".
 *
 * Folding: NFKD, then drop the combining marks that are optional accents in their script (Latin,
 * Greek and Cyrillic diacritics, Hebrew points, Arabic harakat), recompose (NFC) and lower-case.
 * Marks that are part of a letter elsewhere (Indic vowel signs, the kana voicing marks) stay, so
 * folding never merges two different words of those scripts.
 *
 * Words: Unicode word boundaries. Scripts written without spaces (Han, kana, Thai, Lao, Khmer,
 * Myanmar) go through `Intl.Segmenter`, whose dictionaries find the words; everything else splits
 * on runs of letters, digits and marks (with inner apostrophes: "hasn't" is one word), which is what
 * the segmenter does for those scripts too, at a fraction of the cost.
 */

// Optional accents: Combining Diacritical Marks (+ Extended, Supplement, for Symbols, Half Marks),
// Hebrew cantillation and points, Arabic harakat and superscript alef. A class of lone combining
// marks is exactly the point here (they are stripped after NFKD split them off their letters).
// eslint-disable-next-line no-misleading-character-class
const OPTIONAL_MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u0591-\u05c7\u064b-\u065f\u0670]/g;
const APOSTROPHES = /[\u2018\u2019\u02bc\u02b9\u00b4]/g;
// Printable ASCII (plus tab and newlines) needs neither normalization nor mark stripping.
const ASCII = /^[\t\n\r\u0020-\u007e]*$/;

/** Case- and accent-insensitive form of a string; equal folds mean "the same" everywhere in rules. */
export function fold(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(OPTIONAL_MARKS, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(APOSTROPHES, "'");
}

const NO_SPACE_SCRIPTS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const WORD = /[\p{L}\p{N}\p{M}]+(?:'[\p{L}\p{N}\p{M}]+)*/gu;

type Segmenter = { segment(input: string): Iterable<{ segment: string; isWordLike?: boolean }> };
let segmenter: Segmenter | null | undefined;
function getSegmenter(): Segmenter | null {
  if (segmenter === undefined) {
    const Ctor = (Intl as unknown as { Segmenter?: new (locale: string, options: { granularity: 'word' }) => Segmenter }).Segmenter;
    segmenter = Ctor ? new Ctor('und', { granularity: 'word' }) : null;
  }
  return segmenter;
}

/** The words of an already folded text, in order. */
export function words(folded: string): string[] {
  if (NO_SPACE_SCRIPTS.test(folded)) {
    const seg = getSegmenter();
    if (seg) {
      const out: string[] = [];
      for (const s of seg.segment(folded)) if (s.isWordLike) out.push(s.segment);
      return out;
    }
  }
  return folded.match(WORD) ?? [];
}

/** A body prepared for word matching: its words in order and as a set. */
export interface Tokens {
  readonly list: readonly string[];
  readonly set: ReadonlySet<string>;
}

// Rules of one trigger are evaluated against the same message one after another, so the last body
// is kept: the second rule testing the same body does not fold and split it again.
let lastBody: string | undefined;
let lastTokens: Tokens | undefined;

export function tokens(body: string): Tokens {
  if (body === lastBody && lastTokens) return lastTokens;
  const list = words(fold(body));
  lastTokens = { list, set: new Set(list) };
  lastBody = body;
  return lastTokens;
}

/** A word or phrase to look for, split the way bodies are. Empty when it has no word at all ("!!"). */
export function phrase(text: string): string[] {
  return words(fold(text));
}

/** Whether the words of `phrase` occur consecutively in the body. */
export function hasPhrase(body: Tokens, phraseWords: readonly string[]): boolean {
  if (phraseWords.length === 0) return false;
  const first = phraseWords[0]!;
  if (!body.set.has(first)) return false;
  if (phraseWords.length === 1) return true;
  for (const w of phraseWords) if (!body.set.has(w)) return false;
  const list = body.list;
  outer: for (let i = 0; i + phraseWords.length <= list.length; i++) {
    if (list[i] !== first) continue;
    for (let j = 1; j < phraseWords.length; j++) if (list[i + j] !== phraseWords[j]) continue outer;
    return true;
  }
  return false;
}
