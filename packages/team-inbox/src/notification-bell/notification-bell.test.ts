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
    // Actor, contact and the conversation's latest message (never a note's text).
    await until(() => /Priya Patel/.test(items[0]!.textContent!), 2000, 'contact name');
    expect(items.map((b) => accessibleName(b).replace(/ \S+$/, ''))).to.deep.equal([
      'Unread:Ben mentioned you on Priya Patel Our bulk import has failed three times.',
      'Tom assigned Lucía Fernández to you Hola, ¿tienen disponibilidad para el sábado?',
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

  it('groups notifications per conversation; picking the group marks them all read', async () => {
    const inbox = await fixtureInbox();
    const at = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const n = (id: string, type: 'assigned' | 'reopened', minutes: number) =>
      Notification.parse({ id, agentId: 'agt_ana', type, conversationId: 'conv_lucia', actor: { type: 'agent', id: tom.id }, createdAt: at(minutes), readAt: null });
    inbox.realtime.emit('notification:created', { seq: 3001, notification: n('ntf_a', 'assigned', 5) });
    inbox.realtime.emit('notification:created', { seq: 3002, notification: n('ntf_b', 'reopened', 1) });
    const { el, root, remove } = await mountPart('inbox-notification-bell', inbox);
    await settled(el);
    byRole(root, 'button', /^Notifications/).click();
    await settled(el);
    const lucia = () => allByRole(root, 'button').filter((b) => /Lucía|conversation/.test(b.textContent!) && !/Priya/.test(b.textContent!));
    await until(() => lucia().length === 1 && /Lucía Fernández wrote again: reopened \(\+2 more\)/.test(accessibleName(lucia()[0]!)), 2000, 'one group');
    await expectNoAxeViolations(root.host);
    lucia()[0]!.click();
    await until(() => inbox.store.getSnapshot().notifications.filter((x) => x.conversationId === 'conv_lucia').every((x) => x.readAt !== null), 2000, 'all read');
    remove();
  });
});
