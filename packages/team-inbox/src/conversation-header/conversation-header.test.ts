import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { ana, ben, fixtureInbox, tom, until } from '../testing/fixtures.js';
import { byRole, mountPart, settled } from '../testing/mount.js';
import type { InboxResolveDetail } from '../events.js';

describe('inbox-conversation-header', () => {
  it('shows the contact and channel, and Mark as Resolved then Reopen', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-conversation-header', inbox);
    await inbox.store.open('conv_priya');
    await until(() => /Priya Patel/.test(root.textContent ?? ''), 2000, 'contact');
    expect(byRole(root, 'heading').textContent).to.equal('Priya Patel');
    expect(root.textContent).to.contain('Email').and.contain('API returns 502 on bulk import');
    await expectNoAxeViolations(root.host);

    const resolved: string[] = [];
    el.addEventListener('inbox-resolve', (e) => resolved.push((e as CustomEvent<InboxResolveDetail>).detail.conversationId));
    byRole(root, 'button', 'Mark as Resolved').click();
    await until(() => resolved.length === 1, 2000, 'inbox-resolve');
    expect(resolved).to.deep.equal(['conv_priya']);
    expect(inbox.world.requests).to.include('POST /v1/conversations/conv_priya/resolve');
    await settled(el);
    byRole(root, 'button', 'Reopen').click();
    await until(() => inbox.world.requests.includes('POST /v1/conversations/conv_priya/reopen'), 2000, 'reopen');
    await settled(el);
    expect(byRole(root, 'button', 'Mark as Resolved')).to.exist;
    remove();
  });

  it('warns who else is viewing or typing, never about me', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-conversation-header', inbox);
    await inbox.store.open('conv_priya');
    const status = () => byRole(root, 'status').textContent!.trim();
    inbox.realtime.emit('presence:updated', { seq: 1, presence: { conversationId: 'conv_priya', viewing: [ana.id, ben.id], typing: [] } });
    await settled(el);
    expect(status()).to.equal('Ben is viewing');
    inbox.realtime.emit('presence:updated', { seq: 2, presence: { conversationId: 'conv_priya', viewing: [ana.id, ben.id, tom.id], typing: [ben.id] } });
    await settled(el);
    expect(status()).to.equal('Ben is typing a reply; Tom is viewing');
    inbox.realtime.emit('presence:updated', { seq: 3, presence: { conversationId: 'conv_priya', viewing: [ana.id], typing: [ana.id] } });
    await settled(el);
    expect(status()).to.equal('');
    remove();
  });
});
