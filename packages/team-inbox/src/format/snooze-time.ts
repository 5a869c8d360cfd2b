import { dateFormat } from '@baton/ui/relative-time';

const DAY = 86_400_000;
const timeOf = (d: Date) => dateFormat({ hour: 'numeric', minute: '2-digit' }, 'en-US').format(d);
const startOfDay = (t: number) => new Date(t).setHours(0, 0, 0, 0);

/**
 * When a snooze ends, in the agent's local time, as people say it: "today 4:00 PM", "tomorrow
 * 9:00 AM", "Mon, Dec 7, 9:00 AM".
 */
export function wakeTime(iso: string, now: number): string {
  const at = new Date(iso);
  const days = Math.round((startOfDay(at.getTime()) - startOfDay(now)) / DAY);
  if (days === 0) return `today ${timeOf(at)}`;
  if (days === 1) return `tomorrow ${timeOf(at)}`;
  const sameYear = at.getFullYear() === new Date(now).getFullYear();
  return dateFormat({ weekday: 'short', month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }), hour: 'numeric', minute: '2-digit' }, 'en-US').format(at);
}

/** "4 min", "1 h 5 min", "2 d": how long a conversation has waited, for "Waiting for Bilingual · 4 min". */
export function waitedFor(sinceIso: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(sinceIso)) / 60_000));
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** "Waiting for Bilingual · 4 min" (the queue's team; "Waiting · 4 min" when it has none or its name is not known yet). */
export function waitingLabel(sinceIso: string, teamName: string | undefined, now: number): string {
  return `Waiting${teamName ? ` for ${teamName}` : ''} · ${waitedFor(sinceIso, now)}`;
}
