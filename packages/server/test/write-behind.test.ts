import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import type { OutboxRecord } from '../src/outbox/changes.js';
import { WriteBehind } from '../src/outbox/write-behind.js';
import { openSqlite } from '../src/storage/db.js';

// A consumer's batch write behind the relay (outbox/write-behind.ts): submitted without holding the
// relay, settled only once committed, retried on the clock, bounded.

const rows = (...ids: number[]) => ids.map((id) => ({ id }) as OutboxRecord);

/** A write that finishes when told to. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  return { write: () => done, open, fail };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A WriteBehind whose reported failures go to `errors`, as the relay's hooks would report them. */
function writeBehind(options: ConstructorParameters<typeof WriteBehind>[0], errors: unknown[] = []): WriteBehind {
  const behind = new WriteBehind(options);
  behind.attach({ settled: () => {}, failed: (error) => errors.push(error) });
  return behind;
}

describe('write behind', () => {
  it('submit returns before the write commits; the place settles below it until it does', async () => {
    const behind = new WriteBehind({ clock: new ManualClock() });
    let settledCalls = 0;
    behind.attach({ settled: () => (settledCalls += 1), failed: () => {} });
    const first = gate();
    const second = gate();
    const committed: number[] = [];
    await behind.submit(rows(5, 6), first.write, () => committed.push(5));
    await behind.submit(rows(7), second.write, () => committed.push(7));
    assert.equal(behind.settled(), 4);
    assert.ok(behind.busy());

    second.open();
    await turn();
    assert.deepEqual(committed, [7]);
    assert.equal(behind.settled(), 4, 'an older write is still open');
    first.open();
    await behind.idle();
    assert.deepEqual(committed, [7, 5]);
    assert.equal(behind.settled(), null);
    assert.equal(settledCalls, 2);
  });

  it('a failed write is tried again on the clock, its rows unsettled meanwhile; idle does not wait for the retry', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const behind = writeBehind({ clock, retryMs: 1_000 }, errors);
    let attempts = 0;
    await behind.submit(rows(3), async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('database is locked');
    });
    await behind.idle();
    assert.equal(errors.length, 1);
    assert.equal(behind.settled(), 2);
    assert.equal(behind.busy(), false, 'waiting for its retry');

    clock.advance(1_000);
    await behind.idle();
    assert.equal(attempts, 2);
    assert.equal(behind.settled(), null);
  });

  it('at most `maxInFlight` writes: the next waits for the oldest, or is refused while the oldest is failing', async () => {
    const clock = new ManualClock();
    const behind = writeBehind({ clock, maxInFlight: 2 });
    const a = gate();
    const b = gate();
    await behind.submit(rows(1), a.write);
    await behind.submit(rows(2), b.write);
    let third = false;
    const submitting = behind.submit(rows(3), async () => {}).then(() => (third = true));
    await turn();
    assert.equal(third, false, 'waits while two are open');
    a.open();
    await submitting;
    assert.equal(third, true);

    b.fail(new Error('disk full'));
    await turn();
    const d = gate();
    await behind.submit(rows(4), d.write);
    await assert.rejects(behind.submit(rows(5), async () => {}), /the oldest failing/);
    assert.equal(behind.settled(), 1, 'row 2 and after are unsettled');
    d.open();
    await behind.idle();
  });

  it('after stop, a failed write is not retried: its rows are replayed after a restart', async () => {
    const clock = new ManualClock();
    const behind = writeBehind({ clock });
    const a = gate();
    await behind.submit(rows(9), a.write);
    behind.stop();
    a.fail(new Error('closing'));
    await behind.idle();
    assert.equal(clock.pendingTimers, 0);
    assert.equal(behind.settled(), 8);
  });

  it('ordered writes through the group committer: after a failure, the later ones wait and then commit in submission order', async (t) => {
    const clock = new ManualClock();
    const storage = await openSqlite(':memory:', { clock });
    t.after(() => storage.close());
    const errors: unknown[] = [];
    const behind = writeBehind({ clock }, errors);
    const ran: number[] = [];
    const committed: number[] = [];
    let failFirst = true;
    // Three writes submitted back to back: their units share a group commit, in this order.
    for (const n of [0, 1, 2]) {
      await behind.submit(
        rows(10 + n),
        (inOrder) =>
          storage.write(
            () =>
              inOrder.run(async () => {
                ran.push(n);
                if (n === 0 && failFirst) {
                  failFirst = false;
                  throw new Error('database is locked');
                }
              }),
            'background',
          ),
        () => committed.push(n),
      );
    }
    await behind.idle();
    assert.equal(errors.length, 1, 'the refusals are not errors');
    assert.deepEqual(committed, [], 'the later two were refused while the first had failed');
    assert.deepEqual(ran, [0], 'and did not run');
    assert.equal(behind.settled(), 9);

    clock.advance(1_000);
    await behind.idle();
    assert.deepEqual(committed, [0, 1, 2], 'one retry: the first, then the others after it, at commit pace');
    assert.equal(behind.settled(), null);
  });
});

