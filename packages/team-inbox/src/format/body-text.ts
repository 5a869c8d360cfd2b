import { html, type TemplateResult } from 'lit';

/** Candidate links: a scheme we allow, then everything up to whitespace or a quote/angle bracket. */
const LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"']+/gi;
/** Punctuation that usually ends the sentence rather than the URL. */
const TRAILING = /[.,;:!?)\]]+$/;

/** The URL if it parses and uses http, https or mailto; anything else stays text. */
export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * A message or note body as text, with http/https/mailto links made clickable. Everything is
 * bound as text or as an attribute Lit escapes, so markup in a body (`<img onerror>`,
 * `<script>`) shows as characters and `javascript:` never becomes an href.
 */
export function bodyText(body: string): (string | TemplateResult)[] {
  const parts: (string | TemplateResult)[] = [];
  let last = 0;
  for (const match of body.matchAll(LINK)) {
    const raw = match[0].replace(TRAILING, '');
    const href = safeHref(raw);
    if (!href) continue;
    const start = match.index;
    if (start > last) parts.push(body.slice(last, start));
    parts.push(html`<a href=${href} target="_blank" rel="noopener noreferrer nofollow">${raw}</a>`);
    last = start + raw.length;
  }
  if (last < body.length) parts.push(body.slice(last));
  return parts;
}

/** The line that introduces a quoted reply ("On Mon, Dec 1, Ana wrote:"), in the languages the detector knows. */
const ATTRIBUTION = /(wrote|escribió|escreveu|a écrit|schrieb)\s*:\s*$/i;

/**
 * An email's quoted history split from what the customer wrote now: `[shown, quoted]`, where
 * `quoted` is the trailing run of `>` lines (blank lines among them) with the "… wrote:" line
 * before it, or '' when there is none. A body that is all quote is shown whole. Walks the lines
 * once from the end: no pattern that backtracks over a long body.
 */
export function splitQuoted(body: string): [string, string] {
  const lines = body.split('\n');
  let start = lines.length;
  let quotes = false;
  for (; start > 0; start--) {
    const line = lines[start - 1]!.trimStart();
    if (line.startsWith('>')) quotes = true;
    else if (line) break;
  }
  if (!quotes) return [body, ''];
  if (start > 0 && ATTRIBUTION.test(lines[start - 1]!)) start--;
  const shown = lines.slice(0, start).join('\n').trimEnd();
  return shown ? [shown, lines.slice(start).join('\n').replace(/^\n+/, '')] : [body, ''];
}
