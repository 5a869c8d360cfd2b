/**
 * The snippet of a search hit on PostgreSQL, made in code from the body and the query's words:
 * what FTS5's `snippet()` gives on SQLite (storage/search.ts).
 *
 * Not `ts_headline`: its parser reads text as HTML and drops what looks like a tag, so a customer's
 * "<b>now</b>" came back as " now ", and a snippet must quote the message as written. The words are
 * found the way the index found them: split where unicode61 splits, compared with case and accents
 * folded, a query word of two or more characters as a prefix.
 */

/** unicode61's token characters (storage/search.ts `WORD`), with where each word is. */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
const ELLIPSIS = '…';
/** Words shown before the first match, when the body has them. */
const LEAD_IN = 4;

/** Case and accents folded, and ß as "ss", as the index's `unaccent` reads both (migration 0054). */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replaceAll('ß', 'ss');

export interface Snippet {
  snippet: string;
  /** `[start, end)` of every matched word in `snippet`, in UTF-16 code units. */
  highlights: [number, number][];
}

/**
 * The window of `words` words of `body` that holds the most distinct query words (then the most
 * matches, then the earliest), `…` where the body was cut, and where the matches are in it.
 */
export function snippetOf(body: string, terms: readonly string[], words = 20): Snippet {
  const folded = terms.map(fold);
  const found: { start: number; end: number; term: number }[] = [];
  for (const match of body.matchAll(WORD)) {
    const word = fold(match[0]);
    const term = folded.findIndex((t) => ([...t].length >= 2 ? word.startsWith(t) : word === t));
    found.push({ start: match.index, end: match.index + match[0].length, term });
  }
  if (found.length === 0) return { snippet: body, highlights: [] };

  // One pass, sliding the window a word at a time and counting each term's matches in it: a long
  // email is thousands of words, and a page shows up to a hundred hits.
  const inWindow = new Array<number>(terms.length).fill(0);
  let distinct = 0;
  let matches = 0;
  const add = (term: number, by: 1 | -1) => {
    if (term < 0) return;
    const before = inWindow[term]!;
    inWindow[term] = before + by;
    if (before === 0) distinct++;
    else if (before + by === 0) distinct--;
    matches += by;
  };
  for (let i = 0; i < Math.min(words, found.length); i++) add(found[i]!.term, 1);
  let best = 0;
  let bestScore = [distinct, matches];
  for (let first = 1; first + words <= found.length; first++) {
    add(found[first - 1]!.term, -1);
    add(found[first + words - 1]!.term, 1);
    if (distinct > bestScore[0]! || (distinct === bestScore[0] && matches > bestScore[1]!)) {
      best = first;
      bestScore = [distinct, matches];
    }
  }
  // The earliest best window may end on its first match; a few words of lead-in read better, and
  // moving the start up to them drops no match (there is none before the first).
  const firstMatch = found.findIndex((w, i) => i >= best && w.term >= 0);
  if (firstMatch > best + LEAD_IN) best = Math.min(firstMatch - LEAD_IN, Math.max(0, found.length - words));
  const last = Math.min(found.length, best + words) - 1;
  const from = best === 0 ? 0 : found[best]!.start;
  const to = last === found.length - 1 ? body.length : found[last]!.end;
  const head = from > 0 ? ELLIPSIS : '';
  const tail = to < body.length ? ELLIPSIS : '';
  const highlights: [number, number][] = [];
  for (let i = best; i <= last; i++) {
    const w = found[i]!;
    if (w.term >= 0) highlights.push([head.length + w.start - from, head.length + w.end - from]);
  }
  return { snippet: head + body.slice(from, to) + tail, highlights };
}
