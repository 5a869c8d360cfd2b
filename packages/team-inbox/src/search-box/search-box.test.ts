import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { SearchHit } from '@baton/protocol';
import { ana, demoWorld, fixtureInbox, message, note, until } from '../testing/fixtures.js';
import { allByRole, byRole, mountPart, press, type } from '../testing/mount.js';
import type { InboxConversationSelectDetail } from '../events.js';

describe('inbox-search', () => {
  it('searches messages and notes, highlights matches as text, and opens the picked result', async () => {
    const world = demoWorld();
    const noteItem = note('conv_priya', 'Refund <img src=x onerror="window.__xss=1"> approved', ana.id, [], 5);
    const messageItem = message('conv_lucia', 'Can I get a refund?', 'inbound', null, 9);
    world.searchHits = [
      SearchHit.parse({ conversationId: 'conv_priya', item: noteItem, snippet: noteItem.body, highlights: [[0, 6]] }),
      SearchHit.parse({ conversationId: 'conv_lucia', item: messageItem, snippet: messageItem.body, highlights: [[12, 18]] }),
    ];
    const inbox = await fixtureInbox({ world });
    const { el, root, remove } = await mountPart('inbox-search', inbox);
    const box = byRole(root, 'combobox', 'Search') as HTMLInputElement;
    box.focus();
    type(box, 'refund');
    await until(() => allByRole(root, 'option').length === 2, 2000, 'results');
    expect(world.requests).to.include('GET /v1/search?q=refund&limit=20');
    const [first, second] = allByRole(root, 'option');
    expect(first!.textContent).to.contain('Internal note').and.contain('<img src=x onerror="window.__xss=1"> approved');
    expect(second!.textContent).to.contain('Customer message');
    expect([...root.querySelectorAll('mark')].map((m) => m.textContent)).to.deep.equal(['Refund', 'refund']);
    expect(root.querySelectorAll('img, script')).to.have.length(0);
    await expectNoAxeViolations(root.host);

    const selected: string[] = [];
    el.addEventListener('inbox-conversation-select', (e) => selected.push((e as CustomEvent<InboxConversationSelectDetail>).detail.conversationId));
    press(box, 'ArrowDown');
    await el.updateComplete;
    expect(box.getAttribute('aria-activedescendant')).to.equal('hit-1');
    press(box, 'Enter');
    expect(selected).to.deep.equal(['conv_lucia']);
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
    remove();
  });
});
