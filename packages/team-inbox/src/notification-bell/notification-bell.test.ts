import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { Notification } from '@baton/protocol';
import { fixtureInbox, tom, until } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, mountPart, settled } from '../testing/mount.js';
import type { InboxConversationSelectDetail } from '../events.js';

describe('inbox-notification-bell', () => {
  it('shows the unread count, lists notifications, and opening one marks it read', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-notification-bell', inbox);
    await settled(el);
    const bell = byRole(root, 'button', /^Notifications/);
    expect(accessibleName(bell)).to.match(/^Notifications\s*1\s*unread$/);
    expect(bell.getAttribute('aria-expanded')).to.equal('false');
    bell.click();
    await settled(el);
    expect(bell.getAttribute('aria-expanded')).to.equal('true');
    const items = allByRole(root, 'button').filter((b) => b !== bell && !/Mark all/.test(b.textContent!));
    expect(items.map((b) => b.querySelector('.text')!.textContent!.trim())).to.deep.equal([
      'Unread:Ben mentioned you in a note',
      'Tom assigned a conversation to you',
    ]);
    await expectNoAxeViolations(root.host);

    const selected: string[] = [];
    el.addEventListener('inbox-conversation-select', (e) => selected.push((e as CustomEvent<InboxConversationSelectDetail>).detail.conversationId));
    items[0]!.click();
    expect(selected).to.deep.equal(['conv_priya']);
    await until(() => inbox.world.requests.includes('POST /v1/notifications/read'), 2000, 'marked read');
    await until(() => !/unread/.test(accessibleName(bell)), 2000, 'count cleared');
    expect(bell.getAttribute('aria-expanded')).to.equal('false');

    const fresh = Notification.parse({ id: 'ntf_3', agentId: 'agt_ana', type: 'assigned', conversationId: 'conv_lucia', actor: { type: 'agent', id: tom.id }, createdAt: new Date().toISOString(), readAt: null });
    inbox.realtime.emit('notification:created', { seq: 3000, notification: fresh });
    await until(() => /1\s*unread/.test(accessibleName(bell)), 2000, 'live notification');
    remove();
  });
});
