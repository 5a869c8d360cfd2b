/**
 * `conversation.language`: the language of a customer's inbound messages, when it can be told.
 *
 * The detector is eld (Efficient Language Detector, pure JS, Apache-2.0) with its extra-small
 * n-gram database: on Baton's labelled support messages it was the most accurate of the
 * libraries compared (docs/decisions.md, "Language detection"), at 279 KB gzip and ~30 MB of
 * heap. That is why this is its own entry point, `@baton/rules/language`: the server imports it,
 * `<workflow-builder>` does not have to.
 *
 * Routing on a wrong language is worse than routing on none, so the answer is null unless the
 * evidence is clear: fewer than three words in all (the "ok", "thanks", "ok gracias" of a chat),
 * a result eld itself calls unreliable, or a best language that beats the runner-up by less than
 * `minConfidence` (relative margin of their scores) all give null.
 */
import { eld as baseEld } from 'eld/extrasmall';

/** The languages Baton's accuracy test covers; a workspace may pass its own list (ISO 639-1). */
export const DEFAULT_LANGUAGES = ['en', 'es', 'pt', 'fr', 'de'] as const;

export interface DetectOptions {
  /** Languages to choose from (ISO 639-1); others are never answered. Codes eld does not know are ignored. */
  languages?: readonly string[];
  /** Least relative margin between the best and the second-best language (0–1); default 0.04. */
  minConfidence?: number;
  /** Fewest words (runs of letters) across the texts; default 3. */
  minWords?: number;
}

export interface DetectedLanguage {
  /** ISO 639-1 code, or null when unsure. */
  language: string | null;
  /** Relative margin of the best language over the runner-up: 0 = a tie, 1 = no rival. 0 when there is no answer. */
  confidence: number;
}

/**
 * What is read: the customer's most recent messages, newest first, until they hold `ENOUGH_WORDS`
 * words (half again the labelled set's median of 8, on which the answer is never wrong) or `MAX_CHARS`
 * characters. eld itself reads only the first ~350 bytes of a text (it cuts there, after its
 * cleanup), so anything longer was never read; 600 characters cover that in any script, with room
 * for the URLs and numbers its cleanup removes. A customer who switches language is answered in
 * the language they write now, and a long email costs what its first lines cost.
 */
const ENOUGH_WORDS = 12;
const MAX_CHARS = 600;
const WORD = /\p{L}+/gu;

type Detector = typeof baseEld;
const detectors = new Map<string, Detector>();

// One eld instance per language set: a subset is instance state in eld, so sharing one instance
// between workspaces with different sets would race.
function detectorFor(languages: readonly string[]): Detector {
  const key = [...languages].sort().join(',');
  let detector = detectors.get(key);
  if (!detector) {
    detector = baseEld.newInstance();
    detector.setLanguageSubset([...languages]);
    // Drops URLs, emails and similar tokens that say nothing about the language.
    detector.enableTextCleanup(true);
    detectors.set(key, detector);
  }
  return detector;
}

/** How many words `text` has, counting no further than `upTo` (most messages are long enough). */
function countWords(text: string, upTo: number): number {
  // The shared global regex, from the start each time (nothing else runs between its calls).
  WORD.lastIndex = 0;
  let found = 0;
  while (found < upTo && WORD.exec(text) !== null) found++;
  WORD.lastIndex = 0;
  return found;
}

/** The most recent of `texts` (oldest first), newest first, until `enough` words or `MAX_CHARS`; and their word count, up to `enough`. */
function recentText(texts: readonly string[], enough: number): { text: string; words: number } {
  let text = '';
  let words = 0;
  for (let i = texts.length - 1; i >= 0 && words < enough && text.length < MAX_CHARS; i--) {
    const message = texts[i]!;
    text = text ? `${text}\n${message}` : message;
    words += countWords(message, enough - words);
  }
  return { text: text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text, words };
}

/**
 * The language of `texts` (a customer's inbound messages, oldest first), among `languages`: of the
 * most recent ones, newest first, until they say enough (`ENOUGH_WORDS`).
 */
export function detectLanguage(texts: readonly string[], options: DetectOptions = {}): DetectedLanguage {
  const languages = options.languages ?? DEFAULT_LANGUAGES;
  const minConfidence = options.minConfidence ?? 0.04;
  const minWords = options.minWords ?? 3;
  const unsure: DetectedLanguage = { language: null, confidence: 0 };
  if (languages.length === 0) return unsure;

  const { text, words } = recentText(texts, Math.max(ENOUGH_WORDS, minWords));
  if (words < minWords) return unsure;

  const result = detectorFor(languages).detect(text);
  if (!result.language || !result.isReliable()) return unsure;
  const scores = Object.entries(result.getScores())
    .filter(([lang]) => languages.includes(lang))
    .map(([, score]) => score)
    .sort((a, b) => b - a);
  const best = scores[0] ?? 0;
  if (best <= 0) return unsure;
  const confidence = (best - (scores[1] ?? 0)) / best;
  return confidence < minConfidence ? { language: null, confidence } : { language: result.language, confidence };
}
