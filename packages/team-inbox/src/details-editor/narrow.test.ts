import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { fixtureInbox, until } from '../testing/fixtures.js';
import { allByRole, byRole, settled } from '../testing/mount.js';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import '../define.js';

/** Everything inside stays within the element's own width: no sideways scrolling at 390 px. */
function expectWithin(el: TeamInbox, node: Element, name: string): void {
  const outer = el.getBoundingClientRect();
  const r = node.getBoundingClientRect();
  expect(r.width, `${name} is shown`).to.be.greaterThan(0);
  expect(r.left, `${name} left`).to.be.at.least(outer.left - 1);
  expect(r.right, `${name} right`).to.be.at.most(outer.right + 1);
}

describe('the new controls fit: 390 px and a narrow sidebar at 1,440 px', () => {
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  async function mount(conversationId = 'conv_priya'): Promise<TeamInbox> {
    const fx = await fixtureInbox({ view: 'all' });
    const el = document.createElement('team-inbox');
    el.setAttribute('view', 'all');
    if (conversationId) el.setAttribute('conversation-id', conversationId);
    Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
    el.style.width = '390px';
    el.style.height = '800px';
    document.body.append(el);
    await el.updateComplete;
    return el;
  }

  it('the Available switch fits beside search and the bell', async () => {
    const el = await mount('');
    const sw = () => el.shadowRoot!.querySelector('inbox-availability-switch')!.shadowRoot!;
    await until(() => allByRole(sw(), 'switch').length === 1 && byRole(sw(), 'switch').getAttribute('aria-checked') === 'true', 3000, 'switch');
    expectWithin(el, byRole(sw(), 'switch'), 'Available');
    const sidebar = el.shadowRoot!.querySelector('[part="sidebar"]')!;
    expect(sidebar.scrollWidth).to.be.at.most(sidebar.clientWidth + 1);
    await expectNoAxeViolations(el);
  });

  it('at 1,440 px the switch stays inside the sidebar, clear of search and the bell', async () => {
    const el = await mount('');
    el.style.width = '1440px';
    await settled(el);
    const sw = () => el.shadowRoot!.querySelector('inbox-availability-switch')!.shadowRoot!;
    await until(() => allByRole(sw(), 'switch').length === 1, 3000, 'switch');
    const sidebar = el.shadowRoot!.querySelector('[part="sidebar"]')!.getBoundingClientRect();
    const swRect = byRole(sw(), 'switch').getBoundingClientRect();
    const bell = el.shadowRoot!.querySelector('inbox-notification-bell')!.getBoundingClientRect();
    const search = el.shadowRoot!.querySelector('inbox-search')!.getBoundingClientRect();
    expect(swRect.right, 'switch inside the sidebar').to.be.at.most(sidebar.right + 1);
    expect(swRect.left, 'switch after the bell').to.be.at.least(bell.right - 1);
    expect(bell.left, 'bell after search').to.be.at.least(search.right - 1);
    expect(search.width, 'search keeps a usable width').to.be.greaterThan(120);
  });

  it('Snooze choices and the details editor fit the one column', async () => {
    const el = await mount();
    const header = () => el.shadowRoot!.querySelector('inbox-conversation-header')!.shadowRoot!;
    await until(() => allByRole(header(), 'button', 'Snooze').length === 1, 3000, 'Snooze');
    byRole(header(), 'button', 'Snooze').click();
    await until(() => !!header().querySelector('inbox-snooze-menu')?.shadowRoot?.querySelector('input'), 3000, 'snooze choices');
    await settled(el);
    const panel = header().querySelector('#snooze-panel')!;
    expectWithin(el, panel, 'snooze choices');
    for (const b of allByRole(header().querySelector('inbox-snooze-menu')!.shadowRoot!, 'button')) expectWithin(el, b, b.textContent!.trim());
    await expectNoAxeViolations(el);
    byRole(header(), 'button', 'Snooze').click(); // closes

    byRole(el.shadowRoot!, 'button', 'Details').click();
    const details = () => el.shadowRoot!.querySelector('inbox-details')!.shadowRoot!;
    await until(() => allByRole(details(), 'button', 'Edit details').length === 1, 3000, 'details drawer');
    byRole(details(), 'button', 'Edit details').click();
    await until(() => !!details().querySelector('inbox-details-editor')?.shadowRoot?.querySelector('#tag-input'), 3000, 'editor');
    await settled(el);
    const form = details().querySelector('inbox-details-editor')!.shadowRoot!;
    for (const id of ['subject', 'priority', 'team', 'tag-input']) expectWithin(el, form.getElementById(id)!, id);
    expectWithin(el, byRole(form, 'button', 'Save'), 'Save');
    await expectNoAxeViolations(el);
  });
});
