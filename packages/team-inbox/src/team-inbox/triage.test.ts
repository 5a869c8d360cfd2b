import { expect } from '@esm-bundle/chai';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { View } from '@baton/protocol';
import { conversation, demoWorld, fixtureInbox, until, type FixtureInbox } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, deepActive, part, settled } from '../testing/mount.js';
import type { TeamInbox } from './team-inbox.js';
import type { InboxAssignDetail, InboxConversationOpenDetail } from '../events.js';
import '../define.js';

const list = (inbox: TeamInbox) => part(inbox, 'inbox-conversation-list');
const rowNames = (inbox: TeamInbox) => allByRole(list(inbox), 'option').map((o) => (/Lucía|Priya|Mallory/.exec(o.textContent!) ?? ['?'])[0]);
const focusedRow = () => {
  const el = deepActive();
  return el?.getAttribute('role') === 'option' ? el : null;
};

async function mount(fx: FixtureInbox, view: View, attrs: Record<string, string> = {}): Promise<TeamInbox> {
  const el = document.createElement('team-inbox');
  el.setAttribute('view', view);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
  el.style.height = '640px';
  document.body.append(el);
  await el.updateComplete;
  return el;
}

describe('team-inbox triage loop', () => {
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  it('keeps the open conversation listed in Unread, with focus on it, until the agent opens another', async () => {
    const world = demoWorld();
    world.conversations.push(conversation('conv_mallory', 'ct_mallory', 60, { preview: 'Third' }));
    world.conversations.push(conversation('conv_fourth', 'ct_lucia', 90, { preview: 'Fourth' }));
    world.unread = new Set(['conv_lucia', 'conv_priya', 'conv_mallory', 'conv_fourth']);
    const fx = await fixtureInbox({ world, view: 'unread' });
    const el = await mount(fx, 'unread');
    await until(() => rowNames(el).length === 4 && !rowNames(el).includes('?'), 3000, 'four unread rows');
    allByRole(list(el), 'option')[0]!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => fx.world.requests.includes('POST /v1/conversations/conv_lucia/read'), 2000, 'marked read');
    await until(() => fx.store.getSnapshot().readMarks.conv_lucia !== undefined && fx.store.getSnapshot().conversations.length === 3, 2000, 'left Unread in the store');
    await settled(el.shadowRoot!.querySelector('inbox-conversation-list')!);
    expect(rowNames(el)).to.deep.equal(['Lucía', 'Priya', 'Mallory', 'Lucía']);
    expect(focusedRow()?.textContent).to.match(/Lucía/);

    await sendKeys({ press: 'j' });
    await sendKeys({ press: 'Enter' });
    await until(() => fx.store.getSnapshot().open?.id === 'conv_priya', 2000, 'second opened');
    await until(() => rowNames(el).join() === 'Priya,Mallory,Lucía', 2000, 'the first row goes once the agent moved on');
    expect(focusedRow()?.textContent).to.match(/Priya/);
    await expectNoAxeViolations(el);
    // The next j goes to the next row, not past it, though the rows above moved.
    await sendKeys({ press: 'j' });
    await sendKeys({ press: 'Enter' });
    await until(() => fx.store.getSnapshot().open !== null && fx.store.getSnapshot().open!.id !== 'conv_priya', 2000, 'third opened');
    expect(fx.store.getSnapshot().open!.id).to.equal('conv_mallory');
    await until(() => rowNames(el).join() === 'Mallory,Lucía', 2000, 'the second row goes too');
  });

  it('opens and focuses the next conversation when the open one leaves the view (e in Mine)', async () => {
    const world = demoWorld();
    world.conversations = world.conversations.map((c) => (c.id === 'conv_lucia' ? { ...c, assigneeId: world.me.id } : c));
    const fx = await fixtureInbox({ world, view: 'mine' });
    const el = await mount(fx, 'mine');
    await until(() => rowNames(el).length === 2, 3000, 'two rows in Mine');
    allByRole(list(el), 'option')[0]!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => fx.store.getSnapshot().open?.conversation?.id === 'conv_lucia', 2000, 'opened');
    const opened: string[] = [];
    el.addEventListener('inbox-conversation-open', (e) => opened.push((e as CustomEvent<InboxConversationOpenDetail>).detail.conversationId));
    await sendKeys({ press: 'e' });
    await until(() => opened.length > 0, 2000, 'next opened');
    expect(opened).to.deep.equal(['conv_priya']);
    await until(() => /Priya/.test(focusedRow()?.textContent ?? ''), 2000, 'focus on the next row');
    expect(rowNames(el)).to.deep.equal(['Priya']);
  });

  it('leaves the open conversation open when someone else resolves it', async () => {
    const world = demoWorld();
    world.conversations = world.conversations.map((c) => (c.id === 'conv_lucia' ? { ...c, assigneeId: world.me.id } : c));
    const fx = await fixtureInbox({ world, view: 'mine' });
    const el = await mount(fx, 'mine');
    await until(() => rowNames(el).length === 2, 3000, 'two rows in Mine');
    allByRole(list(el), 'option')[0]!.click();
    await until(() => fx.store.getSnapshot().open?.conversation?.id === 'conv_lucia', 2000, 'opened');
    const lucia = fx.store.getSnapshot().open!.conversation!;
    fx.realtime.emit('conversation:updated', { conversation: { ...lucia, status: 'resolved', resolvedAt: new Date().toISOString(), version: lucia.version + 1 } } as never);
    await until(() => rowNames(el).join() === 'Priya', 2000, 'left Mine');
    await new Promise((r) => setTimeout(r, 100));
    expect(fx.store.getSnapshot().open?.id).to.equal('conv_lucia');
  });

  it('takes shortcuts after a click on a non-focusable spot, and page-wide only with global-shortcuts', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mount(fx, 'all');
    await until(() => rowNames(el).length === 2, 3000, 'rows');
    const heading = byRole(el.shadowRoot!, 'heading', 'No conversation open');
    const box = heading.getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(box.left + 5), Math.round(box.top + box.height / 2)] });
    await sendKeys({ press: 'j' });
    await until(() => focusedRow() !== null, 2000, 'j after a click on plain text');

    (deepActive() as HTMLElement).blur();
    expect(deepActive()).to.equal(document.body);
    await sendKeys({ press: 'j' });
    await settled(el);
    expect(focusedRow()).to.equal(null);
    el.setAttribute('global-shortcuts', '');
    await settled(el);
    await sendKeys({ press: 'j' });
    await until(() => focusedRow() !== null, 2000, 'j from <body> with global-shortcuts');
  });

  it('? opens an accessible shortcuts dialog; Escape closes it and focus goes back', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mount(fx, 'all');
    await until(() => rowNames(el).length === 2, 3000, 'rows');
    const button = byRole(el.shadowRoot!, 'button', 'Keyboard shortcuts');
    expect(button.getAttribute('aria-keyshortcuts')).to.equal('?');
    allByRole(list(el), 'option')[1]!.focus();
    await sendKeys({ press: '?' });
    const dialog = el.shadowRoot!.querySelector('dialog')!;
    await until(() => dialog.open, 1000, 'dialog open');
    expect(accessibleName(dialog)).to.equal('Keyboard shortcuts');
    expect(dialog.matches(':modal')).to.equal(true);
    expect(dialog.contains(deepActive())).to.equal(true);
    expect(dialog.textContent).to.match(/Assign to me/).and.match(/Mark as Resolved/);
    await expectNoAxeViolations(el);
    await sendKeys({ press: 'j' }); // the list behind the dialog does not move
    expect(dialog.open).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await until(() => !dialog.open, 1000, 'closed by Escape');
    expect(focusedRow()?.textContent).to.match(/Priya/);
  });

  it('Escape leaves the composer, so the next key is a shortcut, not text', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mount(fx, 'all');
    await until(() => rowNames(el).length === 2, 3000, 'rows');
    allByRole(list(el), 'option')[0]!.focus();
    await sendKeys({ press: 'Enter' });
    const composer = () => part(el, 'inbox-composer');
    await until(() => !!composer().querySelector('textarea:not([disabled])'), 2000, 'composer ready');
    await sendKeys({ press: 'r' });
    await sendKeys({ type: 'Thanks' });
    await sendKeys({ press: 'Escape' });
    expect(deepActive()?.getAttribute('role')).to.equal('tab');
    await sendKeys({ press: 'n' });
    await until(() => byRole(composer(), 'tab', /Note/).getAttribute('aria-selected') === 'true', 2000, 'n chose Note');
    expect((deepActive() as HTMLTextAreaElement).value).to.equal('', 'the note has no stray "n"');
    await sendKeys({ press: 'Escape' });
    await sendKeys({ press: 'r' });
    await until(() => (deepActive() as HTMLTextAreaElement | null)?.value === 'Thanks', 2000, 'the reply kept its text');
  });

  it('i assigns the open conversation to me with a visible "Assign to me"', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mount(fx, 'all');
    await until(() => rowNames(el).length === 2, 3000, 'rows');
    allByRole(list(el), 'option')[0]!.focus();
    await sendKeys({ press: 'Enter' });
    const header = () => part(el, 'inbox-conversation-header');
    await until(() => allByRole(header(), 'button', 'Assign to me').length === 1, 2000, 'Assign to me shown');
    expect(byRole(header(), 'button', 'Assign to me').getAttribute('aria-keyshortcuts')).to.equal('i');
    const assigned: InboxAssignDetail[] = [];
    el.addEventListener('inbox-assign', (e) => assigned.push((e as CustomEvent<InboxAssignDetail>).detail));
    await sendKeys({ press: 'i' });
    await until(() => assigned.length === 1, 2000, 'assigned');
    expect(assigned[0]).to.deep.equal({ conversationId: 'conv_lucia', assigneeId: fx.world.me.id, previousAssigneeId: 'agt_maria' });
    expect(fx.world.requests).to.include('POST /v1/conversations/conv_lucia/assign');
    await until(() => allByRole(header(), 'button', 'Assign to me').length === 0, 2000, 'button gone once mine');
    expect(focusedRow()?.textContent).to.match(/Lucía/);
    // Said politely: the header only loses a button, which a screen reader does not tell.
    await until(() => allByRole(el.shadowRoot!, 'status').some((r) => r.textContent!.trim() === 'Assigned Lucía Fernández to you. Undo: z'), 2000, 'said');
  });

  it('a header button that goes away after its command (Assign to me, Mark as Resolved, Reopen) leaves focus in the inbox: its row where listed, else its name', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mount(fx, 'all', { 'conversation-id': 'conv_lucia' });
    await until(() => rowNames(el).length === 2, 3000, 'rows');
    const header = () => part(el, 'inbox-conversation-header');
    /** Clicks a header button with focus on it; once it is gone, what has focus (never <body>). */
    const press = async (name: string) => {
      await until(() => allByRole(header(), 'button', name).length === 1, 2000, `${name} shown`);
      const button = byRole(header(), 'button', name);
      button.focus();
      button.click();
      await until(() => !button.isConnected, 2000, `${name} gone`);
      await until(() => deepActive() !== document.body && deepActive() !== null, 2000, `focus in the inbox after ${name}`);
      return deepActive()!;
    };
    // Mine now, it stays in All, and so does focus, on its row.
    expect((await press('Assign to me')).textContent).to.match(/Lucía/);
    expect(focusedRow()).not.to.equal(null);
    expect(fx.world.conversations.find((c) => c.id === 'conv_lucia')!.assigneeId).to.equal(fx.world.me.id);
    // Resolved, it leaves All; the triage loop opens the next row, focused.
    expect((await press('Mark as Resolved')).textContent).to.match(/Priya/);
    expect(focusedRow()).not.to.equal(null);
    // Reopened from Resolved, it leaves that view: focus on its name, not another contact's row.
    el.setAttribute('view', 'resolved');
    el.setAttribute('conversation-id', 'conv_lucia');
    await until(() => rowNames(el).includes('Lucía'), 2000, 'Lucía in Resolved');
    expect(await press('Reopen')).to.equal(byRole(header(), 'heading'));
    await until(() => allByRole(el.shadowRoot!, 'status').some((r) => r.textContent!.trim() === 'Reopened Lucía Fernández'), 2000, 'said');
    expect(fx.world.conversations.find((c) => c.id === 'conv_lucia')!.status).to.equal('open');
  });

  it('an action that empties the view leaves focus in the inbox (the conversation’s name), so z still undoes it', async () => {
    const fx = await fixtureInbox({ view: 'mine' });
    const el = await mount(fx, 'mine', { 'conversation-id': 'conv_priya' });
    await until(() => rowNames(el).join() === 'Priya', 3000, 'Mine: Priya only');
    const header = () => part(el, 'inbox-conversation-header');
    await until(() => allByRole(header(), 'button', 'Mark as Resolved').length === 1, 2000, 'Mark as Resolved');
    const resolve = byRole(header(), 'button', 'Mark as Resolved');
    resolve.focus();
    resolve.click();
    await until(() => rowNames(el).length === 0, 2000, 'Mine empty');
    await until(() => deepActive() === byRole(header(), 'heading'), 2000, 'focus on the conversation’s name');
    await sendKeys({ press: 'z' });
    await until(() => fx.world.conversations.find((c) => c.id === 'conv_priya')!.status === 'open', 2000, 'undone');
  });
});
