import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { NotificationPreferences } from '@baton/protocol';
import { until } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, deepActive, press, settled } from '../testing/mount.js';
import { demoServer, mountInbox, part, type DemoServer } from '../testing/real-server.js';

// The bell's "Notification settings" view, against the runner's real demo server: what it shows is
// what the server holds, and a click is saved there. Maria's preferences, put back afterwards (the
// server is shared by every test of the run).

const TYPES = [
  ['assigned', 'when assigned to me'],
  ['mentioned', 'when mentioned'],
  ['reopened', 'when reopened'],
] as const;
const CHANNELS = [
  ['inapp', 'In Baton'],
  ['email', 'Email'],
  ['push', 'Desktop'],
] as const;

describe('notification settings in the bell panel (real server)', () => {
  let server: DemoServer;
  let before: NotificationPreferences;

  async function preferences(method = 'GET', body?: unknown): Promise<NotificationPreferences> {
    const res = await fetch(`${server.url}/v1/agents/me/preferences`, {
      method,
      headers: { authorization: `Bearer ${server.tokens.maria}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, `${method} preferences`).to.equal(200);
    return ((await res.json()) as { preferences: NotificationPreferences }).preferences;
  }

  /** Waits for the server to hold what `check` wants (saves are asynchronous). */
  async function serverHolds(check: (p: NotificationPreferences) => boolean, what: string): Promise<void> {
    const deadline = performance.now() + 3000;
    while (!check(await preferences())) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeEach(async () => {
    server = await demoServer();
    before = await preferences();
  });

  afterEach(async () => {
    await preferences('PUT', before);
  });

  async function openSettings() {
    const inbox = await mountInbox(server, server.tokens.maria);
    const bellEl = () => inbox.shadowRoot!.querySelector('inbox-notification-bell')!;
    await until(() => !!part(inbox, 'inbox-notification-bell'), 5000, 'the bell');
    const root = part(inbox, 'inbox-notification-bell');
    byRole(root, 'button', /^Notifications/).click();
    await until(() => allByRole(root, 'button', 'Notification settings').length === 1, 3000, 'the settings button');
    byRole(root, 'button', 'Notification settings').click();
    await until(() => allByRole(root, 'checkbox').length === 9, 3000, 'the settings table');
    await settled(bellEl());
    return { inbox, root, bellEl };
  }

  const box = (root: ShadowRoot, channel: string, when: string) => byRole(root, 'checkbox', `${channel} ${when}`) as HTMLInputElement;

  it("shows the server's matrix, saves a click at once, and Back returns to the list", async () => {
    const { inbox, root, bellEl } = await openSettings();
    expect(byRole(root, 'heading', 'Notification settings').isConnected).to.equal(true);
    // Every box has its own name, and shows what the server holds.
    for (const [type, when] of TYPES) {
      for (const [channel, words] of CHANNELS) expect(box(root, words, when).checked, `${words} ${when}`).to.equal(before[type][channel]);
    }
    // The demo's defaults: email for what is about you, not for reopens.
    expect(box(root, 'Email', 'when assigned to me').checked).to.equal(true);
    expect(box(root, 'Email', 'when reopened').checked).to.equal(false);
    expect(box(root, 'In Baton', 'when reopened').checked).to.equal(true);
    // Opening moved focus to the first box.
    await until(() => deepActive() === box(root, 'In Baton', 'when assigned to me'), 2000, 'focus on the first box');
    expect(root.textContent).to.contain('only for what you have not seen here within 2 minutes');
    // Targets are at least 24 px.
    const rect = box(root, 'Email', 'when mentioned').getBoundingClientRect();
    expect(rect.width >= 24 && rect.height >= 24).to.equal(true);
    await expectNoAxeViolations(inbox);

    // Two clicks in a row (the second while the first is saving): both saved.
    box(root, 'Email', 'when mentioned').click();
    box(root, 'Desktop', 'when reopened').click();
    await settled(bellEl());
    expect(box(root, 'Email', 'when mentioned').checked).to.equal(!before.mentioned.email);
    await serverHolds((p) => p.mentioned.email === !before.mentioned.email && p.reopened.push === !before.reopened.push, 'both changes saved');
    const now = await preferences();
    expect(now.mentioned.inapp).to.equal(before.mentioned.inapp);
    expect(now.assigned).to.deep.equal(before.assigned);
    expect(box(root, 'Email', 'when mentioned').checked).to.equal(now.mentioned.email);
    expect(box(root, 'Desktop', 'when reopened').checked).to.equal(now.reopened.push);
    expect(allByRole(root, 'alert').every((a) => a.textContent!.trim() === '')).to.equal(true);

    // Back: the notifications again, focus on the button that opened the settings.
    byRole(root, 'button', 'Back to notifications').click();
    await until(() => allByRole(root, 'heading', 'Notifications').length === 1, 2000, 'the list again');
    await until(() => deepActive() === byRole(root, 'button', 'Notification settings'), 2000, 'focus on "Notification settings"');
    expect(allByRole(root, 'checkbox').length).to.equal(0);
    inbox.remove();
  });

  it('puts a box back and says why when its save fails; Escape closes the whole panel', async () => {
    const { inbox, root, bellEl } = await openSettings();
    const realFetch = window.fetch;
    window.fetch = (input, init) =>
      init?.method === 'PUT' && String(input).endsWith('/v1/agents/me/preferences')
        ? Promise.resolve(new Response(JSON.stringify({ error: { code: 'forbidden', message: 'Forbidden' } }), { status: 403, headers: { 'content-type': 'application/json' } }))
        : realFetch(input, init);
    try {
      const target = box(root, 'In Baton', 'when mentioned');
      target.click();
      await until(() => allByRole(root, 'alert').some((a) => /Could not save/.test(a.textContent!)), 3000, 'the alert');
      await settled(bellEl());
      expect(allByRole(root, 'alert').find((a) => /Could not save/.test(a.textContent!))!.textContent).to.contain("You're signed out of Baton");
      expect(box(root, 'In Baton', 'when mentioned').checked).to.equal(before.mentioned.inapp);
    } finally {
      window.fetch = realFetch;
    }
    expect((await preferences()).mentioned.inapp).to.equal(before.mentioned.inapp);

    // Escape closes the panel (not just the settings); it opens on the notifications next time.
    const bell = byRole(root, 'button', /^Notifications/);
    press(box(root, 'Email', 'when mentioned'), 'Escape');
    await settled(bellEl());
    expect(bell.getAttribute('aria-expanded')).to.equal('false');
    expect(deepActive() === bell).to.equal(true);
    bell.click();
    await settled(bellEl());
    expect(allByRole(root, 'heading', 'Notifications').length).to.equal(1);
    expect(allByRole(root, 'checkbox').length).to.equal(0);
    expect(accessibleName(byRole(root, 'button', 'Notification settings'))).to.equal('Notification settings');
    inbox.remove();
  });
});
