import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { TimelineItem } from '@baton/protocol';
import { ana, ben, demoWorld, event, fixtureInbox, message, note, support, until } from '../testing/fixtures.js';
import { allByRole, byRole, mountPart } from '../testing/mount.js';
import { dayLabel } from './timeline.js';
import { splitQuoted } from '../format/body-text.js';

/** Timeline entries without the day labels between them. */
const entries = (root: ShadowRoot) => allByRole(root, 'listitem').filter((li) => li.getAttribute('part') !== 'day');

describe('inbox-timeline', () => {
  it('shows messages, replies, internal notes and events as sentences', async () => {
    const inbox = await fixtureInbox();
    const { root, remove } = await mountPart('inbox-timeline', inbox);
    await inbox.store.open('conv_lucia');
    const items = () => allByRole(root, 'listitem').filter((li) => li.getAttribute('part') !== 'day');
    await until(() => items().length === 7 && /Lucía/.test(root.textContent ?? ''), 2000, 'timeline');
    const log = byRole(root, 'log', 'Timeline');
    const text = log.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Lucía Fernández').and.contain('Hola, ¿tienen disponibilidad para el sábado?');
    expect(text).to.contain('Ana assigned this to María');
    expect(text).to.contain('Resolved by María');
    expect(text).to.contain('Reopened by a new message');
    expect(text).to.contain('Conversation started from facebook-ad');
    const noteItem = allByRole(root, 'listitem').find((li) => li.textContent!.includes('confirm the slot'))!;
    expect(noteItem.textContent).to.contain('Internal note').and.contain('Ana Silva');
    expect(noteItem.getAttribute('part')).to.equal('note');
    expect(getComputedStyle(noteItem).backgroundColor).to.not.equal(getComputedStyle(items()[1]!).backgroundColor);
    const link = byRole(root, 'link', 'https://example.com/booking');
    expect(link.getAttribute('href')).to.equal('https://example.com/booking');
    expect(link.getAttribute('rel')).to.contain('noopener');
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('names the rule that wrote a note: its own name, or (older notes) from the events it wrote beside it', async () => {
    const world = demoWorld();
    const rule = { type: 'workflow' as const, id: 'wf_es' };
    const byRule = { ...note('conv_priya', 'Routed by Spanish → bilingual', ana.id, [], 1), author: rule };
    const unknownRule = { ...note('conv_priya', 'From a rule that wrote nothing else here', ana.id, [], 0), author: { type: 'workflow' as const, id: 'wf_other' } };
    const named = { ...note('conv_priya', 'A note that names its rule', ana.id, [], 3), author: { type: 'workflow' as const, id: 'wf_vip', name: 'VIP desk' } };
    world.timelines.set('conv_priya', [event('conv_priya', 'tagged', rule, { added: ['es'], removed: [], workflowName: 'Spanish → bilingual' }, 2), byRule, unknownRule, named]);
    const inbox = await fixtureInbox({ world });
    const { root, remove } = await mountPart('inbox-timeline', inbox);
    await inbox.store.open('conv_priya');
    await until(() => entries(root).length === 4, 2000, 'timeline');
    const byline = (text: string) => entries(root).find((li) => li.textContent!.includes(text))!.querySelector('.author')!.textContent;
    expect(byline('names its rule')).to.equal('VIP desk');
    expect(byline('Routed by')).to.equal('Spanish → bilingual');
    expect(byline('wrote nothing else')).to.equal('A rule');
    remove();
  });

  it("names the team a rule's assignment moved the conversation into", async () => {
    const world = demoWorld();
    const rule = { type: 'workflow' as const, id: 'wf_all' };
    world.timelines.set('conv_priya', [event('conv_priya', 'assigned', rule, { from: null, to: ben.id, teamId: support.id, teamFrom: null, workflowName: 'Everyone else → Support' }, 0)]);
    const inbox = await fixtureInbox({ world });
    const { root, remove } = await mountPart('inbox-timeline', inbox);
    await inbox.store.open('conv_priya');
    await until(() => /Assigned to Ben in Support by rule Everyone else → Support/.test(root.textContent ?? ''), 2000, 'the team named once teams are loaded');
    remove();
  });

  it('adds another agent’s note live from the socket', async () => {
    const inbox = await fixtureInbox();
    const { root, remove } = await mountPart('inbox-timeline', inbox);
    await inbox.store.open('conv_priya');
    await until(() => entries(root).length === 1);
    const item = note('conv_priya', '@ana I checked the import worker', ben.id, [ana.id], 0);
    inbox.realtime.emit('timeline:added', { seq: item.seq, item });
    await until(() => entries(root).length === 2, 2000, 'live note');
    expect(root.textContent).to.contain('I checked the import worker');
    remove();
  });

  it('renders markup and javascript: links in bodies as inert text', async () => {
    const world = demoWorld();
    const xss = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> javascript:window.__xss=3 <a href="javascript:alert(1)">click</a> mailto:help@example.com';
    world.timelines.set('conv_priya', [message('conv_priya', xss, 'inbound', null, 2), note('conv_priya', xss, ana.id, [], 1)]);
    const inbox = await fixtureInbox({ world });
    const { root, remove } = await mountPart('inbox-timeline', inbox);
    await inbox.store.open('conv_priya');
    await until(() => entries(root).length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(root.querySelectorAll('img, script, iframe')).to.have.length(0);
    const hrefs = [...root.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).to.deep.equal(['mailto:help@example.com', 'mailto:help@example.com']);
    expect(root.textContent).to.contain('<img src=x onerror="window.__xss=1">').and.contain('javascript:window.__xss=3');
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
    remove();
  });

  it('lays out each line of a message in its own direction: Arabic from the right, English from the left', async () => {
    const world = demoWorld();
    world.timelines.set('conv_priya', [message('conv_priya', 'مرحبا\nHello', 'inbound', null, 2)]);
    const inbox = await fixtureInbox({ world });
    const { root, remove } = await mountPart('inbox-timeline', inbox);
    await inbox.store.open('conv_priya');
    await until(() => entries(root).length === 1);
    const bubble = root.querySelector<HTMLElement>('.bubble')!;
    bubble.style.width = '400px';
    const text = [...bubble.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.includes('مرحبا'))!;
    const at = (word: string) => {
      const range = document.createRange();
      const i = text.textContent!.indexOf(word);
      range.setStart(text, i);
      range.setEnd(text, i + word.length);
      return range.getBoundingClientRect();
    };
    const box = bubble.getBoundingClientRect();
    const middle = box.left + box.width / 2;
    expect(at('مرحبا').left).to.be.above(middle, 'the Arabic line starts at the right');
    expect(at('Hello').right).to.be.below(middle, 'the English line starts at the left');
    remove();
  });

  it("folds the quoted history under a customer's email, as mail clients do", async () => {
    const email = 'Hi,\n\nThe invoice is wrong.\n\nThanks\n\nOn Mon, Dec 1, Ana wrote:\n> We updated your address.\n>\n> Ana';
    expect(splitQuoted(email)).to.deep.equal(['Hi,\n\nThe invoice is wrong.\n\nThanks', 'On Mon, Dec 1, Ana wrote:\n> We updated your address.\n>\n> Ana']);
    expect(splitQuoted('El lun, 1 dic, Ana escribió:\n> Hola')).to.deep.equal(['El lun, 1 dic, Ana escribió:\n> Hola', ''], 'all quote: shown whole');
    expect(splitQuoted('> a quote first\nthen my answer')).to.deep.equal(['> a quote first\nthen my answer', ''], 'only a trailing quote folds');
    expect(splitQuoted('Yes please\n> Do you want it?\n')).to.deep.equal(['Yes please', '> Do you want it?\n']);
    expect(splitQuoted('2 > 1, no quote')).to.deep.equal(['2 > 1, no quote', '']);

    const world = demoWorld();
    world.timelines.set('conv_priya', [message('conv_priya', email, 'inbound', null, 2), message('conv_priya', 'Fixed.\n> We updated your address.', 'outbound', ana.id, 1)]);
    const inbox = await fixtureInbox({ world });
    const { root, remove } = await mountPart('inbox-timeline', inbox);
    await inbox.store.open('conv_priya');
    await until(() => entries(root).length === 2);
    const [inbound, outbound] = entries(root);
    const quoted = inbound!.querySelector<HTMLDetailsElement>('details[part="quoted"]')!;
    expect(quoted.open).to.equal(false);
    expect(quoted.querySelector('summary')!.textContent).to.equal('Quoted text');
    expect(inbound!.textContent).to.contain('The invoice is wrong.');
    expect(quoted.textContent).to.contain('On Mon, Dec 1, Ana wrote:').and.contain('> We updated your address.');
    // Folded: the quote takes no room until asked for.
    const folded = inbound!.getBoundingClientRect().height;
    quoted.querySelector('summary')!.click();
    await until(() => quoted.open);
    expect(inbound!.getBoundingClientRect().height).to.be.greaterThan(folded + 30);
    // An agent's own reply is shown as written.
    expect(outbound!.querySelector('details')).to.equal(null);
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('separates days with a label and shows an avatar by each author', async () => {
    const world = demoWorld();
    const older = { ...message('conv_lucia', 'Are you open on weekends?', 'inbound', null, 2 * 24 * 60 + 5), seq: 1 };
    world.timelines.set('conv_lucia', [older, ...world.timelines.get('conv_lucia')!]);
    const inbox = await fixtureInbox({ world });
    const { root, remove } = await mountPart('inbox-timeline', inbox);
    await inbox.store.open('conv_lucia');
    await until(() => /weekends/.test(root.textContent ?? '') && /Lucía/.test(root.textContent ?? ''), 2000, 'timeline');
    const all = allByRole(root, 'listitem');
    const labels = all.filter((li) => li.getAttribute('part') === 'day').map((li) => li.textContent!.trim());
    expect(all[0]!.getAttribute('part')).to.equal('day');
    expect(labels[0]).to.equal(dayLabel(older.createdAt, Date.now()));
    expect(labels[0]).to.not.match(/^(Today|Yesterday)$/);
    const last = world.timelines.get('conv_lucia')!.at(-1)!;
    expect(labels.at(-1)).to.equal(dayLabel(last.createdAt, Date.now()));
    const byAuthor = (text: string) => all.find((li) => li.textContent!.includes(text))!.querySelector('baton-avatar')?.getAttribute('name');
    expect(byAuthor('weekends')).to.equal('Lucía Fernández');
    expect(byAuthor('confirm the slot')).to.equal('Ana Silva');
    expect(byAuthor('See https://example.com')).to.equal('María García');
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('scrolled up through the history, a new message does not move the page: "New messages" takes the reader down', async () => {
    const world = demoWorld();
    world.timelines.set('conv_priya', Array.from({ length: 30 }, (_, i) => message('conv_priya', `Earlier message ${i}`, i % 2 ? 'outbound' : 'inbound', ana.id, 60 - i)));
    const inbox = await fixtureInbox({ world });
    const { el, root, remove } = await mountPart('inbox-timeline', inbox);
    el.style.height = '240px';
    await inbox.store.open('conv_priya');
    const log = byRole(root, 'log', 'Timeline');
    await until(() => entries(root).length === 30 && log.scrollHeight > log.clientHeight * 2, 2000, 'a long timeline');
    const jump = () => allByRole(root, 'button', 'New messages ↓');
    // At the bottom the log follows: a new message scrolls into view, and nothing is offered.
    await until(() => log.scrollHeight - log.scrollTop - log.clientHeight < 2, 2000, 'opened at the latest');
    const live = (item: TimelineItem) => inbox.realtime.emit('timeline:added', { seq: item.seq, item });
    live(message('conv_priya', 'Still there?', 'inbound', null, 0));
    await until(() => entries(root).length === 31 && log.scrollHeight - log.scrollTop - log.clientHeight < 2, 2000, 'followed');
    expect(jump()).to.have.length(0);

    // Scrolled up, reading: an event changes nothing; a message or a note is offered, the page stays put.
    log.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(r));
    live(event('conv_priya', 'tagged', { type: 'agent', id: ben.id }, { added: ['vip'], removed: [] }, 0));
    await until(() => entries(root).length === 32, 2000, 'the event');
    expect(jump()).to.have.length(0);
    live(note('conv_priya', 'I will take this one', ben.id, [], 0));
    await until(() => jump().length === 1, 2000, '"New messages"');
    expect(log.scrollTop).to.equal(0);
    await expectNoAxeViolations(el);

    jump()[0]!.click();
    await until(() => jump().length === 0, 2000, 'gone once used');
    expect(log.scrollHeight - log.scrollTop - log.clientHeight).to.be.lessThan(2);
    expect(root.activeElement).to.equal(log);

    // Scrolling down by hand clears it too.
    log.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(r));
    live(message('conv_priya', 'Hello?', 'inbound', null, 0));
    await until(() => jump().length === 1, 2000, 'offered again');
    log.scrollTop = log.scrollHeight;
    await until(() => jump().length === 0, 2000, 'cleared by scrolling down');
    remove();
  });

  it('a reader at the latest item stays there when the log gets shorter (the composer grows); one scrolled up stays put', async () => {
    const world = demoWorld();
    world.timelines.set('conv_priya', Array.from({ length: 30 }, (_, i) => message('conv_priya', `Earlier message ${i}`, 'inbound', null, 60 - i)));
    const inbox = await fixtureInbox({ world });
    const { el, root, remove } = await mountPart('inbox-timeline', inbox);
    el.style.height = '300px';
    await inbox.store.open('conv_priya');
    const log = byRole(root, 'log', 'Timeline');
    const fromBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight;
    await until(() => entries(root).length === 30 && fromBottom() < 2, 2000, 'opened at the latest');
    el.style.height = '180px';
    await until(() => log.clientHeight < 200 && fromBottom() < 2, 2000, 'still at the latest');

    log.scrollTop = 40;
    await new Promise((r) => requestAnimationFrame(r));
    el.style.height = '120px';
    await until(() => log.clientHeight < 140, 2000, 'shorter');
    await new Promise((r) => requestAnimationFrame(r));
    expect(log.scrollTop).to.equal(40);
    remove();
  });
});

