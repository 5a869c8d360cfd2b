/**
 * Text matching for rules: every text comparison ignores case and accents, and message bodies are
 * matched word by word, so "refund" finds "Refund!" and "reembolso" finds "REEMBÓLSO" but "fund"
 * does not find "refund".
 *
 * Folding, character by character: lower-case, NFKD, drop the combining marks that are optional
 * accents in their script (Latin, Greek and Cyrillic diacritics, Hebrew points, Arabic harakat),
 * recompose (NFC); ß → ss, ς → σ. Marks that are part of a letter elsewhere (Indic vowel signs, the
 * kana voicing marks) stay, so folding never merges two different words of those scripts.
 *
 * Speed matters because every inbound message meets every word condition. A condition's phrase
 * list compiles to one regex over the raw text (`phraseMatcher`), the exact answer for plain Latin
 * text, which is most messages. Other text is folded and split once per event (the last one is
 * kept; folds are memoized per character), after `wordPrefilter` has ruled most messages out from
 * the raw text, and the whole list is looked for in one pass over the words (`PhraseSet`, an
 * Aho–Corasick automaton over words). Either way the cost is linear in the message, whatever the
 * list: no phrase is tried at each word in turn.
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
const NON_ASCII = /[^\t\n\r\u0020-\u007e]/gu;
const HAS_NON_ASCII = /[^\t\n\r\u0020-\u007e]/;
const foldedChars = new Map<string, string>();
const SHORT = 32;

function foldChar(c: string): string {
  let folded = foldedChars.get(c);
  if (folded === undefined) {
    folded = c
      .normalize('NFKD')
      .replace(OPTIONAL_MARKS, '')
      .normalize('NFC')
      .toLowerCase()
      .replace(/ß/g, 'ss')
      .replace(/ς/g, 'σ')
      .replace(APOSTROPHES, "'");
    // Bounded: at most one entry per distinct character ever seen.
    if (foldedChars.size < 100_000) foldedChars.set(c, folded);
  }
  return folded;
}

/**
 * Case- and accent-insensitive form of a string; equal folds mean "the same" everywhere in rules.
 * Folded per character (memoized), which is what makes it cheap enough to run on every message:
 * a typical accented message has a handful of non-ASCII characters and the rest is one native
 * `toLowerCase`. Per character also means Greek final sigma folds like sigma, as case folding does.
 */
export function fold(text: string): string {
  // Short values already in folded form (language codes, channels, tags as stored) are most of
  // what scalar conditions compare: one scan of their characters, nothing allocated. Long text
  // (bodies) goes straight to the native calls below, which scan faster than a loop.
  if (text.length <= SHORT) {
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7e || (c >= 0x41 && c <= 0x5a) || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) break;
    }
    if (i === text.length) return text;
  }
  const lower = text.toLowerCase();
  return HAS_NON_ASCII.test(lower) ? lower.replace(NON_ASCII, foldChar) : lower;
}

// -- A prefilter that needs no folding -----------------------------------------------------------

interface FoldTables {
  /** Per folded character, the lower-case characters that fold to it (é, è, ê… for e). */
  variants: Map<string, string[]>;
  /** A regex class body of the characters a prefilter understands: ASCII and those in `variants`, plus ignorable ones. */
  known: string;
  /** A regex class body of characters that fold to nothing (accents on their own). */
  ignorable: string;
}

let foldTables: FoldTables | undefined;

const escapeClass = (c: string) => (/[\\\]^-]/.test(c) ? `\\${c}` : c);

// Latin-1 Supplement, Latin Extended-A/B, Latin Extended Additional, Greek (+ Extended), Cyrillic:
// where the accented letters of the languages Baton's customers write live.
const FOLD_RANGES: readonly [number, number][] = [[0x00c0, 0x024f], [0x1e00, 0x1eff], [0x0370, 0x03ff], [0x1f00, 0x1fff], [0x0400, 0x04ff]];

function tables(): FoldTables {
  if (foldTables) return foldTables;
  const variants = new Map<string, string[]>();
  let known = '';
  let ignorable = '\\u0300-\\u036f\\u1ab0-\\u1aff\\u1dc0-\\u1dff\\u20d0-\\u20ff\\ufe20-\\ufe2f\\u0591-\\u05c7\\u064b-\\u065f\\u0670';
  for (const [from, to] of FOLD_RANGES) {
    for (let cp = from; cp <= to; cp++) {
      const c = String.fromCharCode(cp);
      if (c.toLowerCase() !== c) continue; // text is lower-cased before the prefilter runs
      const folded = foldChar(c);
      if (folded.length > 1) continue; // ligature-like: left to the exact path
      known += escapeClass(c);
      if (folded === '') ignorable += escapeClass(c);
      else if (folded !== c) variants.set(folded, [...(variants.get(folded) ?? []), c]);
    }
  }
  foldTables = { variants, known, ignorable };
  return foldTables;
}

/**
 * A quick test, on the raw text, that rules out a message containing none of `folded` (words
 * already folded) without folding the message: each letter of a word also accepts the accented
 * letters that fold to it, and accents on their own may sit between letters. Any character it
 * does not know (a ligature, a fullwidth letter, a CJK character…) counts as "maybe", so it never
 * rules out a message that does contain one of the words; the exact test runs on "maybe".
 */
export function wordPrefilter(folded: readonly string[]): (raw: string) => boolean {
  const words = folded.filter((w) => w.length > 0);
  if (words.length === 0) return () => false;
  const { variants, known, ignorable } = tables();
  const letter = (ch: string) => {
    const all = [ch, ...(variants.get(ch) ?? [])];
    return all.length === 1 ? ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : `[${all.map(escapeClass).join('')}]`;
  };
  const skip = `[${ignorable}]*`;
  const alternatives = words.map((w) => [...w].map(letter).join(skip));
  // Alternation of literals and classes, and one class for "unknown character": linear, nothing
  // to backtrack into beyond the accents between two letters.
  const maybe = new RegExp(`${alternatives.join('|')}|[^\\t\\n\\r\\u0020-\\u007e${known}${ignorable}]`);
  // Plain ASCII text folds to itself: the words as literals are enough, and a regex of literals
  // scans much faster than one of character classes.
  const literal = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'));
  return (raw) => {
    const lower = raw.toLowerCase();
    return HAS_NON_ASCII.test(lower) ? maybe.test(lower) : literal.test(lower);
  };
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
// is kept, folded and split: the next rule testing the same body does not redo the work.
let lastBody: string | undefined;
let lastFolded = '';
let lastTokens: Tokens | undefined;

/** `fold(body)`, remembered for the last body. */
function foldedBody(body: string): string {
  if (body !== lastBody) {
    lastBody = body;
    lastFolded = fold(body);
    lastTokens = undefined;
  }
  return lastFolded;
}

export function tokens(body: string): Tokens {
  const folded = foldedBody(body);
  if (!lastTokens) {
    const list = words(folded);
    lastTokens = { list, set: new Set(list) };
  }
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

// -- Phrase lists over words ---------------------------------------------------------------------

interface AutomatonNode {
  readonly next: Map<string, AutomatonNode>;
  /** Indexes of the phrases that end here. */
  readonly ends: number[];
  /** The node of the longest proper suffix of this node's words that begins some phrase (the root if none). */
  fail: AutomatonNode | undefined;
  /** The nearest node along the failure links, this one excluded, where a phrase ends. */
  output: AutomatonNode | undefined;
  /** The walk (`each` call) that last reported this node's phrases. */
  seen: number;
}

const automatonNode = (): AutomatonNode => ({ next: new Map(), ends: [], fail: undefined, output: undefined, seen: 0 });

/**
 * A list of phrases (each its words, as `phrase` gives them) as one Aho–Corasick automaton over
 * words: it reads a body's words once, left to right, and knows at each word every phrase that
 * ends there, however many phrases there are and however long. Trying each phrase at each word
 * instead costs phrases × words × phrase length: 200 phrases of 499 words ("a a … a b") took 1.7 s
 * on a 20,000-character body of "a a a …" (docs/decisions.md, "Session 9: hostile inputs").
 *
 * The answers are `hasPhrase`'s, phrase by phrase: consecutive words, and a phrase with no words is
 * never found.
 */
export class PhraseSet {
  /** How many phrases the set was built from (those without words included). */
  readonly size: number;
  private readonly root = automatonNode();
  private calls = 0;

  constructor(phrases: readonly (readonly string[])[]) {
    this.size = phrases.length;
    phrases.forEach((words, index) => {
      if (words.length === 0) return;
      let at = this.root;
      for (const w of words) {
        let child = at.next.get(w);
        if (!child) at.next.set(w, (child = automatonNode()));
        at = child;
      }
      at.ends.push(index);
    });
    // Breadth first: a node's failure link is shorter than the node, so it is ready before it is needed.
    const queue: AutomatonNode[] = [];
    for (const child of this.root.next.values()) {
      child.fail = this.root;
      queue.push(child);
    }
    for (let i = 0; i < queue.length; i++) {
      const parent = queue[i]!;
      for (const [word, child] of parent.next) {
        let f = parent.fail;
        while (f && !f.next.has(word)) f = f.fail;
        const fail = f ? f.next.get(word)! : this.root;
        child.fail = fail;
        child.output = fail.ends.length > 0 ? fail : fail.output;
        queue.push(child);
      }
    }
  }

  private step(at: AutomatonNode, word: string): AutomatonNode {
    // Each failure link is shorter, so the links taken over a whole body are at most its words.
    while (at !== this.root && !at.next.has(word)) at = at.fail!;
    return at.next.get(word) ?? this.root;
  }

  /** Whether no phrase can occur: the body has none of their first words (most bodies, answered from the set). */
  private ruledOut(body: Tokens): boolean {
    for (const first of this.root.next.keys()) if (body.set.has(first)) return false;
    return true;
  }

  /** Whether any of the phrases occurs in the body. */
  some(body: Tokens): boolean {
    if (this.ruledOut(body)) return false;
    const words = body.list;
    let at = this.root;
    for (let i = 0; i < words.length; i++) {
      at = this.step(at, words[i]!);
      if (at.ends.length > 0 || at.output) return true;
    }
    return false;
  }

  /** The indexes of the phrases that occur in the body, in ascending order. */
  found(body: Tokens): number[] {
    const out: number[] = [];
    if (!this.ruledOut(body)) this.each(body.list, (index) => (out.push(index), false));
    return out.sort((a, b) => a - b);
  }

  /** Whether every one of the phrases occurs in the body (true for none). */
  every(body: Tokens): boolean {
    if (this.size === 0) return true;
    let count = 0;
    return !this.ruledOut(body) && this.each(body.list, () => ++count === this.size);
  }

  /** Calls `hit` once per phrase found, until it returns true; returns whether it did. */
  private each(words: readonly string[], hit: (index: number) => boolean): boolean {
    const call = ++this.calls;
    let at = this.root;
    for (let i = 0; i < words.length; i++) {
      at = this.step(at, words[i]!);
      // A node reported in this call had its whole output chain reported with it: stop there, so
      // each node is reported once per call and the work stays linear.
      for (let n = at.ends.length > 0 ? at : at.output; n && n.seen !== call; n = n.output) {
        n.seen = call;
        for (const index of n.ends) if (hit(index)) return true;
      }
    }
    return false;
  }
}

// -- Compiled phrase lists -----------------------------------------------------------------------

interface WordTrie {
  /** A phrase ends here. */
  end: boolean;
  readonly next: Map<string, WordTrie>;
}

/** Phrases as a tree of their words, cut where a phrase ends (what goes on from there is redundant for "any"). */
function wordTrie(phrases: readonly (readonly string[])[]): WordTrie {
  const root: WordTrie = { end: false, next: new Map() };
  for (const p of phrases) {
    let at = root;
    for (const w of p) {
      if (at.end) break;
      let child = at.next.get(w);
      if (!child) at.next.set(w, (child = { end: false, next: new Map() }));
      at = child;
    }
    if (!at.end) {
      at.end = true;
      at.next.clear();
    }
  }
  return root;
}

interface LatinTables {
  /** Per folded ASCII letter or digit, a regex class body of every character that folds to it (both cases). */
  letters: Map<string, string>;
  /** A regex class body of the characters of plain Latin text: printable ASCII, tab, newlines and the accented letters. */
  plain: string;
}

let latinTables: LatinTables | undefined;

// Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional (the first two of
// FOLD_RANGES): the precomposed accented letters of the Latin-script languages.
const LATIN_RANGES = FOLD_RANGES.slice(0, 2);
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const ASCII_ALNUM = /^[a-z0-9]$/;

function latin(): LatinTables {
  if (latinTables) return latinTables;
  const byLetter = new Map<string, number[]>();
  const accented: number[] = [];
  const add = (cp: number, folded: string) => byLetter.set(folded, [...(byLetter.get(folded) ?? []), cp]);
  for (let cp = 0x30; cp <= 0x7a; cp++) {
    const c = String.fromCharCode(cp);
    if (LETTER_OR_DIGIT.test(c)) add(cp, c.toLowerCase());
  }
  for (const [from, to] of LATIN_RANGES) {
    for (let cp = from; cp <= to; cp++) {
      const c = String.fromCharCode(cp);
      // Derived from `fold` itself, so the table cannot drift from it; a letter that folds to
      // anything but one ASCII letter (ß, æ, ø, ŉ) is not plain, and sends its text to `tokens`.
      const folded = fold(c);
      if (!LETTER_OR_DIGIT.test(c) || !ASCII_ALNUM.test(folded)) continue;
      add(cp, folded);
      accented.push(cp);
    }
  }
  const letters = new Map([...byLetter].map(([folded, cps]) => [folded, classRanges(cps)]));
  latinTables = { letters, plain: `\\t\\n\\r\\u0020-\\u007e${classRanges(accented)}` };
  return latinTables;
}

/** A regex class body for code points in ascending order, runs written as ranges: the classes recur in every phrase, so size matters. */
function classRanges(cps: readonly number[]): string {
  const char = (cp: number) => escapeClass(String.fromCharCode(cp));
  let out = '';
  for (let i = 0; i < cps.length; i++) {
    let j = i;
    while (j + 1 < cps.length && cps[j + 1] === cps[j]! + 1) j++;
    out += j === i ? char(cps[i]!) : j === i + 1 ? char(cps[i]!) + char(cps[j]!) : `${char(cps[i]!)}-${char(cps[j]!)}`;
    i = j;
  }
  return out;
}

// Past about 20,000 characters of pattern V8 compiles a regex without its optimizations, and it
// becomes slower than the general path (measured: a hundred single words stay well under; forty
// three-word phrases are over, and 3× slower per message than under). Longer lists take the
// general path only.
const MAX_EXACT_SOURCE = 20_000;

/**
 * Whether `raw` holds any of the phrases (each its words, as `phrase` gives them): the same answer
 * as `hasPhrase(tokens(raw), words)` for some phrase, compiled once per phrase list.
 *
 * Most messages are plain Latin text: printable ASCII and precomposed accented letters, where
 * folding is one letter for one letter and words are runs of letters and digits with inner
 * apostrophes. For those one regular expression over the raw text is the exact answer: each letter
 * of a phrase is the class of everything that folds to it, word boundaries are spelled out as
 * `words` draws them, and nothing is folded or split. Anything else (a ligature, ß, a
 * typographic apostrophe, a combining mark, another script) stops that regex, and the text takes
 * the general path: `wordPrefilter` on the raw text, then the folded words through `PhraseSet`.
 */
export function phraseMatcher(phrases: readonly (readonly string[])[]): (raw: string) => boolean {
  const usable = phrases.filter((p) => p.length > 0);
  if (usable.length === 0) return () => false;
  const mayHoldAny = wordPrefilter(usable.map((p) => p[0]!));
  const set = new PhraseSet(usable);
  const general = (raw: string) => mayHoldAny(raw) && set.some(tokens(raw));

  const { letters, plain } = latin();
  // Words of plain text fold to [a-z0-9'] only: a phrase with any other character cannot occur in it.
  const spell = (w: string) => [...w].map((ch) => (ch === "'" ? "'" : `[${letters.get(ch)}]`)).join('');
  // Boundaries are spelled with the non-word characters of plain text only (`apart`: ASCII
  // punctuation and spaces, the apostrophe aside): next to any other character the regex does not
  // match there, and `other` sends the text to the general path anyway. Short ASCII classes keep
  // the regex small and fast. No quantifier nests in another and words and separators share no
  // character, so a match attempt never backtracks further than one run of separators: linear.
  const apart = "\\t\\n\\r\\u0020-\\u0026\\u0028-\\u002f\\u003a-\\u0040\\u005b-\\u0060\\u007b-\\u007e";
  // Between two words of a phrase: non-word characters, but not a lone apostrophe ("don't" is one word).
  const between = `(?!'[^${apart}'])[${apart}']+`;
  // The phrases as a tree of words, each shared beginning written once ("i want (a refund|to cancel)"),
  // so a match attempt follows one path of words, as long as the longest phrase, instead of trying
  // every phrase in turn: many phrases beginning alike ("a a a … b") against a body of the same
  // words cost phrases × phrase length per word of the body as alternatives. At each fork at most
  // one word can match (each is followed by a boundary, and no word is a boundary away from
  // another), so nothing backtracks past a fork either. A phrase that ends where another goes on
  // makes the longer one redundant: wherever the longer occurs, the shorter does.
  const trie = wordTrie(usable.filter((p) => p.every((w) => /^[a-z0-9']+$/.test(w))));
  // A group only where the tree forks: a list with no shared beginnings is the plain alternation.
  const branches = (node: WordTrie): string =>
    [...node.next].map(([w, child]) => (child.end ? spell(w) : `${spell(w)}${between}${child.next.size > 1 ? `(?:${branches(child)})` : branches(child)}`)).join('|');
  const alternatives = trie.next.size === 0 ? [] : [branches(trie)];
  const other = `[^${plain}]`;
  // A phrase starts where a word does: at the start, after a non-word character other than an
  // apostrophe, or after an apostrophe that does not follow a word character; it ends where its
  // last word does. Boundaries are consumed rather than looked behind: V8 scans that much faster.
  const source = alternatives.length === 0
    ? other
    : `(?:^|[${apart}]|(?:^|[${apart}'])')(?:${alternatives.join('|')})(?=$|[${apart}]|'(?:$|[${apart}']))|${other}`;
  if (source.length > MAX_EXACT_SOURCE) return general;
  const exact = new RegExp(source);
  const otherFrom = new RegExp(other, 'g');
  return (raw) => {
    const m = exact.exec(raw);
    // No match: the text is plain (else `other` would have matched) and holds none of the phrases.
    if (m === null) return false;
    // A phrase matched and everything before it is plain; if the rest is too, the match stands.
    otherFrom.lastIndex = m.index;
    return otherFrom.test(raw) ? general(raw) : true;
  };
}
