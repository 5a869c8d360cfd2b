import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { fixtureInbox, until, type FixtureInbox } from '../testing/fixtures.js';
import { allByRole, byRole, deepActive, mountTeamInbox, part, settled } from '../testing/mount.js';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import type { InboxAssignDetail, InboxResolveDetail, InboxSnoozeDetail } from '../events.js';
import '../define.js';

/** The toast's shadow root, or null while none is offered. */
const toast = (inbox: TeamInbox) => inbox.shadowRoot!.querySelector('inbox-undo-toast')?.shadowRoot ?? null;
const toastText = (inbox: TeamInbox) => toast(inbox)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
/** What the inbox's own polite live regions hold now. */
const announced = (inbox: TeamInbox) => allByRole(inbox.shadowRoot!, 'status').map((s) => s.textContent!.trim());

async function mountAll(fx: FixtureInbox): Promise<TeamInbox> {
  const el = await mountTeamInbox(fx);
  await until(() => allByRole(part(el, 'inbox-conversation-list'), 'option').some((o) => /Lucía/.test(o.textContent!)), 3000, 'rows with names');
  return el;
}

/** Opens Lucía's conversation from the list, with focus in the inbox so its shortcuts work. */
async function openLucia(fx: FixtureInbox, el: TeamInbox): Promise<void> {
  const row = allByRole(part(el, 'inbox-conversation-list'), 'option').find((o) => /Lucía/.test(o.textContent!))!;
  row.focus();
  await sendKeys({ press: 'Enter' });
  await until(() => fx.store.getSnapshot().open?.conversation?.id === 'conv_lucia', 2000, 'Lucía open');
  await until(() => /Lucía/.test(part(el, 'inbox-conversation-header').textContent ?? ''), 2000, 'header');
}

describe('team-inbox: Undo after a resolve or snooze', () => {
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  it('e resolves and offers "Undo"; Undo reopens the conversation, opens it again and says so to the host', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mountAll(fx);
    await openLucia(fx, el);
    const reopened: InboxResolveDetail[] = [];
    el.addEventListener('inbox-reopen', (e) => reopened.push(e.detail));

    // The region that will say it is in the page, empty, before anything happens (one that arrives
    // with its words, as the toast does, is not read out).
    expect(announced(el)).to.include('');
    await sendKeys({ press: 'e' });
    await until(() => /Resolved Lucía Fernández/.test(toastText(el)), 2000, 'the toast');
    expect(allByRole(toast(el)!, 'status')).to.have.length(0);
    await until(() => announced(el).includes('Resolved Lucía Fernández. Undo: z'), 2000, 'said politely');
    expect(byRole(toast(el)!, 'button', 'Undo').getAttribute('aria-keyshortcuts')).to.equal('z');
    // The triage loop moved on: Priya is open, Lucía left All.
    await until(() => fx.store.getSnapshot().open?.id === 'conv_priya', 2000, 'the next conversation');
    await expectNoAxeViolations(el);

    const undo = byRole(toast(el)!, 'button', 'Undo');
    undo.focus();
    undo.click();
    await until(() => fx.world.requests.includes('POST /v1/conversations/conv_lucia/reopen'), 2000, 'reopen sent');
    await until(() => fx.store.getSnapshot().open?.conversation?.id === 'conv_lucia', 2000, 'Lucía open again');
    expect(fx.store.getSnapshot().open!.conversation!.status).to.equal('open');
    expect(el.getAttribute('conversation-id')).to.equal('conv_lucia');
    expect(reopened).to.deep.equal([{ conversationId: 'conv_lucia' }]);
    await until(() => toast(el) === null, 2000, 'the toast gone');
    // Focus was on Undo: it goes to Lucía's row, where j/k and the other shortcuts go on working.
    await until(() => /Lucía/.test(deepActive()?.textContent ?? '') && deepActive()?.getAttribute('role') === 'option', 2000, 'focus on the row');
  });

  it('a snooze offers Undo too, and z takes it back (Unsnooze), only while it is offered', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mountAll(fx);
    await openLucia(fx, el);
    const snoozes: InboxSnoozeDetail[] = [];
    el.addEventListener('inbox-snooze', (e) => snoozes.push(e.detail));

    // z with nothing offered does nothing (and is not taken from the page).
    await sendKeys({ press: 'z' });
    await settled(el);
    expect(fx.world.requests.filter((r) => r.startsWith('POST'))).to.deep.equal(['POST /v1/conversations/conv_lucia/read']);

    await sendKeys({ press: 's' });
    const menu = () => part(el, 'inbox-conversation-header').querySelector('inbox-snooze-menu')?.shadowRoot ?? null;
    await until(() => menu() !== null && allByRole(menu()!, 'button').some((b) => /Tomorrow/.test(b.textContent!)), 2000, 'the snooze choices');
    allByRole(menu()!, 'button').find((b) => /Tomorrow/.test(b.textContent!))!.click();
    await until(() => /Snoozed Lucía Fernández until tomorrow 9:00 AM/.test(toastText(el)), 2000, 'the toast');
    expect(snoozes).to.have.length(1);

    // Focus is back in the inbox (the list or the header), where shortcuts count.
    part(el, 'inbox-conversation-list').querySelector<HTMLElement>('[role="option"]')?.focus();
    await sendKeys({ press: 'z' });
    await until(() => snoozes.length === 2, 2000, 'woken');
    expect(snoozes[1]).to.deep.equal({ conversationId: 'conv_lucia', until: null });
    expect(fx.world.conversations.find((c) => c.id === 'conv_lucia')!.snoozedUntil).to.equal(null);
    await until(() => fx.store.getSnapshot().open?.id === 'conv_lucia' && toast(el) === null, 2000, 'open again, toast gone');
    // The list's focus goes to the row brought back, not the one the triage loop had moved it to.
    await until(() => deepActive()?.id === 'row-conv_lucia', 2000, 'focus on Lucía’s row');
  });

  it('an assignment offers Undo too: z gives the conversation back to whoever had it, says so, and offers nothing more', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mountAll(fx);
    await openLucia(fx, el);
    const assigned: InboxAssignDetail[] = [];
    el.addEventListener('inbox-assign', (e) => assigned.push(e.detail));

    await sendKeys({ press: 'i' });
    await until(() => toastText(el).startsWith('Assigned Lucía Fernández to you'), 2000, 'the toast');
    await until(() => announced(el).includes('Assigned Lucía Fernández to you. Undo: z'), 2000, 'said politely');
    expect(assigned).to.deep.equal([{ conversationId: 'conv_lucia', assigneeId: fx.world.me.id, previousAssigneeId: 'agt_maria' }]);

    part(el, 'inbox-conversation-list').querySelector<HTMLElement>('[role="option"]')?.focus();
    await sendKeys({ press: 'z' });
    await until(() => assigned.length === 2, 2000, 'given back');
    expect(assigned[1]).to.deep.equal({ conversationId: 'conv_lucia', assigneeId: 'agt_maria', previousAssigneeId: fx.world.me.id });
    expect(fx.world.requests.filter((r) => r === 'POST /v1/conversations/conv_lucia/assign')).to.have.length(2);
    expect(fx.world.conversations.find((c) => c.id === 'conv_lucia')!.assigneeId).to.equal('agt_maria');
    await until(() => toast(el) === null, 2000, 'the toast gone, and no new one for the way back');
    await until(() => announced(el).some((a) => /^Assigned Lucía Fernández to \S.*[^z]$/.test(a) && !a.includes('to you')), 2000, 'the way back said');
    await settled(el);
    expect(toast(el) === null).to.equal(true);
  });

  it('says why when Undo is refused and stays for another try; Dismiss closes it', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mountAll(fx);
    await openLucia(fx, el);
    await sendKeys({ press: 'e' });
    await until(() => /Resolved/.test(toastText(el)), 2000, 'the toast');

    // Gone from the server meanwhile: the reopen answers 404.
    fx.world.conversations = fx.world.conversations.filter((c) => c.id !== 'conv_lucia');
    byRole(toast(el)!, 'button', 'Undo').click();
    await until(() => /Couldn't undo: This conversation is no longer available\./.test(toastText(el)), 2000, 'why');
    expect(byRole(toast(el)!, 'button', 'Undo').hasAttribute('disabled')).to.equal(false);
    await expectNoAxeViolations(el);

    byRole(toast(el)!, 'button', 'Dismiss').click();
    await until(() => toast(el) === null, 2000, 'dismissed');
  });

  it('in one column (390 px) it sits over "Back to conversations", clear of the composer', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mountAll(fx);
    el.style.width = '390px';
    await openLucia(fx, el);
    byRole(part(el, 'inbox-conversation-header'), 'button', 'Mark as Resolved').click();
    await until(() => /Resolved/.test(toastText(el)), 2000, 'the toast');
    await until(() => el.shadowRoot!.querySelector('inbox-composer') !== null, 2000, 'the next conversation, open');
    await settled(el);
    const box = el.shadowRoot!.querySelector('inbox-undo-toast')!.getBoundingClientRect();
    const composer = el.shadowRoot!.querySelector('inbox-composer')!.getBoundingClientRect();
    const column = el.shadowRoot!.querySelector('[part="conversation"]')!.getBoundingClientRect();
    expect(box.bottom, 'above the composer').to.be.lessThan(composer.top);
    expect(box.top - column.top, 'at the top of the column').to.be.lessThan(12);
    expect(box.right).to.be.at.most(column.right);
  });
});
