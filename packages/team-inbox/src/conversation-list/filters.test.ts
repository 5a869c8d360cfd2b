import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { demoWorld, fixtureInbox, support, until } from '../testing/fixtures.js';
import { allByRole, byRole, mountPart, press, settled } from '../testing/mount.js';

const choose = (select: HTMLElement, value: string) => {
  (select as HTMLSelectElement).value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
};
const lastList = (requests: string[]) => [...requests].reverse().find((r) => r.startsWith('GET /v1/conversations?'))!;

describe('list filters and sort', () => {
  it('"Filters" opens channel, team, tag, priority and sort; each is in the list request; "Clear filters" undoes them, counts unchanged', async () => {
    const world = demoWorld();
    const inbox = await fixtureInbox({ world, view: 'all' });
    const { el, root, remove } = await mountPart('inbox-conversation-list', inbox);
    await until(() => allByRole(root, 'option').length === 2, 2000, 'two rows');
    const counts = inbox.store.getSnapshot().counts;
    expect(allByRole(root, 'button', 'Clear filters')).to.have.length(0);
    const toggle = byRole(root, 'button', 'Filters');
    toggle.click();
    await until(() => allByRole(root, 'group', 'Filters').length === 1, 2000, 'the filters panel');
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    await settled(el);

    choose(byRole(root, 'combobox', 'Channel'), 'email');
    await until(() => allByRole(root, 'option').length === 1, 2000, 'email only');
    expect(lastList(world.requests)).to.contain('channel=email');
    expect(allByRole(root, 'option')[0]!.textContent).to.contain('Priya Patel');
    expect(allByRole(root, 'button', 'Clear filters')).to.have.length(1);
    await expectNoAxeViolations(root.host);

    choose(byRole(root, 'combobox', 'Channel'), '');
    await until(() => !lastList(world.requests).includes('channel='), 2000, 'channel cleared');
    await until(() => allByRole(root, 'combobox', 'Team').some((s) => s.textContent!.includes('Support')), 2000, 'teams loaded');
    choose(byRole(root, 'combobox', 'Team'), support.id);
    await until(() => lastList(world.requests).includes(`teamId=${support.id}`), 2000, 'team in the request');
    await until(() => allByRole(root, 'option').length === 1, 2000, 'Support only');
    expect(allByRole(root, 'option')[0]!.textContent).to.contain('Lucía');
    choose(byRole(root, 'combobox', 'Team'), '');
    choose(byRole(root, 'combobox', 'Priority'), 'urgent');
    await until(() => lastList(world.requests).includes('priority=urgent'), 2000, 'priority in the request');
    await until(() => allByRole(root, 'option').length === 0, 2000, 'no urgent rows');
    expect(root.textContent).to.contain('No conversations in All match these filters');
    choose(byRole(root, 'combobox', 'Priority'), '');
    const tag = byRole(root, 'textbox', 'Tag') as HTMLInputElement;
    tag.value = 'es';
    tag.dispatchEvent(new Event('change', { bubbles: true }));
    await until(() => lastList(world.requests).includes('tag=es'), 2000, 'tag in the request');
    await until(() => allByRole(root, 'option').length === 1, 2000, 'tagged only');
    tag.value = '';
    tag.dispatchEvent(new Event('change', { bubbles: true }));
    choose(byRole(root, 'combobox', 'Sort'), 'oldest_waiting');
    await until(() => lastList(world.requests).includes('sort=oldest_waiting'), 2000, 'sort in the request');
    await until(() => allByRole(root, 'option').length === 2 && allByRole(root, 'option')[0]!.textContent!.includes('Priya'), 2000, 'oldest first');

    byRole(root, 'button', 'Clear filters').focus();
    byRole(root, 'button', 'Clear filters').click();
    await until(() => allByRole(root, 'option').length === 2 && allByRole(root, 'option')[0]!.textContent!.includes('Lucía'), 2000, 'newest first again');
    expect(lastList(world.requests)).to.not.match(/channel=|teamId=|tag=|priority=|sort=/);
    expect(allByRole(root, 'button', 'Clear filters')).to.have.length(0);
    expect(root.activeElement).to.equal(byRole(root, 'button', 'Filters'));
    expect(inbox.store.getSnapshot().counts).to.deep.equal(counts);

    // Escape from a field of the panel closes it, focus back on "Filters", and goes no further.
    const channel = byRole(root, 'combobox', 'Channel');
    channel.focus();
    let escaped = false;
    root.host.parentElement!.addEventListener('keydown', () => (escaped = true), { once: true });
    press(channel, 'Escape');
    await settled(el);
    expect(allByRole(root, 'group', 'Filters')).to.have.length(0);
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(root.activeElement).to.equal(toggle);
    expect(escaped, 'the inbox does not also act on it').to.equal(false);
    remove();
  });
});
