const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * An `Intl.DateTimeFormat`, made once per locale and options. Making one costs ~0.17 ms (V8 makes
 * a new one on every `toLocaleString` call that is given options) and using one ~6 µs: a list row
 * formats a date or two, so a scroll step of 30 new rows spent ~5 ms making formatters.
 */
export function dateFormat(options: Intl.DateTimeFormatOptions, locale?: string): Intl.DateTimeFormat {
  const key = `${locale ?? ''} ${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) formats.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A compact age for lists: "now", "5m", "3h", "2d", then the date ("Mar 4", with the year when it
 * is not this year). Times a little in the future (clock skew) read as "now".
 */
export function relativeTime(iso: string, now: number = Date.now(), locale?: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const age = now - then;
  if (age < MINUTE) return 'now';
  if (age < HOUR) return `${Math.floor(age / MINUTE)}m`;
  if (age < DAY) return `${Math.floor(age / HOUR)}h`;
  if (age < 7 * DAY) return `${Math.floor(age / DAY)}d`;
  const sameYear = new Date(then).getFullYear() === new Date(now).getFullYear();
  return dateFormat(sameYear ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' }, locale).format(then);
}

/** The full date and time, for a `title` or a screen reader. */
export function absoluteTime(iso: string, locale?: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  return dateFormat({ dateStyle: 'medium', timeStyle: 'short' }, locale).format(then);
}

const INSTANT_WITH_ZONE: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };

/** An ISO 8601 instant in UTC as the server writes them into sentences (`Date#toISOString`). */
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z\b/g;

/**
 * A server's sentence with its instants in the reader's time zone and words: the routing engine
 * writes "waiting until 2026-11-29T04:20:39.074Z" (it has no locale); people read "waiting until
 * Nov 29, 2026, 5:20 AM GMT+1".
 */
export function readableTimes(text: string, locale?: string): string {
  // With the zone's name: the reader's zone may not be the workspace's, whose hours rules use.
  return text.replace(ISO_INSTANT, (iso) => {
    const then = Date.parse(iso);
    // Fields, not dateStyle/timeStyle: those two cannot be combined with a zone name.
    return Number.isNaN(then) ? iso : dateFormat(INSTANT_WITH_ZONE, locale).format(then);
  });
}
