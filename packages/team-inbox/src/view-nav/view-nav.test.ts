import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { fixtureInbox, until } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, mountPart } from '../testing/mount.js';
import type { InboxViewSelectDetail } from '../events.js';

describe('inbox-view-nav', () => {
  it('lists the seven views with live counts and marks the current one', async () => {
    const inbox = await fixtureInbox({ view: 'all' });
    const { el, root, remove } = await mountPart('inbox-view-nav', inbox);
    await until(() => allByRole(root, 'button').length === 7);
    const label = (b: HTMLElement) => accessibleName(b);
    await until(() => allByRole(root, 'button').every((b) => /\d$/.test(label(b))), 2000, 'counts');
    expect(allByRole(root, 'button').map(label)).to.deep.equal(['Mine 1', 'Unassigned 0', 'Mentioned 1', 'Unread 1', 'All 2', 'Resolved 1', 'Snoozed 0']);
    const badge = (name: string) => byRole(root, 'button', new RegExp(`^${name}`)).querySelector('baton-badge')!.count;
    expect([badge('Mine'), badge('Unassigned'), badge('Mentioned'), badge('Unread'), badge('All'), badge('Resolved')]).to.deep.equal([1, 0, 1, 1, 2, 1]);
    expect(byRole(root, 'button', /^All/).getAttribute('aria-current')).to.equal('page');
    await expectNoAxeViolations(root.host);

    const picked: string[] = [];
    el.addEventListener('inbox-view-select', (e) => picked.push((e as CustomEvent<InboxViewSelectDetail>).detail.view));
    byRole(root, 'button', /^Mentioned/).click();
    expect(picked).to.deep.equal(['mentioned']);

    inbox.realtime.emit('counts:updated', { seq: 2000, counts: { mine: 4, unassigned: 0, mentioned: 1, unread: 1, all: 2, resolved: 1, snoozed: 0 } });
    await until(() => badge('Mine') === 4, 2000, 'live count');
    remove();
  });
});
