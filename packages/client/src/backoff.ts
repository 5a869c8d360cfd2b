/** Waits `ms`; the REST client and the socket take a replacement so tests never sleep. */
export type Delay = (ms: number) => Promise<void>;

export const sleep: Delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BackoffOptions {
  /** Delay before the first retry. */
  baseMs: number;
  /** Upper bound for any one delay. */
  maxMs: number;
}

/**
 * Exponential backoff with jitter for retry `attempt` (1 = first retry): between half and all of
 * `baseMs · 2^(attempt−1)`, capped, so many clients dropped at once do not return in lockstep.
 */
export function backoffMs(attempt: number, { baseMs, maxMs }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
