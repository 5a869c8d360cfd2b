/**
 * `time.weekday` and `time.hour` in the workspace's time zone, from an instant. Intl does the
 * time-zone arithmetic (daylight saving included) in Node and in browsers alike.
 */
import type { RuleFacts, Weekday } from '@baton/protocol/rules';

const WEEKDAY_BY_SHORT: Readonly<Record<string, Weekday>> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone: a workspace with a bad zone should fail loudly, not route by UTC.
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

export function timeFacts(at: Date | number, timeZone: string): RuleFacts['time'] {
  const parts = formatter(timeZone).formatToParts(at);
  const weekday = WEEKDAY_BY_SHORT[parts.find((p) => p.type === 'weekday')?.value ?? ''];
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  if (!weekday || !Number.isInteger(hour)) throw new Error(`cannot read weekday and hour in ${timeZone}`);
  return { weekday, hour: hour % 24 };
}
