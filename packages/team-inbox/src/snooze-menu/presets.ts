/** The snooze presets, in the agent's local time: what each means is here, not on the server (it takes an instant). */
export interface SnoozePreset {
  name: 'Later today' | 'Tomorrow' | 'Next week';
  at: Date;
}

/** Morning, when "Tomorrow" and "Next week" wake a conversation. */
const MORNING_HOUR = 9;
/** "Later today" is this many hours on, at the top of the hour. */
const LATER_HOURS = 3;

/**
 * "Later today": three hours on, rounded up to the hour, left out when that is tomorrow already;
 * "Tomorrow": 9:00 tomorrow; "Next week": 9:00 next Monday (a week on when today is Monday).
 */
export function snoozePresets(now: Date): SnoozePreset[] {
  const presets: SnoozePreset[] = [];
  const later = new Date(now.getTime());
  later.setHours(later.getHours() + LATER_HOURS + (later.getMinutes() || later.getSeconds() || later.getMilliseconds() ? 1 : 0), 0, 0, 0);
  if (later.toDateString() === now.toDateString()) presets.push({ name: 'Later today', at: later });
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, MORNING_HOUR);
  presets.push({ name: 'Tomorrow', at: tomorrow });
  const daysToMonday = ((8 - now.getDay()) % 7) || 7;
  presets.push({ name: 'Next week', at: new Date(now.getFullYear(), now.getMonth(), now.getDate() + daysToMonday, MORNING_HOUR) });
  return presets;
}

/** `<input type="datetime-local">`'s value for a local time (no seconds). */
export function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
