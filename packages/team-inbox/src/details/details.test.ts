import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { fixtureInbox, until } from '../testing/fixtures.js';
import { byRole, mountPart } from '../testing/mount.js';
import type { InboxConversationSelectDetail } from '../events.js';

describe('inbox-details', () => {
  it('shows Assigned to, team, tags, the contact and their other conversations', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-details', inbox);
    await inbox.store.open('conv_lucia');
    await until(() => /\+34600111222/.test(root.textContent ?? ''), 2000, 'contact details');
    const text = root.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Support').and.contain('Lucía Fernández').and.contain('spanish');
    expect(byRole(root, 'combobox', 'Assigned to')).to.exist;
    expect(byRole(root, 'heading', 'Tags')).to.exist;
    await expectNoAxeViolations(root.host);

    await inbox.store.open('conv_priya');
    await until(() => /Invoice copy/.test(root.textContent ?? ''), 2000, 'other conversations');
    const selected: string[] = [];
    el.addEventListener('inbox-conversation-select', (e) => selected.push((e as CustomEvent<InboxConversationSelectDetail>).detail.conversationId));
    byRole(root, 'button', /Invoice copy/).click();
    expect(selected).to.deep.equal(['conv_priya_old']);

    // Notes stay with the customer record: the old conversation's internal note is one click away.
    const summary = [...root.querySelectorAll('summary')].find((s) => s.textContent?.trim() === 'Notes')!;
    summary.click();
    await until(() => /Sent the March invoice by email\./.test(root.textContent ?? ''), 2000, 'notes of the other conversation');
    expect(byRole(root, 'list', 'Internal notes')).to.exist;
    await expectNoAxeViolations(root.host);
    remove();
  });
});
