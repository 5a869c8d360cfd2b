import { expect } from '@esm-bundle/chai';
import { Notification } from '@baton/protocol';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { ana, demoWorld, fixtureInbox, mentionOf, message, note, tom, until, type World } from '../testing/fixtures.js';
import { allByRole, byRole, deepActive } from '../testing/mount.js';
import type { InboxUnreadChangeDetail } from '../events.js';
import type { TeamInbox } from './team-inbox.js';
import '../define.js';

/** A whole inbox over the fixture (or `world`) on `view`, its list drawn with `rows` rows; and a way to pick a notification. */
async function inboxOn(view: 'all' | 'mine', rows: number, world?: World) {
  const fx = await fixtureInbox({ view, ...(world ? { world } : {}) });
  const el = document.createElement('team-inbox') as TeamInbox;
  el.setAttribute('view', view);
  Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
  el.style.height = '640px';
  document.body.append(el);
  const list = () => el.shadowRoot!.querySelector('inbox-conversation-list')!.shadowRoot!;
  await until(() => allByRole(list(), 'option').length === rows, 3000, `${rows} rows`);
  /** Opens the bell and picks the notification naming `contact`, with the keyboard's focus on it. */
  const pick = async (contact: RegExp) => {
    const bellRoot = el.shadowRoot!.querySelector('inbox-notification-bell')!.shadowRoot!;
    const bell = byRole(bellRoot, 'button', /^Notifications/);
    bell.focus();
    bell.click();
    await until(() => allByRole(bellRoot, 'button').some((b) => contact.test(b.textContent!)), 2000, 'the panel');
    const item = allByRole(bellRoot, 'button').find((b) => contact.test(b.textContent!))!;
    item.focus();
    item.click();
  };
  return { fx, el, pick };
}

describe('team-inbox notifications', () => {
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  it('fires inbox-unread-change for the host badge, and opening a conversation reads its notifications', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const changes: InboxUnreadChangeDetail[] = [];
    document.addEventListener('inbox-unread-change', (e) => changes.push(e.detail));
    const el = document.createElement('team-inbox') as TeamInbox;
    el.setAttribute('view', 'all');
    Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
    el.style.height = '640px';
    document.body.append(el);
    await until(() => changes.length === 1, 2000, 'first badge');
    expect(changes[0]).to.deep.equal({ unread: 1, mentions: 1 });

    // Once the list shows Lucía by name (her conversation and contact are known).
    const rows = () => allByRole(el.shadowRoot!.querySelector('inbox-conversation-list')!.shadowRoot!, 'option');
    await until(() => rows().some((o) => /Lucía Fernández/.test(o.textContent!)), 3000, 'rows with names');
    const fresh = Notification.parse({ id: 'ntf_9', agentId: 'agt_ana', type: 'assigned', conversationId: 'conv_lucia', actor: { type: 'agent', id: tom.id }, createdAt: new Date().toISOString(), readAt: null });
    fx.world.notifications.push(fresh);
    fx.realtime.emit('notification:created', { seq: 3000, notification: fresh });
    await until(() => changes.length === 2, 2000, 'badge after a new notification');
    expect(changes[1]).to.deep.equal({ unread: 2, mentions: 1 });
    // The bell only changes its count: the inbox says it, as the panel words it.
    const said = () => allByRole(el.shadowRoot!, 'status').map((r) => r.textContent!.trim());
    await until(() => said().includes('Tom assigned Lucía Fernández to you'), 2000, 'said politely');

    const list = el.shadowRoot!.querySelector('inbox-conversation-list')!.shadowRoot!;
    await until(() => allByRole(list, 'option').some((o) => /Priya/.test(o.textContent!)), 3000, 'rows');
    allByRole(list, 'option').find((o) => /Priya/.test(o.textContent!))!.click();
    await until(() => fx.world.requests.includes('POST /v1/notifications/read'), 2000, 'read on open');
    await until(() => changes.length === 3, 2000, 'badge after opening');
    expect(changes[2]).to.deep.equal({ unread: 1, mentions: 0 });
    expect(fx.world.notifications.find((n) => n.id === 'ntf_1')!.readAt).to.not.equal(null);
    expect(fx.world.notifications.find((n) => n.id === 'ntf_9')!.readAt).to.equal(null); // another conversation's
    await expectNoAxeViolations(el);
  });

  it('a notification chosen from the panel opens its conversation, and focus goes to its row, not to the page', async () => {
    const { el, pick } = await inboxOn('all', 2);
    await pick(/Priya Patel/);
    await until(() => el.getAttribute('conversation-id') === 'conv_priya', 2000, 'opened');
    await until(() => deepActive()?.id === 'row-conv_priya', 2000, 'focus on its row');
  });

  it("a mention opens at its note: scrolled into the timeline's view and marked, though newer messages follow it", async () => {
    const world = demoWorld();
    const asked = note('conv_priya', '@ana can you check their import settings?', tom.id, [ana.id], 90);
    world.timelines.set('conv_priya', [asked, ...Array.from({ length: 30 }, (_, i) => message('conv_priya', `Later message ${i}`, i % 2 ? 'outbound' : 'inbound', ana.id, 60 - i))]);
    const mention = mentionOf('conv_priya', { id: asked.id, excerpt: asked.body });
    world.notifications.splice(0, world.notifications.length, mention);
    const { el, pick } = await inboxOn('all', 2, world);
    // A host page with its own content above and below the inbox: showing the note must not scroll it.
    const above = document.createElement('div');
    above.style.height = '300px';
    const below = document.createElement('div');
    below.style.height = '3000px';
    el.before(above);
    document.body.append(below);
    window.scrollTo(0, 0);
    await pick(/import settings/);
    await until(() => el.getAttribute('conversation-id') === 'conv_priya', 2000, 'opened');
    const timeline = () => el.shadowRoot!.querySelector('inbox-timeline')!.shadowRoot!;
    const noteEl = () => [...timeline().querySelectorAll('[part="note"]')].find((li) => /import settings/.test(li.textContent!)) as HTMLElement | undefined;
    await until(() => noteEl()?.classList.contains('sought') === true, 2000, 'the note marked');
    // Ringed, as focus is, for a moment.
    expect(getComputedStyle(noteEl()!).boxShadow !== 'none').to.equal(true);
    const log = byRole(timeline(), 'log', 'Timeline');
    const box = log.getBoundingClientRect();
    const at = noteEl()!.getBoundingClientRect();
    expect(at.top >= box.top && at.bottom <= box.bottom).to.equal(true);
    expect(log.scrollHeight - log.scrollTop - log.clientHeight > 100).to.equal(true);
    expect(window.scrollY).to.equal(0);
    above.remove();
    below.remove();
  });

  it('a notification for a conversation outside the view: focus on its name, never on another contact’s row', async () => {
    const { fx, el, pick } = await inboxOn('mine', 1);
    // A new one about a conversation not loaded here is said with its contact, read for the purpose.
    const fresh = Notification.parse({ id: 'ntf_10', agentId: 'agt_ana', type: 'assigned', conversationId: 'conv_lucia', actor: { type: 'agent', id: tom.id }, createdAt: new Date().toISOString(), readAt: null });
    fx.world.notifications.push(fresh);
    fx.realtime.emit('notification:created', { seq: 3001, notification: fresh });
    await until(() => allByRole(el.shadowRoot!, 'status').some((r) => r.textContent!.trim() === 'Tom assigned Lucía Fernández to you'), 2000, 'said with the contact');
    // Tom assigned Lucía's conversation, which is not in Mine here.
    await pick(/Lucía Fernández/);
    await until(() => el.getAttribute('conversation-id') === 'conv_lucia', 2000, 'opened');
    const header = el.shadowRoot!.querySelector('inbox-conversation-header')!.shadowRoot!;
    await until(() => deepActive() === header.querySelector('h2'), 2000, 'focus on Lucía’s name');
    expect(header.querySelector('h2')!.textContent).to.contain('Lucía Fernández');
  });
});
