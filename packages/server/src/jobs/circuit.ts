import type { CircuitState } from '../storage/jobs.js';

/**
 * Circuit breakers per destination (a webhook endpoint, a push service origin, the SMTP server),
 * per workspace, so one tenant's dead endpoints never pause another tenant's deliveries.
 *
 * Closed: attempts flow; failures in a row are counted and a success clears them. After
 * `failures` in a row the circuit opens: nothing is sent to the destination for the cool-down,
 * and its pending jobs wait (they are not attempts, so they use none of their retries). When the
 * cool-down is over the circuit is half open: one attempt (the probe) goes out; success closes it,
 * failure opens it again for twice as long, up to `maxCoolDownMs`.
 */
export interface BreakerPolicy {
  /** Failed attempts in a row that open the circuit. */
  failures: number;
  /** The first pause; each reopening without a success in between doubles it. */
  coolDownMs: number;
  maxCoolDownMs: number;
}

export type CircuitPhase = 'closed' | 'open' | 'half_open';

export function phaseOf(circuit: CircuitState | null, now: number): CircuitPhase {
  if (!circuit || circuit.openUntil === null) return 'closed';
  return circuit.openUntil > now ? 'open' : 'half_open';
}

export const coolDownMs = (trips: number, policy: BreakerPolicy) => Math.min(policy.coolDownMs * 2 ** Math.max(0, trips - 1), policy.maxCoolDownMs);

/** The circuit after a success: closed and clean (no row). */
export const afterSuccess = (): null => null;

/** The circuit after an attempt that failed because of the destination. */
export function afterFailure(circuit: CircuitState | null, error: string, now: number, policy: BreakerPolicy): CircuitState {
  const failures = (circuit?.failures ?? 0) + 1;
  const phase = phaseOf(circuit, now);
  // An attempt that started before the circuit opened: it adds to the count, the pause stands.
  if (phase === 'open') return { ...circuit!, failures, lastError: error };
  if (phase === 'half_open' || failures >= policy.failures) {
    const trips = (circuit?.trips ?? 0) + 1;
    return { failures, trips, openUntil: now + coolDownMs(trips, policy), lastError: error };
  }
  return { failures, trips: circuit?.trips ?? 0, openUntil: null, lastError: error };
}
