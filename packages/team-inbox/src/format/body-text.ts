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
