import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { conversation, demoWorld, fixtureInbox, lucia, until } from '../testing/fixtures.js';
import { allByRole, byRole, mountPart, press, settled } from '../testing/mount.js';

/** Five open conversations, newest first: conv_0 … conv_4. */
async function fiveRows() {
  const world = demoWorld();
  world.conversations = Array.from({ length: 5 }, (_, i) => conversation(`conv_${i}`, lucia.id, i + 1, { preview: `Message ${i}` }));
  const inbox = await fixtureInbox({ world, view: 'all' });
  const mounted = await mountPart('inbox-conversation-list', inbox);
  await until(() => allByRole(mounted.root, 'option').length === 5, 2000, 'five rows');
  return { inbox, world, ...mounted };
}

const checked = (root: ShadowRoot) => allByRole(root, 'option').filter((o) => o.getAttribute('aria-checked') === 'true').map((o) => o.id.replace('row-', ''));

describe('bulk select in the conversation list', () => {
  it('ticks with x, extends with Shift+x and Shift+click, and resolves in bulk with per-id results, focus staying in the list', async () => {
    const { world, el, root, remove } = await fiveRows();
    const rows = () => allByRole(root, 'option');
    rows()[0]!.focus();
    press(rows()[0]!, 'x');
    await settled(el);
    expect(checked(root)).to.deep.equal(['conv_0']);
    await until(() => allByRole(root, 'toolbar', 'Bulk actions').length === 1, 2000, 'the bulk bar');
    expect(allByRole(root, 'toolbar', 'Bulk actions')[0]!.textContent).to.contain('1 selected');
    press(rows()[0]!, 'ArrowDown');
    press(rows()[1]!, 'ArrowDown');
    await settled(el);
    press(rows()[2]!, 'x', { shiftKey: true });
    await settled(el);
    expect(checked(root)).to.deep.equal(['conv_0', 'conv_1', 'conv_2']);
    // The count is said as it changes (a polite status), not only shown.
    await until(() => allByRole(root, 'status').some((s) => s.textContent === '3 selected'), 2000, 'the count said');
    rows()[4]!.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, shiftKey: true }));
    await settled(el);
    expect(checked(root)).to.deep.equal(['conv_0', 'conv_1', 'conv_2', 'conv_3', 'conv_4']);
    await expectNoAxeViolations(root.host);

    world.conflicts = new Set(['conv_3', 'conv_4']);
    byRole(root, 'button', 'Resolve').click();
    await until(() => byRole(root, 'status').textContent === '3 resolved, 2 changed by someone else', 2000, 'the summary');
    // The resolved ones left All; the two someone else changed stay ticked, to look at again.
    await until(() => rows().length === 2, 2000, 'resolved rows gone');
    expect(checked(root)).to.deep.equal(['conv_3', 'conv_4']);
    expect(world.requests).to.include('POST /v1/conversations/bulk');
    await until(() => root.activeElement?.getAttribute('role') === 'option', 2000, 'focus back in the list');
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('"Select all in view" ticks every row, and again unticks them; the bar goes with the last one', async () => {
    const { el, root, remove } = await fiveRows();
    const all = byRole(root, 'checkbox', 'Select all in view') as HTMLInputElement;
    all.click();
    await settled(el);
    expect(checked(root)).to.have.length(5);
    await until(() => allByRole(root, 'toolbar', 'Bulk actions').length === 1, 2000, 'the bulk bar');
    expect(byRole(root, 'toolbar', 'Bulk actions').textContent).to.contain('5 selected');
    all.click();
    await settled(el);
    expect(checked(root)).to.have.length(0);
    expect(allByRole(root, 'toolbar', 'Bulk actions')).to.have.length(0);
    remove();
  });

  it('assigns, tags and snoozes in bulk through the bar, each only on its button: moving through a picker changes nothing', async () => {
    const { world, el, root, remove } = await fiveRows();
    (byRole(root, 'checkbox', 'Select all in view') as HTMLInputElement).click();
    await until(() => allByRole(root, 'toolbar', 'Bulk actions').length === 1, 2000, 'the bulk bar');
    await settled(el);
    const assign = byRole(root, 'combobox', 'Assign to') as HTMLSelectElement;
    // Nothing chosen: the browser asks for a choice and nothing is sent.
    byRole(root, 'button', 'Assign').click();
    // An arrow key on a closed picker (Chrome on Linux and Windows) changes its value: still nothing.
    assign.value = world.agents[1]!.id;
    assign.dispatchEvent(new Event('change', { bubbles: true }));
    await settled(el);
    expect(world.requests).not.to.include('POST /v1/conversations/bulk');
    expect(world.conversations.some((c) => c.assigneeId === world.agents[1]!.id)).to.equal(false);
    byRole(root, 'button', 'Assign').click();
    await until(() => byRole(root, 'status').textContent === `5 assigned to ${world.agents[1]!.name}`, 2000, 'assigned');
    expect(world.conversations.every((c) => c.assigneeId === world.agents[1]!.id)).to.equal(true);
    (byRole(root, 'checkbox', 'Select all in view') as HTMLInputElement).click();
    await until(() => allByRole(root, 'toolbar', 'Bulk actions').length === 1, 2000, 'the bulk bar again');
    await settled(el);
    const tag = byRole(root, 'textbox', 'Tag') as HTMLInputElement;
    tag.value = 'vip';
    byRole(root, 'button', 'Tag').click();
    await until(() => byRole(root, 'status').textContent === '5 tagged “vip”', 2000, 'tagged');
    expect(world.conversations.every((c) => c.tags.includes('vip'))).to.equal(true);
    (byRole(root, 'checkbox', 'Select all in view') as HTMLInputElement).click();
    await until(() => allByRole(root, 'toolbar', 'Bulk actions').length === 1, 2000, 'the bulk bar a third time');
    await settled(el);
    const snooze = byRole(root, 'combobox', 'Snooze until') as HTMLSelectElement;
    const tomorrow = [...snooze.options].find((o) => o.textContent === 'Tomorrow')!;
    snooze.value = tomorrow.value;
    snooze.dispatchEvent(new Event('change', { bubbles: true }));
    await settled(el);
    expect(world.conversations.every((c) => c.snoozedUntil === null)).to.equal(true);
    byRole(root, 'button', 'Snooze').click();
    await until(() => /^5 snoozed until tomorrow \d/.test(byRole(root, 'status').textContent!), 2000, 'snoozed');
    const until9 = new Date(tomorrow.value);
    expect([until9.getHours(), until9.getMinutes(), until9.getDate()]).to.deep.equal([9, 0, new Date(Date.now() + 86_400_000).getDate()]);
    // Snoozed conversations leave All.
    await until(() => allByRole(root, 'option').length === 0, 2000, 'rows gone to Snoozed');
    remove();
  });
});
