import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { fixtureInbox, maria, until } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, composedText, mountPart, settled } from '../testing/mount.js';
import { demoServer, mountInbox, part } from '../testing/real-server.js';
import type { InboxAvailabilityChangeDetail } from '../events.js';
import '../define.js';

describe('inbox-availability-switch', () => {
  it('switches the signed-in agent between Available and away, and says so', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-availability-switch', inbox);
    const sw = byRole(root, 'switch');
    expect(accessibleName(sw)).to.equal('Available');
    expect(sw.getAttribute('aria-checked')).to.equal('true');
    await expectNoAxeViolations(root.host);

    const changes: InboxAvailabilityChangeDetail[] = [];
    el.addEventListener('inbox-availability-change', (e) => changes.push((e as CustomEvent<InboxAvailabilityChangeDetail>).detail));
    sw.click();
    await until(() => changes.length === 1, 2000, 'away');
    expect(changes[0]).to.deep.equal({ agentId: 'agt_ana', availability: 'away' });
    expect(inbox.world.requests).to.include('PATCH /v1/agents/agt_ana');
    expect(inbox.world.agents.find((a) => a.id === 'agt_ana')!.availability).to.equal('away');
    await settled(el);
    expect(sw.getAttribute('aria-checked')).to.equal('false');
    // The name stays "Available" (a switch's state is its checked state); its hint says what away means.
    expect(accessibleName(sw)).to.equal('Available');
    expect(sw.title).to.equal('Away: rules assign you nothing');
    expect(inbox.store.getSnapshot().agents.find((a) => a.id === 'agt_ana')!.availability).to.equal('away');
    await expectNoAxeViolations(root.host);

    // With the keyboard on it: while the change is on its way it is aria-disabled, never disabled
    // (which would drop the focus to the page), and the focus is still there after.
    sw.focus();
    sw.click();
    await el.updateComplete;
    expect(sw.getAttribute('aria-disabled')).to.equal('true');
    expect((sw as HTMLButtonElement).disabled).to.equal(false);
    sw.click(); // ignored while busy
    await until(() => changes.length === 2, 2000, 'available again');
    expect(changes[1]!.availability).to.equal('online');
    await settled(el);
    expect(sw.getAttribute('aria-checked')).to.equal('true');
    expect(sw.getAttribute('aria-disabled')).to.equal('false');
    expect(root.activeElement).to.equal(sw);
    expect(inbox.world.requests.filter((r) => r === 'PATCH /v1/agents/agt_ana')).to.have.length(2);
    remove();
  });

  it('Assigned to shows a teammate going away, live, in words', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-assignee-picker', inbox);
    await inbox.store.open('conv_priya');
    const option = () => allByRole(root, 'option').find((o) => /María/.test(o.textContent!))!;
    await until(() => !!option(), 2000, 'options');
    expect(composedText(option()).replace(/\s+/g, ' ')).to.contain('María García (online)');
    inbox.realtime.emit('agent:updated', { seq: 2001, agent: { ...maria, availability: 'away' } });
    await settled(el);
    const away = option().querySelector('.availability');
    expect(away?.textContent).to.equal('(away)'); // visible, not only to screen readers
    remove();
  });
});

describe('availability against a real server', () => {
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  it('Ana switches to away and Ben’s Assigned to says so without a reload', async () => {
    const server = await demoServer();
    const ana = await mountInbox(server, server.tokens.ana);
    const ben = await mountInbox(server, server.tokens.ben);
    await until(() => ana.inboxStore?.getSnapshot().status === 'ready' && ben.inboxStore?.getSnapshot().status === 'ready', 5000, 'both ready');
    // Ben opens a conversation: "Assigned to" is in its details.
    ben.setAttribute('conversation-id', ben.inboxStore!.getSnapshot().conversations[0]!.id);
    await until(() => !!part(ben, 'inbox-details').querySelector('inbox-assignee-picker'), 3000, 'Ben’s details');
    const sw = () => byRole(part(ana, 'inbox-availability-switch'), 'switch');
    await until(() => sw().getAttribute('aria-checked') === 'true', 3000, 'Ana available');
    const anaInBensPicker = () => {
      const picker = part(ben, 'inbox-details').querySelector('inbox-assignee-picker')!.shadowRoot!;
      return composedText(allByRole(picker, 'option').find((o) => /Ana/.test(o.textContent!)) ?? picker).replace(/\s+/g, ' ');
    };
    await until(() => /Ana \S+ \(online\)/.test(anaInBensPicker()), 3000, 'Ana online for Ben');
    try {
      sw().click();
      await until(() => /Ana \S+ \(away\)/.test(anaInBensPicker()), 3000, 'Ana away for Ben, live');
      expect(sw().getAttribute('aria-checked')).to.equal('false');
      await expectNoAxeViolations(ana);
    } finally {
      await fetch(`${server.url}/v1/agents/${server.agents.ana}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${server.tokens.ana}`, 'content-type': 'application/json' },
        body: JSON.stringify({ availability: 'online' }),
      });
    }
  });
});
