import { whyUnavailable } from './storage/unavailable.js';

/** While the database is away, how often the log says so again. */
export const UNAVAILABLE_LOG_EVERY_MS = 30_000;

/**
 * Logs a failure that will be retried (a background loop's pass, a request). A database that
 * cannot be reached fails every loop, consumer and request at once, and each retries within a
 * second or so: logging each with its stack filled an operator's log with thousands of lines in
 * twenty seconds of a PostgreSQL restart, some of them the whole `pg` client (its cancel key
 * included). That kind is one line, at most once per `UNAVAILABLE_LOG_EVERY_MS` for the process,
 * with how many more were held back; any other failure is a fault worth its stack, every time.
 */
export function createFailureLog(write: (line: string, error?: unknown) => void = (line, error) => (error === undefined ? console.error(line) : console.error(line, error))) {
  let lastSaidAt = Number.NEGATIVE_INFINITY;
  let heldBack = 0;
  return (what: string, error: unknown, now = Date.now()): void => {
    const unavailable = whyUnavailable(error);
    if (unavailable === null) {
      write(`[baton] ${what} failed; will retry`, error);
      return;
    }
    if (now - lastSaidAt < UNAVAILABLE_LOG_EVERY_MS) {
      heldBack++;
      return;
    }
    const detail = error instanceof Error ? error.message : String(error);
    const held = heldBack > 0 ? ` (${heldBack} more such failure${heldBack === 1 ? '' : 's'} since the last line)` : '';
    write(`[baton] ${what}: ${unavailable} (${detail}); retrying${held}`);
    lastSaidAt = now;
    heldBack = 0;
  };
}

/** The process's one log of retried failures, so a database outage is a line every 30 s however many loops see it. */
export const logFailure = createFailureLog();
