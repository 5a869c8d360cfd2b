import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { KeyedBuckets, TokenBucket } from '../src/token-bucket.js';

describe('token bucket', () => {
  it('refills at its rate up to its burst; a clock stepping back neither refills nor takes away', () => {
    const clock = new ManualClock(1_000_000);
    const bucket = new TokenBucket(clock, { burst: 200, perSecond: 50 });
    const takeAll = () => {
      let n = 0;
      while (bucket.take()) n++;
      return n;
    };
    assert.equal(takeAll(), 200);
    clock.advance(500);
    assert.equal(takeAll(), 25);
    clock.advance(3_600_000);
    assert.equal(takeAll(), 200, 'an hour idle refills only up to the burst');
    clock.advance(-60_000);
    assert.equal(takeAll(), 0);
    clock.advance(100);
    assert.equal(takeAll(), 5, 'counted from where the clock is now');
  });

  it('says how long until the next token, without taking one', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(clock, { burst: 2, perSecond: 0.5 });
    assert.equal(bucket.waitMs(), 0);
    assert.equal(bucket.waitMs(), 0, 'asking takes nothing');
    assert.ok(bucket.take() && bucket.take());
    assert.equal(bucket.waitMs(), 2000);
    clock.advance(1500);
    assert.equal(bucket.waitMs(), 500);
    clock.advance(500);
    assert.equal(bucket.waitMs(), 0);
    assert.equal(bucket.full, false);
    clock.advance(2000);
    assert.equal(bucket.full, true);
  });

  it('keyed buckets are separate, and the ones that refilled are forgotten', () => {
    const clock = new ManualClock(0);
    const buckets = new KeyedBuckets(clock, { burst: 1, perSecond: 1 });
    assert.ok(buckets.of('a').take());
    assert.equal(buckets.of('a').take(), false);
    assert.ok(buckets.of('b').take(), 'b has its own');
    for (let i = 0; i < 1000; i++) buckets.of(`once-${i}`);
    assert.equal(buckets.size, 1002);
    clock.advance(1000);
    buckets.of('c');
    assert.equal(buckets.size, 1, 'only the bucket just made is left: every other had refilled');
    // At the next sweep a bucket still refilling is kept, with what it has spent.
    clock.advance(500);
    assert.ok(buckets.of('d').take());
    clock.advance(500);
    buckets.of('e');
    assert.deepEqual(buckets.size, 2, 'd (half refilled) and e; c had refilled');
    assert.equal(buckets.of('d').take(), false, 'd still has only half a token');
  });
});
