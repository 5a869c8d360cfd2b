/**
 * `message.body matches <pattern>`: RE2 syntax, run by re2js (a pure-JavaScript port of RE2/Go's
 * regexp). Matching time is linear in the body's length whatever the pattern, so a rule author
 * cannot stall the server (or the builder's preview) with `(a+)+$`. Pure JS, so the same engine runs
 * in Node and in browsers; no native addon or Node-only WASM loader.
 *
 * The pattern runs on the body as written: case-sensitive unless it says `(?i)`. Unlike the word
 * operators it does not fold accents, because a pattern is exact by nature.
 */
import { RE2JS } from 're2js';

/** Longest pattern accepted; RE2 also bounds the compiled program, so this is about readable rules. */
export const MAX_PATTERN_LENGTH = 1000;

export interface Pattern {
  test(input: string): boolean;
}

export type PatternResult = { ok: true; pattern: Pattern } | { ok: false; message: string };

export function compilePattern(source: string): PatternResult {
  if (source.length === 0) return { ok: false, message: 'the pattern is empty' };
  if (source.length > MAX_PATTERN_LENGTH) return { ok: false, message: `the pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  try {
    const re = RE2JS.compile(source);
    return { ok: true, pattern: { test: (input) => re.test(input) } };
  } catch (error) {
    // re2js messages read "error parsing regexp: missing closing ): `(a`"; keep the useful part.
    const message = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return { ok: false, message: `not a valid RE2 pattern: ${message}` };
  }
}
