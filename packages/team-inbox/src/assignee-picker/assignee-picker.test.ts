import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { agent, ben, demoWorld, fixtureInbox, until } from '../testing/fixtures.js';
import { allByRole, byRole, mountPart, press, settled, type } from '../testing/mount.js';
import type { InboxAssignDetail } from '../events.js';

describe('inbox-assignee-picker', () => {
  it('is a combobox labelled "Assigned to" with teammates, availability, load and Unassigned', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-assignee-picker', inbox);
    await inbox.store.open('conv_lucia');
    await settled(el);
    const box = byRole(root, 'combobox', 'Assigned to') as HTMLInputElement;
    expect(box.value).to.equal('María García');
    box.focus();
    press(box, 'ArrowDown');
    await settled(el);
    expect(box.getAttribute('aria-expanded')).to.equal('true');
    const names = allByRole(root, 'option').map((o) => o.textContent!.replace(/\s+/g, ' ').trim());
    expect(names[0]).to.equal('Unassigned');
    expect(names).to.include('María García (online) 1/25');
    expect(names.at(-1)).to.equal('Tom Becker (away) 0/25'); // away after online
    expect(box.getAttribute('aria-activedescendant')).to.equal('choice-agt_maria');
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('does not offer deactivated teammates, still names one who holds the conversation, and drops one deactivated live', async () => {
    const world = demoWorld();
    const olga = agent('agt_olga', 'Olga Former', 'olga', 'offline', { active: false });
    world.agents.push(olga);
    world.conversations = world.conversations.map((c) => (c.id === 'conv_lucia' ? { ...c, assigneeId: olga.id } : c));
    const inbox = await fixtureInbox({ world });
    const { el, root, remove } = await mountPart('inbox-assignee-picker', inbox);
    await inbox.store.open('conv_lucia');
    await settled(el);
    const box = byRole(root, 'combobox', 'Assigned to') as HTMLInputElement;
    expect(box.value).to.equal('Olga Former'); // history keeps the name
    box.focus();
    press(box, 'ArrowDown');
    await settled(el);
    const ids = () => allByRole(root, 'option').map((o) => o.id);
    expect(ids()).to.include('choice-agt_ben');
    expect(ids()).not.to.include('choice-agt_olga');
    type(box, 'olg');
    await settled(el);
    expect(ids()).to.deep.equal([]);

    // Ben is deactivated while the list is open: he leaves it.
    inbox.realtime.emit('agent:updated', { seq: 1001, agent: { ...ben, active: false } });
    box.value = '';
    box.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'deleteContentBackward' }));
    await settled(el);
    expect(ids()).not.to.include('choice-agt_ben');
    expect(ids()).to.include('choice-agt_maria');
    remove();
  });

  it('assigns the teammate picked by typing and Enter, and fires inbox-assign', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-assignee-picker', inbox);
    await inbox.store.open('conv_lucia');
    await settled(el);
    const events: InboxAssignDetail[] = [];
    el.addEventListener('inbox-assign', (e) => events.push((e as CustomEvent<InboxAssignDetail>).detail));
    const box = byRole(root, 'combobox', 'Assigned to') as HTMLInputElement;
    box.focus();
    box.select();
    type(box, 'ben');
    await settled(el);
    expect(allByRole(root, 'option').map((o) => o.id)).to.deep.equal(['choice-agt_ben']);
    press(box, 'Enter');
    await until(() => events.length === 1, 2000, 'inbox-assign');
    expect(events[0]).to.deep.equal({ conversationId: 'conv_lucia', assigneeId: 'agt_ben', previousAssigneeId: 'agt_maria' });
    await settled(el);
    expect(box.value).to.equal('Ben Okafor');
    remove();
  });
});
