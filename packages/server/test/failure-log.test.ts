import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFailureLog, UNAVAILABLE_LOG_EVERY_MS } from '../src/failure-log.js';

/** Retried failures in the log: a database outage is one line per 30 s however many loops hit it; a fault is logged in full each time. */

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', client: { secretKey: 12345 } });

test('a database that cannot be reached is one line every 30 s for the whole process, with the count held back', () => {
  const lines: { line: string; error?: unknown }[] = [];
  const log = createFailureLog((line, error) => lines.push({ line, error }));
  const t0 = 1_000_000;
  // Eight loops, each retrying every second for 45 s.
  for (let s = 0; s < 45; s++) for (const what of ['outbox consumer notifier', 'job runner', 'routing queue check', 'housekeeping', 'GET /v1/conversations', 'availability check', 'routing timers check', 'waking snoozed conversations']) log(what, refused(), t0 + s * 1000);
  assert.deepEqual(lines.map((l) => l.line), [
    '[baton] outbox consumer notifier: the database cannot be reached right now; try again in a moment (connect ECONNREFUSED 127.0.0.1:5432); retrying',
    `[baton] outbox consumer notifier: the database cannot be reached right now; try again in a moment (connect ECONNREFUSED 127.0.0.1:5432); retrying (${30 * 8 - 1} more such failures since the last line)`,
  ]);
  assert.ok(lines.every((l) => l.error === undefined), 'no stack and no error object (its client, its cancel key) in the log');
  assert.equal(UNAVAILABLE_LOG_EVERY_MS, 30_000);
});

test('any other failure is a fault: logged every time, with the error for its stack', () => {
  const lines: { line: string; error?: unknown }[] = [];
  const log = createFailureLog((line, error) => lines.push({ line, error }));
  const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
  log('outbox consumer webhooks', bug, 0);
  log('outbox consumer webhooks', bug, 1);
  assert.deepEqual(lines, [
    { line: '[baton] outbox consumer webhooks failed; will retry', error: bug },
    { line: '[baton] outbox consumer webhooks failed; will retry', error: bug },
  ]);
  // An outage in between is still said once.
  log('job runner', refused(), 2);
  log('job runner', refused(), 3);
  assert.equal(lines.length, 3);
});
