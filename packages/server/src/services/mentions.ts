/**
 * Finds `@username` mentions in a note. A mention starts at the beginning of the text or after a
 * character that cannot be part of an email address (so `mail@ben.com` is not one), and trailing
 * punctuation is not part of the name (`@ben.` and `(@ben)` mention ben). Returns lower-cased
 * usernames, each once, in order of first appearance; whether they are agents is the caller's job.
 */
const MENTION = /(?<![A-Za-z0-9_.+%-])@([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/g;

export function parseMentions(body: string): string[] {
  const found = new Set<string>();
  for (const match of body.matchAll(MENTION)) found.add(match[1]!.toLowerCase());
  return [...found];
}
