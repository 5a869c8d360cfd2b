import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { ana, ben, conversation, demoWorld, fixtureInbox, tom, until } from '../testing/fixtures.js';
import { clock } from '../controllers/clock-controller.js';
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
    inbox.realtime.emit('presence:updated', { seq: 3, presence: { conversationId: 'conv_priya', viewing: [ana.id, ben.id, tom.id], typing: [ben.id, tom.id], typingNotes: [tom.id] } });
    await settled(el);
    expect(status()).to.equal('Ben is typing a reply; Tom is typing a note');
    inbox.realtime.emit('presence:updated', { seq: 3, presence: { conversationId: 'conv_priya', viewing: [ana.id], typing: [ana.id] } });
    await settled(el);
    expect(status()).to.equal('');
    remove();
  });

  it('says which team a queued conversation waits for and for how long, ticking', async () => {
    const world = demoWorld();
    const since = new Date(Date.now() - 4 * 60_000 - 5_000).toISOString();
    world.conversations.push(conversation('conv_queued', 'ct_lucia', 4, { teamId: 'team_support', waitingSince: since }));
    const inbox = await fixtureInbox({ world });
    const { el, root, remove } = await mountPart('inbox-conversation-header', inbox);
    await inbox.store.open('conv_queued');
    const meta = () => root.querySelector('.meta')!.textContent!.replace(/\s+/g, ' ');
    await until(() => /Waiting for Support · 4 min/.test(meta()), 2000, 'waiting label with the team');
    await expectNoAxeViolations(root.host);
    clock.tick(Date.now() + 2 * 60_000);
    await settled(el);
    expect(meta()).to.contain('Waiting for Support · 6 min');
    clock.tick();
    // Once someone takes it, it no longer waits.
    await inbox.store.assign('conv_queued', ana.id);
    await settled(el);
    expect(meta()).not.to.contain('Waiting');
    remove();
  });

  it('a snoozed conversation that keeps its place in the queue says snoozed, not waiting, until it wakes', async () => {
    const world = demoWorld();
    const since = new Date(Date.now() - 4 * 60_000 - 5_000).toISOString();
    const wakes = new Date(Date.now() + 60 * 60_000).toISOString();
    world.conversations.push(conversation('conv_queued', 'ct_lucia', 4, { teamId: 'team_support', waitingSince: since, snoozedUntil: wakes }));
    const inbox = await fixtureInbox({ world });
    const { el, root, remove } = await mountPart('inbox-conversation-header', inbox);
    await inbox.store.open('conv_queued');
    const meta = () => root.querySelector('.meta')!.textContent!.replace(/\s+/g, ' ');
    await until(() => /Snoozed until/.test(meta()), 2000, 'snoozed label');
    await settled(el);
    expect(meta()).not.to.contain('Waiting');
    remove();
  });
});
