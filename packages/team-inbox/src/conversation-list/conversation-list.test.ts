import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { ana, ben, conversation, demoWorld, fixtureInbox, lucia, mallory, priya, until } from '../testing/fixtures.js';
import { clock } from '../controllers/clock-controller.js';
import { allByRole, byRole, mountPart, press, settled } from '../testing/mount.js';
import type { InboxConversationSelectDetail } from '../events.js';

describe('inbox-conversation-list', () => {
  it('shows each row with contact, channel, preview, assignee and unread dot, newest first', async () => {
    const inbox = await fixtureInbox({ view: 'all' });
    const { root, remove } = await mountPart('inbox-conversation-list', inbox);
    await until(() => allByRole(root, 'option').length === 2 && /Lucía/.test(root.textContent ?? ''), 2000, 'rows with names');
    const [first, second] = allByRole(root, 'option');
    expect(first!.textContent).to.contain('Lucía Fernández').and.contain('SMS').and.contain('Hola, ¿tienen disponibilidad');
    // The assignee's initials are drawn in the row itself (no element per row), styled as an avatar is.
    const face = byRole(first!, 'img', 'Assigned to María García');
    expect(face.textContent).to.equal('MG');
    const look = getComputedStyle(face);
    expect([look.width, look.height, look.borderRadius, look.color]).to.deep.equal(['20px', '20px', '50%', 'rgb(255, 255, 255)']);
    expect(look.backgroundColor).to.match(/^rgb\(/);
    await until(() => /Unread/.test(first!.textContent ?? ''), 2000, 'unread dot');
    expect(second!.textContent).to.contain('Priya Patel').and.contain('Email').and.not.contain('Unread');
    expect(byRole(root, 'listbox').getAttribute('aria-label')).to.equal('Conversations, All');
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('cuts a right-to-left message at its end, not its start, and names a cut-short contact on hover', async () => {
    const world = demoWorld();
    const arabic = 'مرحبا، أحتاج مساعدة في طلبي رقم 12345 وأريد أن أعرف متى يصل الطرد إلى عنواني في المدينة';
    world.conversations = [conversation('conv_rtl', mallory.id, 1, { preview: arabic })];
    const inbox = await fixtureInbox({ world, view: 'all' });
    const { root, remove } = await mountPart('inbox-conversation-list', inbox);
    (root.host as HTMLElement).style.width = '320px';
    await until(() => allByRole(root, 'option').length === 1 && /Mallory/.test(root.textContent ?? ''), 2000, 'the row');
    const preview = root.querySelector<HTMLElement>('.preview')!;
    const text = [...preview.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.includes('مرحبا'))!;
    const first = document.createRange();
    first.setStart(text, text.textContent!.indexOf('م'));
    first.setEnd(text, text.textContent!.indexOf('م') + 1);
    const box = preview.getBoundingClientRect();
    const letter = first.getBoundingClientRect();
    expect(preview.scrollWidth).to.be.above(preview.clientWidth, 'the message is cut');
    expect(letter.left).to.be.at.least(box.left - 1);
    expect(letter.right).to.be.at.most(box.right + 1, 'its first letter shows');
    expect(root.querySelector('.name')!.getAttribute('title')).to.equal(mallory.name);
    remove();
  });

  it('says "Waiting for <team> · N min" on a queued row and "Snoozed until …" on a snoozed one, ticking with the clock', async () => {
    const world = demoWorld();
    const since = new Date(Date.now() - 4 * 60_000 - 5_000).toISOString();
    world.conversations.push(conversation('conv_queued', priya.id, 4, { teamId: 'team_support', waitingSince: since }));
    const wake = new Date();
    wake.setDate(wake.getDate() + 1);
    wake.setHours(9, 0, 0, 0);
    world.conversations.push(conversation('conv_later', lucia.id, 30, { assigneeId: ana.id, snoozedUntil: wake.toISOString() }));
    const inbox = await fixtureInbox({ world, view: 'all' });
    const { el, root, remove } = await mountPart('inbox-conversation-list', inbox);
    try {
      await until(() => allByRole(root, 'option', /Waiting for Support · 4 min/).length === 1, 2000, 'queued row with its team');
      expect(allByRole(root, 'option', /Waiting for Support · 4 min/)[0]!.id).to.equal('row-conv_queued');
      expect(allByRole(root, 'option', /Waiting|Snoozed/)).to.have.length(1); // the others neither wait nor sleep
      // At a narrow sidebar's width the label gives way, not the name; cut short, its title says it all.
      (root.host as HTMLElement).style.width = '300px';
      await settled(el);
      const queued = root.querySelector('#row-conv_queued')!;
      const name = queued.querySelector<HTMLElement>('.name')!;
      const label = queued.querySelector<HTMLElement>('.state')!;
      // The text's laid-out width against its box's, in fractions of a pixel: an ellipsis takes the
      // last letters for any shortfall, which whole-pixel scrollWidth does not show.
      const textWidth = (e: HTMLElement) => {
        const range = document.createRange();
        range.selectNodeContents(e);
        return range.getBoundingClientRect().width;
      };
      expect(textWidth(label), 'the label is cut short at this width').to.be.above(label.getBoundingClientRect().width);
      expect(textWidth(name), 'the name is whole').to.be.at.most(name.getBoundingClientRect().width);
      expect(label.title).to.equal(label.textContent);
      (root.host as HTMLElement).style.width = '';
      await expectNoAxeViolations(root.host);
      clock.tick(Date.now() + 2 * 60_000);
      await settled(el);
      expect(allByRole(root, 'option', /Waiting for Support · 6 min/).map((o) => o.id)).to.deep.equal(['row-conv_queued']);
      clock.tick();
      // Taken by someone: it no longer waits.
      await inbox.store.assign('conv_queued', ana.id);
      await settled(el);
      expect(allByRole(root, 'option', /Waiting/)).to.have.length(0);

      await inbox.store.setView('snoozed');
      await until(() => allByRole(root, 'option', /Snoozed until tomorrow 9:00 AM/).length === 1, 2000, 'snoozed row');
      expect(allByRole(root, 'option', /Snoozed until/)[0]!.id).to.equal('row-conv_later');
      clock.tick(Date.now() + 86_400_000);
      await settled(el);
      expect(allByRole(root, 'option', /Snoozed until today 9:00 AM/).map((o) => o.id)).to.deep.equal(['row-conv_later']);
    } finally {
      clock.tick();
      remove();
    }
  });

  it('moves with arrows and j/k, and Enter asks to open the focused row', async () => {
    const inbox = await fixtureInbox({ view: 'all' });
    const { el, root, remove } = await mountPart('inbox-conversation-list', inbox);
    await until(() => allByRole(root, 'option').length === 2);
    const selected: string[] = [];
    el.addEventListener('inbox-conversation-select', (e) => selected.push((e as CustomEvent<InboxConversationSelectDetail>).detail.conversationId));
    const options = () => allByRole(root, 'option');
    expect(options().map((o) => o.tabIndex)).to.deep.equal([0, -1]);
    options()[0]!.focus();
    press(options()[0]!, 'j');
    await settled(el);
    expect(root.activeElement).to.equal(options()[1]);
    press(options()[1]!, 'Enter');
    expect(selected).to.deep.equal(['conv_priya']);
    press(options()[1]!, 'ArrowUp');
    await settled(el);
    options()[0]!.click();
    expect(selected).to.deep.equal(['conv_priya', 'conv_lucia']);
    remove();
  });

  it('keeps the DOM small for 10,000 rows and scrolls to the last one', async () => {
    const world = demoWorld();
    world.conversations = Array.from({ length: 10_000 }, (_, i) => conversation(`conv_${String(i).padStart(5, '0')}`, 'ct_priya', i + 1, { preview: `Message ${i}` }));
    const inbox = await fixtureInbox({ world, view: 'all', pageSize: 100 });
    while (inbox.store.getSnapshot().hasMore) await inbox.store.loadMore();
    expect(inbox.store.getSnapshot().conversations).to.have.length(10_000);
    const { el, root, remove } = await mountPart('inbox-conversation-list', inbox);
    el.style.cssText = 'display:flex;height:400px';
    await settled(el);
    expect(allByRole(root, 'option').length).to.be.lessThan(40);
    const listbox = byRole(root, 'listbox');
    listbox.scrollTop = listbox.scrollHeight;
    await until(() => allByRole(root, 'option').some((o) => o.textContent!.includes('Message 9999')), 2000, 'last row');
    const last = allByRole(root, 'option').find((o) => o.textContent!.includes('Message 9999'))!;
    expect(last.getAttribute('aria-posinset')).to.equal('10000');
    expect(last.getAttribute('aria-setsize')).to.equal('10000');
    expect(allByRole(root, 'option').length).to.be.lessThan(40);
    remove();
  });

  describe('when a conversation arrives live', () => {
    /** 40 conversations in All, the list 400 px high, its first page loaded. */
    async function scrolledList() {
      const world = demoWorld();
      world.conversations = Array.from({ length: 40 }, (_, i) => conversation(`conv_${String(i).padStart(2, '0')}`, 'ct_priya', i + 10, { preview: `Message ${i}` }));
      const inbox = await fixtureInbox({ world, view: 'all' });
      const mounted = await mountPart('inbox-conversation-list', inbox);
      mounted.el.style.cssText = 'display:flex;height:400px';
      await until(() => allByRole(mounted.root, 'option').length > 10, 2000, 'rows');
      return { inbox, ...mounted, listbox: byRole(mounted.root, 'listbox') };
    }
    const arrive = (inbox: Awaited<ReturnType<typeof fixtureInbox>>, id: string) =>
      inbox.realtime.emit('conversation:created', { conversation: conversation(id, 'ct_lucia', 0, { preview: 'Just now' }) } as never);
    /** The row whose top edge is the first at or below the listbox's top edge, by screen position. */
    const firstVisible = (root: ShadowRoot, listbox: HTMLElement) => {
      const top = listbox.getBoundingClientRect().top;
      return allByRole(root, 'option')
        .filter((o) => o.getBoundingClientRect().bottom > top + 1)
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0]!;
    };

    it('keeps the rows the agent scrolled to where they are on screen; the new one is above them', async () => {
      const { inbox, el, root, listbox, remove } = await scrolledList();
      listbox.scrollTop = 10 * 56 + 20; // part way into row 11: a thumb is over these rows
      await until(() => allByRole(root, 'option').some((o) => o.id === 'row-conv_10'), 2000, 'scrolled rows');
      await settled(el);
      const row = firstVisible(root, listbox);
      const before = row.getBoundingClientRect().top;
      const place = Number(row.getAttribute('aria-posinset'));
      arrive(inbox, 'conv_new');
      await until(() => allByRole(root, 'option').some((o) => o.id === 'row-conv_new') || inbox.store.getSnapshot().conversations[0]?.id === 'conv_new', 2000, 'the new conversation listed');
      await settled(el);
      await new Promise((r) => requestAnimationFrame(r));
      const same = root.getElementById(row.id)!;
      expect(Math.abs(same.getBoundingClientRect().top - before), `${row.id} moved`).to.be.at.most(1);
      expect(same.getAttribute('aria-posinset')).to.equal(String(place + 1));
      // Scrolling back up finds it at the top.
      listbox.scrollTop = 0;
      await until(() => allByRole(root, 'option').some((o) => o.id === 'row-conv_new'), 2000, 'the new row at the top');
      expect(root.getElementById('row-conv_new')!.getAttribute('aria-posinset')).to.equal('1');
      remove();
    });

    it('at the very top, the new one just appears first', async () => {
      const { inbox, el, root, listbox, remove } = await scrolledList();
      arrive(inbox, 'conv_new');
      await until(() => allByRole(root, 'option').some((o) => o.id === 'row-conv_new'), 2000, 'the new row');
      await settled(el);
      expect(listbox.scrollTop).to.equal(0);
      expect(firstVisible(root, listbox).id).to.equal('row-conv_new');
      remove();
    });
  });

  it('gives "Select all in view" and "Filters" hit areas of at least 24 × 24 px at phone width, without a taller toolbar', async () => {
    const inbox = await fixtureInbox({ view: 'all' });
    const { el, root, remove } = await mountPart('inbox-conversation-list', inbox);
    el.style.cssText = 'display:flex;width:390px;height:600px';
    await until(() => allByRole(root, 'option').length === 2, 2000, 'rows');
    // A checkbox's hit area is itself plus its label.
    const all = byRole(root, 'checkbox', 'Select all in view') as HTMLInputElement;
    const boxes = [all.labels?.[0] ?? all, byRole(root, 'button', 'Filters')].map((e) => e.getBoundingClientRect());
    for (const b of boxes) expect([b.width, b.height].every((n) => n >= 24), `${b.width} × ${b.height}`).to.equal(true);
    // The label takes the clicks around the box.
    const label = all.labels?.[0];
    if (label) {
      const r = label.getBoundingClientRect();
      const hit = root.elementFromPoint(r.left + 1, r.top + 1);
      (hit as HTMLElement).click();
      expect(all.checked).to.equal(true);
    }
    expect(root.querySelector('[part="tools"]')!.getBoundingClientRect().height).to.be.at.most(28);
    remove();
  });

  it('names the last speaker ("You:", a teammate\'s first name, nothing for the customer) and shows that message\'s time', async () => {
    const world = demoWorld();
    const ago = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    world.conversations = [
      // Activity (a reopen) 1 minute ago; the message the preview shows, 10 minutes ago.
      conversation('conv_mine', lucia.id, 1, { preview: 'Sí, el sábado', lastMessage: { direction: 'outbound', author: { type: 'agent', id: world.me.id }, at: ago(10) } }),
      conversation('conv_ben', priya.id, 2, { preview: 'Sent the invoice', lastMessage: { direction: 'outbound', author: { type: 'agent', id: ben.id }, at: ago(2) } }),
      conversation('conv_customer', mallory.id, 3, { preview: 'Thanks!', lastMessage: { direction: 'inbound', author: { type: 'api', id: null }, at: ago(3 * 60) } }),
    ];
    const inbox = await fixtureInbox({ world, view: 'all' });
    const { root, remove } = await mountPart('inbox-conversation-list', inbox);
    await until(() => allByRole(root, 'option').length === 3 && /Mallory/.test(root.textContent ?? ''), 2000, 'rows');
    const [mine, bens, customer] = allByRole(root, 'option').map((o) => o.textContent!.replace(/\s+/g, ' '));
    expect(mine).to.contain('You: Sí, el sábado').and.contain('10m').and.not.contain(' 1m');
    expect(bens).to.contain('Ben: Sent the invoice').and.contain('2m');
    expect(customer).to.contain('Thanks!').and.contain('3h').and.not.contain(':');
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('renders markup in names and previews as text', async () => {
    const world = demoWorld();
    world.conversations = [conversation('conv_x', mallory.id, 1, { preview: '<script>window.__xss=2</script><img src=x onerror="window.__xss=3">' })];
    const inbox = await fixtureInbox({ world, view: 'all' });
    const { root, remove } = await mountPart('inbox-conversation-list', inbox);
    await until(() => /Mallory/.test(root.textContent ?? ''), 2000, 'contact name');
    expect(root.textContent).to.contain('<img src=x onerror="window.__xss=1">Mallory').and.contain('<script>window.__xss=2</script>');
    expect(root.querySelectorAll('img, script')).to.have.length(0);
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
    remove();
  });
});
