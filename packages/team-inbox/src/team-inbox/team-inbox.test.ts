import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { fixtureInbox, until } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, press, settled, type } from '../testing/mount.js';
import type { TeamInbox } from './team-inbox.js';
import type { InboxAssignDetail, InboxConversationOpenDetail, InboxResolveDetail } from '../events.js';
import { customerWritesIn, demoServer, part, type DemoServer } from '../testing/real-server.js';
import '../define.js';

async function mountInbox(attrs: Record<string, string> = {}, props: Partial<Pick<TeamInbox, 'store' | 'rest' | 'realtime' | 'tokenProvider'>> = {}): Promise<TeamInbox> {
  const el = document.createElement('team-inbox');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  Object.assign(el, props);
  el.style.height = '640px';
  document.body.append(el);
  await el.updateComplete;
  return el;
}

describe('team-inbox over recorded fixtures', () => {
  it('renders every part, passes axe, opens a conversation and reflects the deep link', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mountInbox({ view: 'all', theme: 'light' }, { store: fx.store, rest: fx.rest, realtime: fx.realtime as never });
    const opened: string[] = [];
    document.addEventListener('inbox-conversation-open', (e) => opened.push((e as CustomEvent<InboxConversationOpenDetail>).detail.conversationId), { once: true });
    const list = () => part(el, 'inbox-conversation-list');
    await until(() => allByRole(list(), 'option').length === 2 && /Priya/.test(list().textContent ?? ''), 3000, 'rows');
    await expectNoAxeViolations(el);
    // Nothing open: the column says so and how to go on, with no reply box to type into nothing.
    const root = el.shadowRoot!;
    expect(byRole(root, 'heading', 'No conversation open').closest('[part="conversation"]')).to.not.equal(null);
    expect(root.querySelector('[part="conversation"]')!.textContent).to.match(/Pick a conversation from the list/);
    expect(root.querySelectorAll('inbox-composer, inbox-conversation-header, inbox-details')).to.have.length(0);

    allByRole(list(), 'option').find((o) => /Priya/.test(o.textContent!))!.click();
    await until(() => opened.length === 1, 2000, 'inbox-conversation-open');
    expect(root.querySelector('[part="nothing-open"]')).to.equal(null);
    expect(root.querySelectorAll('inbox-composer')).to.have.length(1);
    expect(opened).to.deep.equal(['conv_priya']);
    expect(el.getAttribute('conversation-id')).to.equal('conv_priya');
    await until(() => /Priya Patel/.test(part(el, 'inbox-conversation-header').textContent ?? ''), 2000, 'header');
    expect(fx.world.requests).to.include('POST /v1/conversations/conv_priya/read');
    await settled(el);
    await expectNoAxeViolations(el);
    el.remove();
  });

  it('follows view and conversation-id set by the host, and the theme attribute', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mountInbox({ view: 'all' }, { store: fx.store, rest: fx.rest });
    await until(() => allByRole(part(el, 'inbox-conversation-list'), 'option').length === 2);
    el.setAttribute('view', 'resolved');
    await until(() => fx.store.getSnapshot().view === 'resolved' && allByRole(part(el, 'inbox-conversation-list'), 'option').length === 1, 2000, 'resolved view');
    expect(byRole(part(el, 'inbox-conversation-list'), 'listbox').getAttribute('aria-label')).to.equal('Conversations, Resolved');
    el.setAttribute('conversation-id', 'conv_lucia');
    await until(() => fx.store.getSnapshot().open?.id === 'conv_lucia', 2000, 'deep link');

    el.setAttribute('theme', 'dark');
    await settled(el);
    expect(getComputedStyle(el).getPropertyValue('--baton-color-bg').trim()).to.equal('#14171c');
    el.setAttribute('theme', 'light');
    await settled(el);
    expect(getComputedStyle(el).getPropertyValue('--baton-color-bg').trim()).to.equal('#ffffff');
    el.remove();
  });

  it('has keyboard shortcuts: j/k, Enter, n, r, a, / and e (Mark as Resolved)', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mountInbox({ view: 'all' }, { store: fx.store, rest: fx.rest });
    const list = () => part(el, 'inbox-conversation-list');
    await until(() => allByRole(list(), 'option').length === 2);
    const shell = el.shadowRoot!.querySelector('[part="base"]')!;
    press(shell, 'j');
    await settled(el);
    await settled(el.shadowRoot!.querySelector('inbox-conversation-list')!);
    const focused = list().activeElement as HTMLElement;
    expect(focused.getAttribute('role')).to.equal('option');
    press(focused, 'Enter');
    await until(() => fx.store.getSnapshot().open?.id === 'conv_lucia', 2000, 'opened by Enter');

    press(shell, 'n');
    await settled(el);
    const composer = part(el, 'inbox-composer');
    expect(byRole(composer, 'tab', 'Note').getAttribute('aria-selected')).to.equal('true');
    expect(composer.activeElement?.localName).to.equal('textarea');
    press(composer.activeElement!, 'r'); // typing in the box is text, not a shortcut
    expect(byRole(composer, 'tab', 'Note').getAttribute('aria-selected')).to.equal('true');
    press(shell, 'r');
    await settled(el);
    expect(byRole(composer, 'tab', /^Reply/).getAttribute('aria-selected')).to.equal('true');

    press(shell, 'a');
    const details = el.shadowRoot!.querySelector('inbox-details')!.shadowRoot!;
    await until(() => details.querySelector('inbox-assignee-picker')!.shadowRoot!.activeElement !== null, 1000, 'Assigned to focused');
    expect(accessibleName(details.querySelector('inbox-assignee-picker')!.shadowRoot!.activeElement!)).to.equal('Assigned to');
    press(shell, '/');
    expect(part(el, 'inbox-search').activeElement?.getAttribute('aria-label')).to.equal('Search');

    const resolved: string[] = [];
    el.addEventListener('inbox-resolve', (e) => resolved.push((e as CustomEvent<InboxResolveDetail>).detail.conversationId));
    press(shell, 'e');
    await until(() => resolved.length === 1, 2000, 'resolved by e');
    expect(resolved).to.deep.equal(['conv_lucia']);
    el.remove();
  });
});

describe('team-inbox against a real server', () => {
  let server: DemoServer;
  before(async () => {
    server = await demoServer();
  });

  it('lives: a new message appears, Ana assigns it to Ben, Ben sees it in Mine and is notified of the mention', async () => {
    const ana = await mountInbox({ server: server.url, token: server.tokens.ana, view: 'all' });
    const ben = await mountInbox({ server: server.url, view: 'mine' }, { tokenProvider: async () => server.tokens.ben });
    const anaList = () => part(ana, 'inbox-conversation-list');
    const benList = () => part(ben, 'inbox-conversation-list');
    await until(() => allByRole(anaList(), 'option').length > 3, 5000, 'seeded rows');
    await until(() => ben.inboxStore?.getSnapshot().status === 'ready', 5000, 'ben ready');

    const xss = 'Hi <img src=x onerror="window.__xss=1"><script>window.__xss=2</script> see javascript:window.__xss=3';
    const id = await customerWritesIn(server, 'Zoe Realtime', xss);
    await until(() => allByRole(anaList(), 'option').some((o) => /Zoe Realtime/.test(o.textContent!)), 3000, 'new conversation in All');
    allByRole(anaList(), 'option').find((o) => /Zoe Realtime/.test(o.textContent!))!.click();
    const timeline = () => part(ana, 'inbox-timeline');
    await until(() => /see javascript:window.__xss=3/.test(timeline().textContent ?? ''), 3000, 'timeline');
    expect(timeline().querySelectorAll('img, script')).to.have.length(0);
    expect([...timeline().querySelectorAll('a')].filter((a) => a.getAttribute('href')?.startsWith('javascript:'))).to.have.length(0);
    expect(timeline().textContent).to.contain('<img src=x onerror="window.__xss=1">');

    const assigned: InboxAssignDetail[] = [];
    ana.addEventListener('inbox-assign', (e) => assigned.push((e as CustomEvent<InboxAssignDetail>).detail));
    const picker = ana.shadowRoot!.querySelector('inbox-details')!.shadowRoot!.querySelector('inbox-assignee-picker')!;
    await settled(picker);
    const box = byRole(picker.shadowRoot!, 'combobox', 'Assigned to') as HTMLInputElement;
    box.focus();
    box.select();
    type(box, 'ben');
    await settled(picker);
    press(box, 'Enter');
    await until(() => assigned.length === 1, 3000, 'assigned');
    expect(assigned[0]).to.deep.equal({ conversationId: id, assigneeId: server.agents.ben, previousAssigneeId: null });
    const startedAt = performance.now();
    await until(() => allByRole(benList(), 'option').some((o) => /Zoe Realtime/.test(o.textContent!)), 2000, 'in Ben’s Mine within 2 s');
    expect(performance.now() - startedAt).to.be.lessThan(2000);

    const composer = part(ana, 'inbox-composer');
    await ana.shadowRoot!.querySelector('inbox-composer')!.selectTab('note');
    const noteBox = byRole(composer, 'textbox', 'Note') as HTMLTextAreaElement;
    type(noteBox, '@ben can you take this one? <b>bold</b>');
    await settled(ana.shadowRoot!.querySelector('inbox-composer')!);
    press(noteBox, 'Escape'); // close the picker; keep the text
    byRole(composer, 'button', 'Save').click();
    await until(() => allByRole(timeline(), 'listitem').some((li) => /Internal note/.test(li.textContent!) && /can you take this one/.test(li.textContent!)), 3000, 'note in timeline');
    expect(timeline().querySelectorAll('b')).to.have.length(0);
    const bell = () => byRole(part(ben, 'inbox-notification-bell'), 'button', /^Notifications/);
    await until(() => ben.inboxStore!.getSnapshot().notifications.some((n) => n.type === 'mentioned' && n.conversationId === id), 3000, 'mention notification');
    await until(() => /unread/.test(accessibleName(bell())), 2000, 'bell count');
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
    ana.remove();
    ben.remove();
  });

  it('reports a bad token instead of hanging', async () => {
    const el = await mountInbox({ server: server.url, token: 'not-a-token' });
    await until(() => el.shadowRoot!.querySelector('[role="alert"]') !== null, 5000, 'error shown');
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.contain("You're signed out of Baton");
    el.remove();
  });
});
