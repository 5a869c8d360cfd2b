import type { Clock } from './clock.js';

/** How much a bucket holds at once (`burst`) and how fast it refills (`perSecond`). */
export interface Allowance {
  burst: number;
  perSecond: number;
}

/**
 * A token bucket on an injected clock: `burst` at once after a quiet spell, then `perSecond` on
 * average. Written here rather than taken from rate-limiter-flexible, which reads `Date.now()` and
 * sets its own timers, so tests could not step it (docs/decisions.md, session 14).
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly clock: Clock,
    private readonly allowance: Allowance,
  ) {
    this.tokens = allowance.burst;
    this.at = clock.now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is there (0: one is there now); takes nothing. */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.allowance.perSecond);
  }

  /** Full again: as good as a bucket never used, so a keyed set may forget it. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.allowance.burst;
  }

  private refill(): void {
    const now = this.clock.now();
    // A clock that steps back (NTP) refills nothing, and takes nothing away.
    this.tokens = Math.min(this.allowance.burst, this.tokens + (Math.max(0, now - this.at) * this.allowance.perSecond) / 1000);
    this.at = now;
  }
}

/**
 * A bucket per key (an agent, a workspace), made on first use. Buckets that have refilled are
 * forgotten now and then, so keys seen once cost nothing for long.
 */
export class KeyedBuckets {
  private readonly byKey = new Map<string, TokenBucket>();
  private nextSweep: number;

  constructor(
    private readonly clock: Clock,
    readonly allowance: Allowance,
  ) {
    this.nextSweep = clock.now() + this.sweepEveryMs;
  }

  /** The bucket of `key`. */
  of(key: string): TokenBucket {
    this.sweep();
    let bucket = this.byKey.get(key);
    if (!bucket) this.byKey.set(key, (bucket = new TokenBucket(this.clock, this.allowance)));
    return bucket;
  }

  /** Keys with a bucket, until a sweep forgets the ones that refilled (tests). */
  get size(): number {
    return this.byKey.size;
  }

  /** Long enough for an emptied bucket to be full again, so a sweep finds most of them full. */
  private get sweepEveryMs(): number {
    return Math.max(1000, (this.allowance.burst / this.allowance.perSecond) * 1000);
  }

  private sweep(): void {
    const now = this.clock.now();
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.sweepEveryMs;
    for (const [key, bucket] of this.byKey) if (bucket.full) this.byKey.delete(key);
  }
}
