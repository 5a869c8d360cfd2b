import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { Notification } from '@baton/protocol';
import { demoWorld, fixtureInbox, mentionOf, tom, until } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, mountPart, settled } from '../testing/mount.js';
import type { InboxConversationSelectDetail } from '../events.js';
import type { InboxNotificationBell } from './notification-bell.js';
import { earlierText } from './notification-panel.js';
import { notificationText } from './notification-text.js';

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
    const items = allByRole(root, 'button').filter((b) => b !== bell && !/Mark all|Notification settings/.test(b.textContent!));
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

  it("shows a mention's own note, not the conversation's latest message", async () => {
    const inbox = await fixtureInbox();
    const mention = mentionOf('conv_lucia', { id: 'note_1', excerpt: '@ana she asked for Saturday, can you call her back?' });
    inbox.realtime.emit('notification:created', { seq: 3003, notification: mention });
    const { el, root, remove } = await mountPart('inbox-notification-bell', inbox);
    await settled(el);
    byRole(root, 'button', /^Notifications/).click();
    await settled(el);
    const lucia = () => allByRole(root, 'button').find((b) => /Lucía/.test(b.textContent!));
    await until(() => !!lucia(), 2000, 'the mention');
    const name = accessibleName(lucia()!);
    expect(name).to.match(/^Unread:Tom mentioned you on Lucía Fernández \(\+1 earlier: 1 assignment\) Note: @ana she asked for Saturday, can you call her back\?/);
    expect(name.includes('Hola')).to.equal(false);
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('names the rule that assigned a conversation', () => {
    const byRule = (rule?: { workflowId: string; name: string; version: number }) =>
      Notification.parse({ id: 'ntf_r', agentId: 'agt_ana', type: 'assigned', conversationId: 'conv_lucia', actor: { type: 'workflow', id: 'wf_1' }, createdAt: new Date().toISOString(), readAt: null, ...(rule ? { rule } : {}) });
    expect(notificationText(byRule({ workflowId: 'wf_1', name: 'Spanish → bilingual', version: 2 }), [], 'Lucía Fernández')).to.equal('Rule Spanish → bilingual assigned Lucía Fernández to you');
    expect(notificationText(byRule(), [], 'Lucía Fernández')).to.equal('A rule assigned Lucía Fernández to you');
  });

  it('says what a group holds besides its newest notification, by kind', () => {
    const n = (type: Notification['type']) =>
      Notification.parse({ id: `ntf_${type}`, agentId: 'agt_ana', type, conversationId: 'conv_lucia', actor: { type: 'agent', id: tom.id }, createdAt: new Date().toISOString(), readAt: null });
    expect(earlierText([n('reopened')])).to.equal('');
    expect(earlierText([n('reopened'), n('mentioned')])).to.equal(' (+1 earlier: 1 mention)');
    expect(earlierText([n('assigned'), n('mentioned'), n('assigned'), n('mentioned'), n('queued_timeout')])).to.equal(' (+4 earlier: 2 mentions, 1 assignment, 1 queue alert)');
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
    await until(() => lucia().length === 1 && /Lucía Fernández wrote again: reopened \(\+2 earlier: 2 assignments\)/.test(accessibleName(lucia()[0]!)), 2000, 'one group');
    await expectNoAxeViolations(root.host);
    lucia()[0]!.click();
    await until(() => inbox.store.getSnapshot().notifications.filter((x) => x.conversationId === 'conv_lucia').every((x) => x.readAt !== null), 2000, 'all read');
    remove();
  });

  it('wraps a contact name of one long word inside the panel, clear of the time', async () => {
    const world = demoWorld();
    world.contacts = world.contacts.map((c) => (c.id === 'ct_lucia' ? { ...c, name: `Maximiliana${'Wolfeschlegelstein'.repeat(6)}` } : c));
    const inbox = await fixtureInbox({ world });
    inbox.realtime.emit('notification:created', {
      seq: 3001,
      notification: Notification.parse({ id: 'ntf_long', agentId: 'agt_ana', type: 'assigned', conversationId: 'conv_lucia', actor: { type: 'agent', id: tom.id }, createdAt: new Date().toISOString(), readAt: null }),
    });
    const { el, root, remove } = await mountPart('inbox-notification-bell', inbox);
    await settled(el);
    byRole(root, 'button', /^Notifications/).click();
    const row = () => allByRole(root, 'button').find((b) => /Maximiliana/.test(b.textContent!));
    await until(() => !!row(), 2000, 'the long name');
    // The text's box stops at its grid column; a word that does not wrap overflows it, over the time.
    const text = row()!.querySelector('.text')!;
    expect(text.scrollWidth).to.be.at.most(text.clientWidth);
    const time = row()!.querySelector('time')!.getBoundingClientRect();
    expect(time.right).to.be.at.most(root.querySelector('[part="panel"]')!.getBoundingClientRect().right);
    remove();
  });

  it('reads the conversation of a notification outside the list once, for its contact and snippet', async () => {
    // Mine holds Priya's conversation only; Tom's assignment is about Lucía's.
    const inbox = await fixtureInbox({ view: 'mine' });
    expect(inbox.store.getSnapshot().conversations.map((c) => c.id)).to.deep.equal(['conv_priya']);
    const { el, root, remove } = await mountPart('inbox-notification-bell', inbox);
    await settled(el);
    const reads = () => inbox.world.requests.filter((r) => r === 'GET /v1/conversations/conv_lucia');
    expect(reads()).to.have.length(0); // nothing is read before the panel opens
    const bell = byRole(root, 'button', /^Notifications/);
    bell.click();
    const tomsRow = () => allByRole(root, 'button').find((b) => /^Tom assigned/.test(accessibleName(b).replace(/^Unread:/, '')))!;
    await until(() => /Tom assigned Lucía Fernández to you Hola, ¿tienen disponibilidad para el sábado\?/.test(accessibleName(tomsRow())), 2000, 'named, with the snippet');
    expect(reads()).to.have.length(1);
    expect(inbox.world.requests).to.not.include('GET /v1/conversations/conv_priya'); // in the list already
    await expectNoAxeViolations(root.host);

    // Closed and opened again: nothing read again. A new notification on it: read once more.
    bell.click();
    bell.click();
    await settled(el);
    expect(reads()).to.have.length(1);
    const fresh = Notification.parse({ id: 'ntf_new', agentId: 'agt_ana', type: 'reopened', conversationId: 'conv_lucia', actor: { type: 'agent', id: tom.id }, createdAt: new Date().toISOString(), readAt: null });
    inbox.realtime.emit('notification:created', { seq: 3003, notification: fresh });
    await until(() => reads().length === 2, 2000, 'read for the new notification');
    remove();
  });

  describe('desktop notifications', () => {
    // The browser's vendor push service is out of reach here: PushManager hands out a stand-in
    // subscription, and the permission prompt answers as told. The service worker is the real
    // push-worker.js, registered for real.
    const endpoint = 'https://push.example.test/send/abc';
    let permission: NotificationPermission = 'default';
    let answer: NotificationPermission = 'granted';
    // The page's Notification (this file's `Notification` is the protocol schema).
    const Browser = window.Notification;
    const saved = {
      subscribe: PushManager.prototype.subscribe,
      getSubscription: PushManager.prototype.getSubscription,
      requestPermission: Browser.requestPermission,
      permission: Object.getOwnPropertyDescriptor(Browser, 'permission'),
    };
    beforeEach(() => {
      permission = 'default';
      answer = 'granted';
      let current: PushSubscription | null = null;
      PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
        current = {
          endpoint,
          expirationTime: null,
          options: { applicationServerKey: options?.applicationServerKey ?? null, userVisibleOnly: true },
          toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } }),
          unsubscribe: async () => ((current = null), true),
        } as unknown as PushSubscription;
        return current;
      };
      PushManager.prototype.getSubscription = async () => current;
      Browser.requestPermission = async () => (permission = answer);
      Object.defineProperty(Browser, 'permission', { configurable: true, get: () => permission });
    });
    afterEach(async () => {
      PushManager.prototype.subscribe = saved.subscribe;
      PushManager.prototype.getSubscription = saved.getSubscription;
      Browser.requestPermission = saved.requestPermission;
      Object.defineProperty(Browser, 'permission', saved.permission!);
      for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
    });

    async function openBell(pushWorker: string) {
      const inbox = await fixtureInbox();
      const mounted = await mountPart('inbox-notification-bell', inbox);
      (mounted.el as InboxNotificationBell).pushWorker = pushWorker;
      await settled(mounted.el);
      byRole(mounted.root, 'button', /^Notifications/).click();
      await settled(mounted.el);
      return { inbox, ...mounted };
    }

    it('"Enable desktop notifications" asks, subscribes with the server key through the service worker, and registers it; "Turn off" removes it', async () => {
      const { inbox, root, remove } = await openBell('/push-worker.js');
      await until(() => allByRole(root, 'button', 'Enable desktop notifications').length === 1, 3000, 'the switch');
      await expectNoAxeViolations(root.host);
      byRole(root, 'button', 'Enable desktop notifications').click();
      await until(() => /Desktop notifications are on/.test(root.textContent ?? ''), 5000, 'on');
      expect(inbox.world.requests).to.include.members(['GET /v1/push/public-key', 'POST /v1/push-subscriptions']);
      expect(inbox.world.pushEndpoints).to.deep.equal([endpoint]);
      expect((await navigator.serviceWorker.getRegistration('/push-worker.js'))?.active?.scriptURL).to.match(/\/push-worker\.js$/);
      await expectNoAxeViolations(root.host);
      byRole(root, 'button', 'Turn off').click();
      await until(() => allByRole(root, 'button', 'Enable desktop notifications').length === 1, 3000, 'off again');
      expect(inbox.world.requests).to.include('DELETE /v1/push-subscriptions');
      expect(inbox.world.pushEndpoints).to.deep.equal([]);
      remove();
    });

    it('gives the desktop switch a hit area of at least 24 × 24 px at phone width', async () => {
      const { root, remove } = await openBell('/push-worker.js');
      (root.host.parentElement as HTMLElement).style.width = '390px';
      await until(() => allByRole(root, 'button', 'Enable desktop notifications').length === 1, 3000, 'the switch');
      const box = byRole(root, 'button', 'Enable desktop notifications').getBoundingClientRect();
      expect(box.width >= 24 && box.height >= 24, `${box.width} × ${box.height}`).to.equal(true);
      remove();
    });

    it('says when the browser blocks them, and offers nothing without a service worker', async () => {
      answer = 'denied';
      const blocked = await openBell('/push-worker.js');
      await until(() => allByRole(blocked.root, 'button', 'Enable desktop notifications').length === 1, 3000, 'the switch');
      byRole(blocked.root, 'button', 'Enable desktop notifications').click();
      await until(() => /blocked in this browser's site settings/.test(blocked.root.textContent ?? ''), 3000, 'blocked');
      expect(blocked.inbox.world.pushEndpoints).to.deep.equal([]);
      await expectNoAxeViolations(blocked.root.host);
      blocked.remove();

      const none = await openBell('');
      await settled(none.el);
      expect(/desktop notifications/i.test(none.root.textContent ?? '')).to.equal(false);
      none.remove();
    });
  });
});
