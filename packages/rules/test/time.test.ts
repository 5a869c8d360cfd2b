import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeFacts } from '../src/index.js';

describe('timeFacts', () => {
  it('reads weekday and hour in the workspace time zone', () => {
    const instant = Date.parse('2026-12-06T23:30:00Z'); // Sunday 23:30 UTC
    assert.deepEqual(timeFacts(instant, 'UTC'), { weekday: 'sun', hour: 23 });
    assert.deepEqual(timeFacts(instant, 'Europe/Madrid'), { weekday: 'mon', hour: 0 });
    assert.deepEqual(timeFacts(instant, 'America/Mexico_City'), { weekday: 'sun', hour: 17 });
  });

  it('follows daylight saving', () => {
    assert.equal(timeFacts(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Madrid').hour, 14);
    assert.equal(timeFacts(Date.parse('2026-01-01T12:00:00Z'), 'Europe/Madrid').hour, 13);
  });

  it('refuses an unknown zone instead of routing by UTC', () => {
    assert.throws(() => timeFacts(0, 'Mars/Olympus'), RangeError);
  });
});
