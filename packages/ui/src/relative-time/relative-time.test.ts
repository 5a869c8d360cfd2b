import { expect } from '@esm-bundle/chai';
import { relativeTime } from './relative-time.js';
import { readableTimes } from './readable-times.js';

describe('relativeTime', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it('says now, minutes, hours and days as the age grows', () => {
    expect(relativeTime(ago(10_000), now)).to.equal('now');
    expect(relativeTime(ago(5 * 60_000), now)).to.equal('5m');
    expect(relativeTime(ago(3 * 3600_000), now)).to.equal('3h');
    expect(relativeTime(ago(2 * 86_400_000), now)).to.equal('2d');
  });

  it('gives the date past a week, with the year only when it differs', () => {
    expect(relativeTime('2026-01-04T12:00:00Z', now, 'en-US')).to.equal('Jan 4');
    expect(relativeTime('2024-01-04T12:00:00Z', now, 'en-US')).to.equal('Jan 4, 2024');
  });

  it('reads a little clock skew as now and bad input as nothing', () => {
    expect(relativeTime(new Date(now + 5000).toISOString(), now)).to.equal('now');
    expect(relativeTime('not a date', now)).to.equal('');
  });
});

describe('readableTimes', () => {
  it('turns the instants in a sentence into local dates and times with their zone, and leaves the rest', () => {
    const local = (iso: string) => new Date(iso).toLocaleString('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
    const iso = '2026-11-29T04:20:39.074Z';
    const said = readableTimes(`ben, assigned longest ago (last assigned ${iso})`, 'en-US');
    expect(said).to.equal(`ben, assigned longest ago (last assigned ${local(iso)})`);
    expect(said).to.match(/\(last assigned Nov (28|29), 2026, \d{1,2}:\d{2}\s[AP]M \S+\)$/);
    expect(readableTimes('step 1 timed out at 2026-11-29T04:20:39Z; step 2 waits', 'en-US')).to.equal(`step 1 timed out at ${local('2026-11-29T04:20:39Z')}; step 2 waits`);
    expect(readableTimes('order 2026-11-29 and 12:00 are not instants')).to.equal('order 2026-11-29 and 12:00 are not instants');
    expect(readableTimes('2026-13-45T99:99:99Z is no date')).to.equal('2026-13-45T99:99:99Z is no date');
  });
});
