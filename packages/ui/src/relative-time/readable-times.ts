// Its own module (`@baton/ui/readable-times`): only lazily loaded parts use it (routing-why, the
// workflow editor's dry run), so it stays out of <team-inbox>'s initial load.
import { dateFormat } from './relative-time.js';

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
