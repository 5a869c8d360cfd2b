import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { SearchConversation, SearchHit } from '@baton/protocol';
import { ana, demoWorld, fixtureInbox, lucia, message, note, priya, until, type World } from '../testing/fixtures.js';
import { allByRole, byRole, mountPart, press, type } from '../testing/mount.js';
import type { InboxConversationSelectDetail } from '../events.js';

/** An `<inbox-search>` over `world`, with `text` typed into its focused box. */
async function search(world: World, text: string) {
  const inbox = await fixtureInbox({ world });
  const mounted = await mountPart('inbox-search', inbox);
  const box = byRole(mounted.root, 'combobox', 'Search') as HTMLInputElement;
  box.focus();
  type(box, text);
  return { ...mounted, box };
}

/** What the box asks to open, in order: the conversation, and the item to show in it. */
function picks(el: HTMLElement): string[] {
  const out: string[] = [];
  el.addEventListener('inbox-conversation-select', (e) => {
    const d = (e as CustomEvent<InboxConversationSelectDetail>).detail;
    out.push(d.itemId ? `${d.conversationId} at ${d.itemId}` : d.conversationId);
  });
  return out;
}

/** ArrowDown, then Enter: opens the second option. */
async function enterSecond(el: HTMLElement & { updateComplete: Promise<unknown> }, box: HTMLElement) {
  press(box, 'ArrowDown');
  await el.updateComplete;
  expect(box.getAttribute('aria-activedescendant')).to.equal('hit-1');
  press(box, 'Enter');
}

describe('inbox-search', () => {
  it('searches messages and notes, highlights matches as text, and opens the picked result', async () => {
    const world = demoWorld();
    const noteItem = note('conv_priya', 'Refund <img src=x onerror="window.__xss=1"> approved', ana.id, [], 5);
    const messageItem = message('conv_lucia', 'Can I get a refund?', 'inbound', null, 9);
    world.searchHits = [
      SearchHit.parse({ conversationId: 'conv_priya', item: noteItem, snippet: noteItem.body, highlights: [[0, 6]] }),
      SearchHit.parse({ conversationId: 'conv_lucia', item: messageItem, snippet: messageItem.body, highlights: [[12, 18]] }),
    ];
    const { el, root, remove, box } = await search(world, 'refund');
    await until(() => allByRole(root, 'option').length === 2, 2000, 'results');
    expect(world.requests).to.include('GET /v1/search?q=refund&limit=20');
    const [first, second] = allByRole(root, 'option');
    expect(first!.textContent).to.contain('Internal note').and.contain('<img src=x onerror="window.__xss=1"> approved');
    expect(second!.textContent).to.contain('Customer message');
    expect([...root.querySelectorAll('mark')].map((m) => m.textContent)).to.deep.equal(['Refund', 'refund']);
    expect(root.querySelectorAll('img, script')).to.have.length(0);
    await expectNoAxeViolations(root.host);
    // In a sidebar the box is narrow (beside the bell); its results take a readable width, from
    // the box's left edge, but never wider than the inbox around it (its container) less 1rem.
    const host = root.host as HTMLElement;
    host.style.width = '160px';
    const popup = () => first!.closest('.popup')!.getBoundingClientRect();
    expect(popup().width).to.equal(24 * 16);
    expect(popup().left).to.be.closeTo(host.getBoundingClientRect().left, 1);
    host.parentElement!.style.cssText = 'container-type: inline-size; width: 300px';
    expect(popup().width).to.equal(300 - 16);

    const selected = picks(el);
    await enterSecond(el, box);
    // It opens at the message itself.
    expect(selected).to.deep.equal([`conv_lucia at ${messageItem.id}`]);
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
    remove();
  });

  it('says how many results there are, one in the singular', async () => {
    const world = demoWorld();
    const item = message('conv_lucia', 'Can I get a refund?', 'inbound', null, 9);
    world.searchHits = [SearchHit.parse({ conversationId: 'conv_lucia', item, snippet: item.body, highlights: [[12, 18]] })];
    const { root, remove } = await search(world, 'refund');
    await until(() => allByRole(root, 'option').length === 1, 2000, 'the result');
    expect(byRole(root, 'status').textContent!.trim()).to.equal('1 result');
    remove();
  });

  it('keeps a long unbroken word inside the results', async () => {
    const world = demoWorld();
    const long = message('conv_lucia', `zebrafish ${'X'.repeat(3000)}`, 'inbound', null, 9);
    world.searchHits = Array.from({ length: 3 }, () => SearchHit.parse({ conversationId: 'conv_lucia', item: long, snippet: long.body, highlights: [[0, 9]] }));
    const { root, remove } = await search(world, 'zebrafish');
    await until(() => allByRole(root, 'option').length === 3, 2000, 'the results');
    const first = allByRole(root, 'option')[0]!;
    expect(first.scrollWidth).to.be.at.most(first.clientWidth);
    expect(first.getBoundingClientRect().height).to.be.below(160, 'the snippet keeps to a few lines');
    expect(first.querySelector('.snippet')!.getAttribute('dir')).to.equal('auto');
    remove();
  });

  it('past the newest 20, "Show older messages and notes" fetches the next page below them, by keyboard or click, and tries again after a failure', async () => {
    const world = demoWorld();
    world.searchHits = Array.from({ length: 45 }, (_, i) => {
      const item = message('conv_lucia', `refund number ${i}`, 'inbound', null, 100 - i);
      return SearchHit.parse({ conversationId: 'conv_lucia', item, snippet: item.body, highlights: [[0, 6]] });
    });
    const { el, root, remove, box } = await search(world, 'refund');
    const options = () => allByRole(root, 'option');
    const status = () => byRole(root, 'status').textContent!.trim();
    await until(() => options().length === 21, 2000, 'the first page and the option for older ones');
    expect(options()[20]!.textContent!.trim()).to.equal('Show older messages and notes');
    expect(status()).to.equal('20 results, and older ones');
    await expectNoAxeViolations(root.host);

    // The keyboard reaches it like any result (Up from the first goes round to it); Enter fetches the next page.
    press(box, 'ArrowUp');
    await el.updateComplete;
    expect(box.getAttribute('aria-activedescendant')).to.equal('hit-20');
    press(box, 'Enter');
    await until(() => options().length === 41, 2000, 'the second page');
    expect(world.requests).to.include('GET /v1/search?q=refund&limit=20&cursor=20');
    expect(options()[20]!.textContent).to.contain('refund number 20');
    expect(box.getAttribute('aria-activedescendant'), 'on the first of the older ones').to.equal('hit-20');
    // …and in view inside the popup.
    const popup = root.querySelector('.popup')!.getBoundingClientRect();
    const active = options()[20]!.getBoundingClientRect();
    expect(active.bottom).to.be.at.most(popup.bottom + 1);
    expect(active.top).to.be.at.least(popup.top - 1);
    expect(status()).to.equal('40 results, and older ones');

    // A failed page keeps what is shown and offers to try again.
    world.searchUnavailable = true;
    options()[40]!.click();
    await until(() => !!options()[40]?.textContent?.includes("Couldn't load older ones. Try again"), 2000, 'the failure');
    expect(options()).to.have.length(41);
    expect(status()).to.equal('Search failed');
    world.searchUnavailable = false;
    options()[40]!.click();
    await until(() => options().length === 45, 2000, 'the last page');
    expect(options()[44]!.textContent).to.contain('refund number 44');
    expect(status()).to.equal('45 results');

    // New words start again from their newest page.
    box.value = '';
    type(box, 'refund number');
    await until(() => world.requests.filter((r) => /^GET \/v1\/search\?q=refund(\+|%20)number&limit=20$/.test(r)).length === 1 && options().length === 21, 2000, 'the new words');
    remove();
  });

  it('finds contacts by name, phone or email, each conversation of theirs with its channel and status, and opens the picked one', async () => {
    const world = demoWorld();
    const ctx = (id: string, contact: typeof priya, channel: string, status: 'open' | 'resolved', subject: string | null) =>
      SearchConversation.parse({ id, contactId: contact.id, contactName: contact.name, channel, subject, status, snoozedUntil: null, lastMessageAt: new Date().toISOString() });
    world.contactHits = [{ contact: priya, conversations: [ctx('conv_priya', priya, 'email', 'open', 'API returns 502 on bulk import'), ctx('conv_priya_old', priya, 'email', 'resolved', 'Invoice copy')] }];
    const msg = message('conv_lucia', 'Priya told me about it', 'inbound', null, 9);
    world.searchHits = [SearchHit.parse({ conversationId: 'conv_lucia', conversation: ctx('conv_lucia', lucia, 'sms', 'open', null), item: msg, snippet: msg.body, highlights: [[0, 5]] })];
    const { el, root, remove, box } = await search(world, 'priya');
    await until(() => allByRole(root, 'option').length === 3, 2000, 'results');
    const contacts = byRole(root, 'group', 'Contacts');
    const [open, resolved] = allByRole(contacts, 'option').map((o) => o.textContent!.replace(/\s+/g, ' '));
    expect(open).to.contain('Priya Patel').and.contain('priya@example.com').and.contain('Email · Open · API returns 502 on bulk import');
    expect(resolved).to.contain('Email · Resolved · Invoice copy');
    const messages = byRole(root, 'group', 'Messages and notes');
    expect(allByRole(messages, 'option')[0]!.textContent!.replace(/\s+/g, ' ')).to.contain('Lucía Fernández · SMS · Open');
    expect(byRole(root, 'status').textContent).to.contain('3 results');
    await expectNoAxeViolations(root.host);
    const selected: string[] = [];
    el.addEventListener('inbox-conversation-select', (e) => selected.push((e as CustomEvent<InboxConversationSelectDetail>).detail.conversationId));
    press(box, 'ArrowDown');
    await el.updateComplete;
    press(box, 'Enter');
    expect(selected).to.deep.equal(['conv_priya_old']);
    allByRole(root, 'option')[2]!.click();
    expect(selected).to.deep.equal(['conv_priya_old', 'conv_lucia']);
    remove();
  });

  it('finds conversations by subject, between contacts and messages, with the matched words marked, and opens one by keyboard', async () => {
    const world = demoWorld();
    const ctx = (id: string, contact: typeof priya, channel: string, subject: string | null) =>
      SearchConversation.parse({ id, contactId: contact.id, contactName: contact.name, channel, subject, status: 'open', snoozedUntil: null, lastMessageAt: new Date().toISOString() });
    world.contactHits = [{ contact: lucia, conversations: [ctx('conv_lucia', lucia, 'sms', null)] }];
    world.subjectHits = [ctx('conv_priya', priya, 'email', 'Billing question 7 <b>bold</b>')];
    const msg = message('conv_lucia', 'A billing question for you', 'inbound', null, 9);
    world.searchHits = [SearchHit.parse({ conversationId: 'conv_lucia', item: msg, snippet: msg.body, highlights: [[2, 9], [10, 18]] })];
    const { el, root, remove, box } = await search(world, 'BILL quest');
    await until(() => allByRole(root, 'option').length === 3, 2000, 'results');
    const conversations = byRole(root, 'group', 'Conversations');
    const [subjectHit] = allByRole(conversations, 'option');
    expect(subjectHit!.textContent!.replace(/\s+/g, ' ')).to.contain('Billing question 7 <b>bold</b>').and.contain('Priya Patel · Email · Open');
    expect([...subjectHit!.querySelectorAll('mark')].map((m) => m.textContent)).to.deep.equal(['Billing', 'question']);
    expect(subjectHit!.querySelectorAll('b')).to.have.length(0);
    expect(allByRole(root, 'option').map((o) => o.id)).to.deep.equal(['hit-0', 'hit-1', 'hit-2']);
    expect(allByRole(root, 'option')[1]!.closest('[role="group"]')!.getAttribute('aria-label')).to.equal('Conversations');
    expect(byRole(root, 'status').textContent).to.contain('3 results');
    await expectNoAxeViolations(root.host);

    const selected = picks(el);
    await enterSecond(el, box);
    expect(selected).to.deep.equal(['conv_priya']);
    // The message below still opens its own conversation, at the message.
    allByRole(root, 'option')[2]!.click();
    expect(selected).to.deep.equal(['conv_priya', `conv_lucia at ${msg.id}`]);
    remove();
  });
});
