/**
 * A tag's one spelling, for contacts and conversations alike: lower case by JavaScript's
 * `toLowerCase` (locale-independent, so every server and browser agrees), nothing else. The schemas
 * trim and bound a tag before it gets here (`Tags` in domain.ts, `RuleTag` in rules.ts); accents
 * stay (`café` is not `cafe`). Zod-free, so browser code may import it (`@baton/protocol/tags`).
 */
export const normalizeTag = (tag: string): string => tag.toLowerCase();

/** Tags as stored: each in its one spelling, the first of two spellings of a tag kept, order kept. */
export const normalizeTags = (tags: readonly string[]): string[] => [...new Set(tags.map(normalizeTag))];

/** The longest a tag may be, in its stored spelling. */
export const MAX_TAG_LENGTH = 64;

/**
 * Whether a tag fits in its stored spelling. Lower case can be longer than what was typed (`İ`
 * becomes `i` and a combining dot): a tag that fitted as typed could be stored longer than any
 * schema allows, and then refused when a client sent back the tags it was given.
 */
export const tagFits = (tag: string): boolean => normalizeTag(tag).length <= MAX_TAG_LENGTH;
