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
/** Words kept before the reader's mention when the excerpt cannot start at the note's start. */
const LEAD_IN = 40;

/**
 * The note on one line, at most `NOTE_EXCERPT_MAX` characters, cut so that `@username` (the
 * reader's own mention, found as `parseMentions` finds it) is in it: a long note often asks its
 * question of each person at its end ("…context… @maria can you check?"), and the start alone
 * would not say what they were asked. Cuts fall between words where one is near, marked with `…`.
 */
export function mentionExcerpt(body: string, username: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (text.length <= NOTE_EXCERPT_MAX) return text;
  const wanted = username.toLowerCase();
  let at = 0;
  for (const match of text.matchAll(MENTION)) {
    if (match[1]!.toLowerCase() === wanted) {
      at = match.index;
      break;
    }
  }
  const mentionEnd = at + wanted.length + 1;
  let start = 0;
  // Starts at the note's start when the mention fits in its first `NOTE_EXCERPT_MAX - 1` characters.
  if (mentionEnd > NOTE_EXCERPT_MAX - 1) {
    start = Math.max(0, at - LEAD_IN);
    // Near the note's end, reaches back so the excerpt is as long as it may be.
    if (text.length - start < NOTE_EXCERPT_MAX - 1) start = text.length - (NOTE_EXCERPT_MAX - 1);
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < at) start = space + 1;
  }
  const lead = start > 0 ? '…' : '';
  let end = start + NOTE_EXCERPT_MAX - lead.length - 1;
  if (end >= text.length) return lead + text.slice(start);
  const space = text.lastIndexOf(' ', end);
  if (space > Math.max(start, mentionEnd)) end = space;
  return `${lead}${text.slice(start, end).trimEnd()}…`;
}
