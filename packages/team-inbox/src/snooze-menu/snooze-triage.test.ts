import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { fixtureInbox, until } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, composedText, deepActive, mountTeamInbox, part } from '../testing/mount.js';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import '../define.js';

const list = (inbox: TeamInbox) => part(inbox, 'inbox-conversation-list');

describe('team-inbox: snooze from the keyboard', () => {
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  it('s opens Snooze, a preset snoozes, the next row opens, and the Snoozed view lists it', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mountTeamInbox(fx);
    await until(() => allByRole(list(el), 'option').length === 2, 3000, 'rows');

    // The shortcuts dialog lists s with the control's words (its content loads when it first opens).
    const dialog = el.shadowRoot!.querySelector('dialog')!;
    await el.openShortcuts();
    expect([...dialog.querySelectorAll('dt')].map((dt) => `${dt.textContent} ${dt.nextElementSibling!.textContent}`)).to.include('s Snooze / Unsnooze');
    dialog.close();

    allByRole(list(el), 'option')[0]!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => fx.store.getSnapshot().open?.id === 'conv_lucia', 2000, 'opened');
    const header = () => part(el, 'inbox-conversation-header');
    await until(() => allByRole(header(), 'button', 'Snooze').length === 1, 2000, 'Snooze shown');
    await sendKeys({ press: 's' });
    const menu = () => header().querySelector('inbox-snooze-menu')?.shadowRoot ?? null;
    await until(() => !!menu()?.activeElement, 3000, 'snooze choices focused');
    expect(accessibleName(menu()!.activeElement!)).to.match(/^(Later today|Tomorrow)/);
    await expectNoAxeViolations(el);
    // Tab to "Tomorrow" if "Later today" is first, then press it.
    if (/^Later today/.test(accessibleName(menu()!.activeElement!))) await sendKeys({ press: 'Tab' });
    expect(accessibleName(menu()!.activeElement!)).to.match(/^Tomorrow/);
    await sendKeys({ press: 'Enter' });

    await until(() => fx.world.conversations.find((c) => c.id === 'conv_lucia')!.snoozedUntil !== null, 2000, 'snoozed');
    // It left All; the triage loop opened the next one.
    await until(() => fx.store.getSnapshot().open?.id === 'conv_priya', 2000, 'next conversation opened');
    expect(allByRole(list(el), 'option').map((o) => composedText(o))).to.satisfy((rows: string[]) => rows.every((r) => !/Lucía/.test(r)));

    byRole(part(el, 'inbox-view-nav'), 'button', /^Snoozed/).click();
    await until(() => allByRole(list(el), 'option').length === 1 && /Lucía/.test(composedText(allByRole(list(el), 'option')[0]!)), 3000, 'Snoozed view');
    expect(el.getAttribute('view')).to.equal('snoozed');
    expect(deepActive()).to.not.equal(null);

    // In Snoozed, s on the open snoozed conversation is Unsnooze: it wakes and leaves the view.
    allByRole(list(el), 'option')[0]!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => allByRole(header(), 'button', 'Unsnooze').length === 1, 2000, 'Unsnooze shown');
    expect(byRole(header(), 'button', 'Unsnooze').getAttribute('aria-keyshortcuts')).to.equal('s');
    await sendKeys({ press: 's' });
    await until(() => fx.world.conversations.find((c) => c.id === 'conv_lucia')!.snoozedUntil === null, 2000, 'woken by s');
  });
});
