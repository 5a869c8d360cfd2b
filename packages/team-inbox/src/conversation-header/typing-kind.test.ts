import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { fixtureInbox, until } from '../testing/fixtures.js';
import { byRole, mountPart, settled, type } from '../testing/mount.js';
import { demoServer, mountInbox, part } from '../testing/real-server.js';
import '../define.js';

describe('typing a note vs a reply', () => {
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  it('the composer says which it is typing, at once when the tab changes', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-composer', inbox);
    await inbox.store.open('conv_lucia');
    await settled(el);
    byRole(root, 'tab', 'Note').click();
    await settled(el);
    type(byRole(root, 'textbox', /Note/) as HTMLTextAreaElement, 'checking');
    byRole(root, 'tab', /^Reply/).click();
    await settled(el);
    type(byRole(root, 'textbox', /^Reply/) as HTMLTextAreaElement, 'Hi');
    expect(inbox.realtime.typingKinds).to.deep.equal(['note', 'reply']);
    remove();
  });

  it('Ben sees "Ana is typing a note", then "typing a reply", through a real server', async () => {
    const server = await demoServer();
    const ana = await mountInbox(server, server.tokens.ana);
    const ben = await mountInbox(server, server.tokens.ben);
    await until(() => ana.inboxStore?.getSnapshot().status === 'ready' && ben.inboxStore?.getSnapshot().status === 'ready', 5000, 'both ready');
    const id = ana.inboxStore!.getSnapshot().conversations[0]!.id;
    ben.conversationId = id;
    ana.conversationId = id;
    await until(() => ana.inboxStore!.getSnapshot().open?.conversation?.id === id && ben.inboxStore!.getSnapshot().open?.conversation?.id === id, 5000, 'both open');
    // Ana's viewing must reach the server before her typing does.
    await until(() => (ben.inboxStore!.getSnapshot().open?.presence?.viewing.length ?? 0) >= 2, 5000, 'both viewing');
    const composer = part(ana, 'inbox-composer');
    byRole(composer, 'tab', 'Note').click();
    await settled(ana.shadowRoot!.querySelector('inbox-composer')!);
    type(byRole(composer, 'textbox', /Note/) as HTMLTextAreaElement, 'looking into it');
    const warning = () => byRole(part(ben, 'inbox-conversation-header'), 'status').textContent!.trim();
    await until(() => warning() === 'Ana is typing a note', 5000, 'typing a note');
    await expectNoAxeViolations(ben);
    byRole(composer, 'tab', /^Reply/).click();
    await settled(ana.shadowRoot!.querySelector('inbox-composer')!);
    type(byRole(composer, 'textbox', /^Reply/) as HTMLTextAreaElement, 'Hello');
    await until(() => warning() === 'Ana is typing a reply', 5000, 'typing a reply');
  });
});
