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

/** The longest a notification's note excerpt gets (`Notification.note.excerpt`). */
export const NOTE_EXCERPT_MAX = 140;
/**
 * How far into the excerpt the reader's mention may end and still be seen where it is shown: the
 * bell shows two lines of it, about 70 characters in its width.
 */
const MENTION_SEEN_WITHIN = 64;
/** Characters of context kept before the mention when the excerpt starts near it. */
const LEAD_IN = 24;

/**
 * The note on one line, at most `NOTE_EXCERPT_MAX` characters, cut so that `@username` (the
 * reader's own mention, found as `parseMentions` finds it) is in its first two lines: a long note
 * often asks its question of each person at its end ("…context… @maria can you check?"), and the
 * start alone would not say what they were asked. Cuts fall between words where one is near,
 * marked with `…`.
 */
export function mentionExcerpt(body: string, username: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  const wanted = username.toLowerCase();
  let at = -1;
  for (const match of text.matchAll(MENTION)) {
    if (match[1]!.toLowerCase() === wanted) {
      at = match.index;
      break;
    }
  }
  let start = 0;
  if (at >= 0 && at + wanted.length + 1 > MENTION_SEEN_WITHIN) {
    start = Math.max(0, at - LEAD_IN);
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < at) start = space + 1;
  }
  const lead = start > 0 ? '…' : '';
  if (text.length - start + lead.length <= NOTE_EXCERPT_MAX) return lead + text.slice(start);
  let end = start + NOTE_EXCERPT_MAX - lead.length - 1;
  const space = text.lastIndexOf(' ', end);
  if (space > Math.max(start, at >= 0 ? at + wanted.length + 1 : start)) end = space;
  return `${lead}${text.slice(start, end).trimEnd()}…`;
}
