import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { demoWorld, fixtureInbox, until } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, composedText, mountPart, press, settled } from '../testing/mount.js';
import { snoozePresets } from './presets.js';
import { wakeTime } from '../format/snooze-time.js';
import type { InboxSnoozeDetail } from '../events.js';

describe('snooze presets (local time)', () => {
  const at = (d: Date) => `${d.toDateString()} ${d.getHours()}:${String(d.getMinutes()).padStart(2, '0')}`;
  it('Later today is three hours on at the top of the hour; Tomorrow and Next week are 9:00', () => {
    // Wednesday 2 December 2026, 10:20 local.
    const p = snoozePresets(new Date(2026, 11, 2, 10, 20));
    expect(p.map((x) => `${x.name}: ${at(x.at)}`)).to.deep.equal([
      'Later today: Wed Dec 02 2026 14:00',
      'Tomorrow: Thu Dec 03 2026 9:00',
      'Next week: Mon Dec 07 2026 9:00',
    ]);
  });
  it('has no Later today late in the evening, and Next week from a Monday is the Monday after', () => {
    const p = snoozePresets(new Date(2026, 11, 7, 22, 0));
    expect(p.map((x) => `${x.name}: ${at(x.at)}`)).to.deep.equal(['Tomorrow: Tue Dec 08 2026 9:00', 'Next week: Mon Dec 14 2026 9:00']);
  });
  it('says when in words', () => {
    const now = new Date(2026, 11, 2, 10, 20).getTime();
    expect(wakeTime(new Date(2026, 11, 2, 14, 0).toISOString(), now)).to.equal('today 2:00 PM');
    expect(wakeTime(new Date(2026, 11, 3, 9, 0).toISOString(), now)).to.equal('tomorrow 9:00 AM');
    expect(wakeTime(new Date(2026, 11, 7, 9, 0).toISOString(), now)).to.equal('Mon, Dec 7, 9:00 AM');
  });
});

describe('Snooze in the conversation header', () => {
  async function open(id: string) {
    const inbox = await fixtureInbox();
    const mounted = await mountPart('inbox-conversation-header', inbox);
    await inbox.store.open(id);
    await until(() => allByRole(mounted.root, 'button', 'Snooze').length === 1, 2000, 'Snooze');
    return { inbox, ...mounted };
  }
  const menu = (root: ShadowRoot) => root.querySelector('inbox-snooze-menu')?.shadowRoot ?? null;

  it('offers presets with their times, snoozes with one, fires inbox-snooze and shows Snoozed until', async () => {
    const { inbox, el, root, remove } = await open('conv_priya');
    const snooze = byRole(root, 'button', 'Snooze');
    expect(snooze.getAttribute('aria-keyshortcuts')).to.equal('s');
    expect(snooze.getAttribute('aria-expanded')).to.equal('false');
    snooze.click();
    await until(() => !!menu(root)?.querySelector('.preset'), 3000, 'snooze choices');
    await settled(el);
    expect(snooze.getAttribute('aria-expanded')).to.equal('true');
    const presets = allByRole(menu(root)!, 'button').map(accessibleName).filter((n) => /^(Later today|Tomorrow|Next week)/.test(n));
    expect(presets.some((n) => /^Tomorrow tomorrow 9:00 AM$/.test(n))).to.equal(true);
    expect(menu(root)!.activeElement).to.equal(allByRole(menu(root)!, 'button')[0]);
    await expectNoAxeViolations(root.host);

    const snoozes: InboxSnoozeDetail[] = [];
    el.addEventListener('inbox-snooze', (e) => snoozes.push((e as CustomEvent<InboxSnoozeDetail>).detail));
    byRole(menu(root)!, 'button', /^Tomorrow/).click();
    await until(() => snoozes.length === 1, 2000, 'inbox-snooze');
    const tomorrow9 = new Date();
    tomorrow9.setDate(tomorrow9.getDate() + 1);
    tomorrow9.setHours(9, 0, 0, 0);
    expect(snoozes[0]).to.deep.equal({ conversationId: 'conv_priya', until: tomorrow9.toISOString() });
    expect(inbox.world.requests).to.include('POST /v1/conversations/conv_priya/snooze');
    await settled(el);
    expect(composedText(root).replace(/\s+/g, ' ')).to.contain('Snoozed until tomorrow 9:00 AM');
    expect(root.querySelector('inbox-snooze-menu')).to.equal(null);
    await expectNoAxeViolations(root.host);

    byRole(root, 'button', 'Unsnooze').click();
    await until(() => snoozes.length === 2, 2000, 'unsnooze');
    expect(snoozes[1]).to.deep.equal({ conversationId: 'conv_priya', until: null });
    await settled(el);
    expect(composedText(root)).not.to.contain('Snoozed until');
    expect(byRole(root, 'button', 'Snooze')).to.exist;
    remove();
  });

  it('snoozes until a date and time of the agent’s own; Escape closes the choices and focus goes back', async () => {
    const { inbox, el, root, remove } = await open('conv_lucia');
    byRole(root, 'button', 'Snooze').click();
    await until(() => !!menu(root)?.querySelector('input'), 3000, 'snooze choices');
    // Up and Down move between the presets, round from the last to the first.
    const presets = [...menu(root)!.querySelectorAll<HTMLElement>('.preset')];
    await until(() => menu(root)!.activeElement === presets[0], 2000, 'the first preset focused');
    press(presets[0]!, 'ArrowDown');
    expect(menu(root)!.activeElement).to.equal(presets[1]);
    press(presets[1]!, 'ArrowUp');
    press(presets[0]!, 'ArrowUp');
    expect(menu(root)!.activeElement).to.equal(presets.at(-1));
    press(menu(root)!.activeElement!, 'Escape');
    await settled(el);
    expect(root.querySelector('inbox-snooze-menu')).to.equal(null);
    expect(root.activeElement).to.equal(byRole(root, 'button', 'Snooze'));

    byRole(root, 'button', 'Snooze').click();
    await until(() => !!menu(root)?.querySelector('input'), 3000, 'snooze choices again');
    const input = menu(root)!.querySelector<HTMLInputElement>('#snooze-custom')!;
    expect(accessibleName(input)).to.equal('Pick a date and time');
    const when = new Date(Date.now() + 3 * 86_400_000);
    when.setHours(15, 30, 0, 0);
    const pad = (n: number) => String(n).padStart(2, '0');
    input.value = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T15:30`;
    byRole(menu(root)!, 'button', 'Snooze until then').click();
    await until(() => inbox.world.conversations.find((c) => c.id === 'conv_lucia')!.snoozedUntil !== null, 2000, 'snoozed');
    expect(inbox.world.conversations.find((c) => c.id === 'conv_lucia')!.snoozedUntil).to.equal(when.toISOString());
    await settled(el);
    expect(composedText(root)).to.match(/Snoozed until \w{3}, \w{3} \d+, 3:30 PM/);
    remove();
  });

  it('refuses a time in the past without asking the server', async () => {
    const world = demoWorld();
    const inbox = await fixtureInbox({ world });
    const { el, root, remove } = await mountPart('inbox-conversation-header', inbox);
    await inbox.store.open('conv_priya');
    await until(() => allByRole(root, 'button', 'Snooze').length === 1);
    byRole(root, 'button', 'Snooze').click();
    await until(() => !!menu(root)?.querySelector('input'), 3000, 'snooze choices');
    menu(root)!.querySelector<HTMLInputElement>('#snooze-custom')!.value = '2020-01-01T09:00';
    byRole(menu(root)!, 'button', 'Snooze until then').click();
    await settled(el);
    await settled(root.querySelector('inbox-snooze-menu')!);
    expect(byRole(menu(root)!, 'alert').textContent).to.equal('Pick a time in the future.');
    expect(inbox.world.requests.some((r) => r.endsWith('/snooze'))).to.equal(false);
    remove();
  });
});
