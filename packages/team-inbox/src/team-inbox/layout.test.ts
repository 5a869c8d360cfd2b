import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { conversation, demoWorld, fixtureInbox, until, type World } from '../testing/fixtures.js';
import { allByRole, byRole, settled } from '../testing/mount.js';
import type { TeamInbox } from './team-inbox.js';
import '../define.js';

type Box = { name: string; rect: DOMRect };
const visible = (el: Element) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
function expectNoOverlap(boxes: Box[]): void {
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!.rect;
      const b = boxes[j]!.rect;
      // A pixel of shared border is not an overlap.
      const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
      expect(overlap, `${boxes[i]!.name} overlaps ${boxes[j]!.name}`).to.equal(false);
    }
  }
}

/** A workspace with a long subject and 30 open conversations: enough rows to fill any height. */
function busyWorld(): World {
  const world = demoWorld();
  world.conversations = world.conversations.map((c) =>
    c.id === 'conv_priya' ? { ...c, subject: 'API returns 502 on bulk import of contacts from the legacy CRM export every night' } : c,
  );
  for (let i = 0; i < 30; i++) world.conversations.push(conversation(`conv_more_${i}`, 'ct_mallory', 100 + i, { preview: `Question ${i}` }));
  return world;
}

async function mountAt(width: number, height = 900): Promise<{ el: TeamInbox; parts: Record<string, HTMLElement> }> {
  const fx = await fixtureInbox({ world: busyWorld(), view: 'all' });
  const el = document.createElement('team-inbox');
  el.setAttribute('view', 'all');
  el.setAttribute('conversation-id', 'conv_priya');
  Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
  el.style.width = `${width}px`;
  el.style.height = `${height}px`;
  // Lower than its own 480 px minimum only where a host says so (the demo CRM's flex column does).
  if (height < 480) el.style.minHeight = '0';
  document.body.append(el);
  await el.updateComplete;
  const root = el.shadowRoot!;
  await until(() => /Priya Patel/.test(root.querySelector('inbox-conversation-header')!.shadowRoot!.textContent ?? ''), 3000, 'header');
  await settled(el);
  const q = (s: string) => root.querySelector<HTMLElement>(s)!;
  return { el, parts: { sidebar: q('[part="sidebar"]'), conversation: q('[part="conversation"]'), details: q('[part="details"]') } };
}

function headerBoxes(el: TeamInbox): Box[] {
  const header = el.shadowRoot!.querySelector('inbox-conversation-header')!.shadowRoot!;
  const heading = byRole(header, 'heading');
  return [
    { name: 'contact and subject', rect: heading.parentElement!.getBoundingClientRect() },
    ...allByRole(header, 'button').map((b) => ({ name: b.textContent!.trim(), rect: b.getBoundingClientRect() })),
  ];
}

describe('team-inbox at every width (its own size)', () => {
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  for (const width of [1440, 1024]) {
    it(`${width} px: three columns, none empty, nothing overlaps, 10+ rows at 900 px high`, async () => {
      const { el, parts } = await mountAt(width);
      for (const p of Object.values(parts)) expect(p.getBoundingClientRect().width).to.be.greaterThan(200);
      expectNoOverlap(Object.entries(parts).map(([name, p]) => ({ name, rect: p.getBoundingClientRect() })));
      expectNoOverlap(headerBoxes(el));
      expect(allByRole(el.shadowRoot!, 'button', 'Details').filter(visible)).to.have.length(0);
      const listbox = byRole(el.shadowRoot!.querySelector('inbox-conversation-list')!.shadowRoot!, 'listbox');
      const area = listbox.getBoundingClientRect();
      const whole = allByRole(listbox, 'option').filter((o) => {
        const r = o.getBoundingClientRect();
        return r.top >= area.top - 1 && r.bottom <= area.bottom + 1;
      });
      expect(whole.length).to.be.at.least(10);
    });
  }

  it("1280 px: the bell's panel and search's results hang over the next column whole, not cut at the sidebar's edge", async () => {
    const { el, parts } = await mountAt(1280);
    const root = el.shadowRoot!;
    const bell = root.querySelector('inbox-notification-bell')!;
    byRole(bell.shadowRoot!, 'button', /^Notifications/).click();
    const panel = () => bell.shadowRoot!.querySelector<HTMLElement>('[part="panel"]')!;
    await until(() => visible(panel()), 2000, 'the panel');
    await settled(el);
    const box = panel().getBoundingClientRect();
    expect(box.right, 'it does reach past the sidebar').to.be.greaterThan(parts.sidebar!.getBoundingClientRect().right);
    // What is painted at the panel's far edge is the panel, not the pane it overlaps.
    // (Compared as a boolean: chai printing two elements of this page on a failure takes minutes.)
    expect(root.elementFromPoint(box.right - 6, box.top + 12) === bell, "the bell's panel at its far edge").to.equal(true);
    byRole(bell.shadowRoot!, 'button', /^Notifications/).click();
    await until(() => !visible(panel()), 2000, 'the panel closed');

    const search = root.querySelector('inbox-search')!;
    const box2 = byRole(search.shadowRoot!, 'combobox', 'Search') as HTMLInputElement;
    box2.focus();
    box2.value = 'nothing matches this';
    box2.dispatchEvent(new Event('input'));
    const popup = () => search.shadowRoot!.querySelector<HTMLElement>('.popup.status');
    await until(() => !!popup() && visible(popup()!), 3000, 'the results popup');
    const results = popup()!.getBoundingClientRect();
    expect(results.right).to.be.greaterThan(parts.sidebar!.getBoundingClientRect().right);
    expect(root.elementFromPoint(results.right - 6, results.top + 8) === search, 'the results at their far edge').to.equal(true);
  });

  it('1440 px with nothing open: the list, and one empty state across the other two columns', async () => {
    const { el, parts } = await mountAt(1440);
    el.removeAttribute('conversation-id');
    await until(() => byRole(el.shadowRoot!, 'heading', 'No conversation open') !== null, 2000, 'the empty state');
    await settled(el);
    expect(visible(parts.details!)).to.equal(false);
    const list = parts.sidebar!.getBoundingClientRect();
    const empty = parts.conversation!.getBoundingClientRect();
    expect(empty.left).to.be.at.least(list.right - 1);
    expect(empty.right).to.be.closeTo(el.getBoundingClientRect().right, 2);
    await expectNoAxeViolations(el);
  });

  it('800 px: list + conversation; details open as a drawer from "Details"', async () => {
    const { el, parts } = await mountAt(800);
    expect(visible(parts.details!)).to.equal(false);
    expect(parts.sidebar!.getBoundingClientRect().width).to.be.greaterThan(200);
    expect(parts.conversation!.getBoundingClientRect().width).to.be.greaterThan(300);
    expectNoOverlap([parts.sidebar!, parts.conversation!].map((p, i) => ({ name: `column ${i}`, rect: p.getBoundingClientRect() })));
    expectNoOverlap(headerBoxes(el));
    const toggle = byRole(el.shadowRoot!, 'button', 'Details');
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    toggle.focus();
    toggle.click();
    await settled(el);
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    expect(visible(parts.details!)).to.equal(true);
    // Focus goes into the drawer, not left behind it.
    const close = byRole(el.shadowRoot!, 'button', 'Close details');
    expect(el.shadowRoot!.activeElement).to.equal(close);
    expect(parts.details!.getBoundingClientRect().right).to.be.at.most(el.getBoundingClientRect().right + 1);
    await expectNoAxeViolations(el);
    byRole(el.shadowRoot!, 'button', 'Close details').click();
    await until(() => !visible(parts.details!), 1000, 'drawer closed');
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(el.shadowRoot!.activeElement).to.equal(toggle);

    // `a` opens it at "Assigned to"; Escape there (its list closed) closes the drawer, focus back on "Details".
    await sendKeys({ press: 'a' });
    const details = () => el.shadowRoot!.querySelector('inbox-details')!.shadowRoot!;
    await until(() => visible(parts.details!) && details().querySelector('inbox-assignee-picker')?.shadowRoot?.activeElement != null, 2000, 'Assigned to focused');
    await sendKeys({ press: 'Escape' }); // closes its list of agents, if open
    await settled(el);
    if (visible(parts.details!)) await sendKeys({ press: 'Escape' });
    await until(() => !visible(parts.details!), 1000, 'drawer closed by Escape');
    expect(el.shadowRoot!.activeElement).to.equal(toggle);
  });

  it('short (640 × 300, a 1,280 × 600 window at 200% zoom): the timeline and the list keep rows; their columns scroll', async () => {
    const { el, parts } = await mountAt(640, 300);
    const timeline = parts.conversation!.querySelector('inbox-timeline')!;
    expect(timeline.getBoundingClientRect().height).to.be.at.least(120);
    // The column scrolls to reach the composer below it.
    expect(parts.conversation!.scrollHeight).to.be.greaterThan(parts.conversation!.clientHeight);
    const composer = parts.conversation!.querySelector('inbox-composer')!;
    composer.scrollIntoView();
    expect(composer.getBoundingClientRect().bottom).to.be.at.most(el.getBoundingClientRect().bottom + 1);
    // Back to the list: three rows or more, under the views, reached by scrolling the column.
    byRole(el.shadowRoot!, 'button', 'Back to conversations').click();
    await until(() => visible(parts.sidebar!), 2000, 'the list');
    await settled(el);
    const listbox = byRole(el.shadowRoot!.querySelector('inbox-conversation-list')!.shadowRoot!, 'listbox');
    expect(listbox.getBoundingClientRect().height).to.be.at.least(3 * 56 - 40);
    expect(allByRole(listbox, 'option').length).to.be.at.least(3);
  });

  it('390 px: one column, the conversation with "Back to conversations", then the list again', async () => {
    const { el, parts } = await mountAt(390);
    expect(visible(parts.sidebar!)).to.equal(false);
    expect(parts.conversation!.getBoundingClientRect().width).to.be.greaterThan(370);
    expectNoOverlap(headerBoxes(el));
    for (const b of headerBoxes(el)) expect(b.rect.right, b.name).to.be.at.most(el.getBoundingClientRect().right + 1);
    // The name keeps room to be read: the buttons wrap below it instead.
    const name = byRole(el.shadowRoot!.querySelector('inbox-conversation-header')!.shadowRoot!, 'heading');
    expect(name.scrollWidth).to.be.at.most(name.clientWidth);
    // Under it, each piece (channel, the long subject) keeps to one line: wrapped whole, or cut with an ellipsis.
    for (const piece of el.shadowRoot!.querySelector('inbox-conversation-header')!.shadowRoot!.querySelectorAll<HTMLElement>('.meta > span')) {
      const line = parseFloat(getComputedStyle(piece).lineHeight);
      expect(piece.getBoundingClientRect().height, piece.textContent!).to.be.at.most(line + 1);
    }
    // The composer's row wraps, and "Send" stays last, beside "Send and resolve", at the right edge
    // (at full size, once focused: idle it is one line, composer-compact.test.ts).
    const composer = el.shadowRoot!.querySelector('inbox-composer')!.shadowRoot!;
    byRole(composer, 'textbox', /^Reply/).focus();
    const [manage, andResolve, send] = ['Manage saved replies', 'Send and resolve', 'Send'].map((n) => byRole(composer, 'button', n).getBoundingClientRect());
    expectNoOverlap([
      { name: 'Manage saved replies', rect: manage! },
      { name: 'Send and resolve', rect: andResolve! },
      { name: 'Send', rect: send! },
    ]);
    expect(send!.top, 'Send on the line of Send and resolve').to.be.closeTo(andResolve!.top, 1);
    expect(send!.left).to.be.greaterThan(andResolve!.right);
    expect(send!.right).to.be.closeTo(parts.conversation!.getBoundingClientRect().right - 16, 2);
    await expectNoAxeViolations(el);
    // Escape (focus in the conversation, not typing) is "Back to conversations" here.
    expect(byRole(el.shadowRoot!, 'button', 'Back to conversations').getAttribute('aria-keyshortcuts')).to.equal('Escape');
    parts.conversation!.querySelector<HTMLElement>('inbox-timeline')!.shadowRoot!.querySelector<HTMLElement>('[role="log"]')!.focus();
    await sendKeys({ press: 'Escape' });
    await until(() => visible(parts.sidebar!), 2000, 'list shown');
    expect(visible(parts.conversation!)).to.equal(false);
    expect(el.getAttribute('conversation-id') ?? '').to.equal('');
    expect(parts.sidebar!.getBoundingClientRect().width).to.be.greaterThan(370);
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    expect(active?.textContent).to.match(/Priya/);
    await expectNoAxeViolations(el);

    // Opening it again with Enter hides the row that had focus: focus goes to the conversation's name.
    await sendKeys({ press: 'Enter' });
    await until(() => visible(parts.conversation!), 2000, 'the conversation again');
    const header = el.shadowRoot!.querySelector('inbox-conversation-header')!.shadowRoot!;
    await until(() => header.activeElement === byRole(header, 'heading'), 2000, 'focus on the conversation’s name');
  });
});
