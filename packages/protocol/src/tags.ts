/**
 * A tag's one spelling, for contacts and conversations alike: lower case by JavaScript's
 * `toLowerCase` (locale-independent, so every server and browser agrees), nothing else. The schemas
 * trim and bound a tag before it gets here (`Tags` in domain.ts, `RuleTag` in rules.ts); accents
 * stay (`café` is not `cafe`). Zod-free, so browser code may import it (`@baton/protocol/tags`).
 */
export const normalizeTag = (tag: string): string => tag.toLowerCase();

/** Tags as stored: each in its one spelling, the first of two spellings of a tag kept, order kept. */
export const normalizeTags = (tags: readonly string[]): string[] => [...new Set(tags.map(normalizeTag))];
