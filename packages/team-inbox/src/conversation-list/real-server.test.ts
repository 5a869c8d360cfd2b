import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { until } from '../testing/fixtures.js';
import { allByRole, byRole, press, settled, type } from '../testing/mount.js';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import { demoServer, part, type DemoServer } from '../testing/real-server.js';
import '../define.js';

// Issue #11's list, composer and search work through the real user path: a real server (the
// runner's seeded demo), two agents' <team-inbox> elements, nothing injected.

async function mount(attrs: Record<string, string>): Promise<TeamInbox> {
  const el = document.createElement('team-inbox');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.style.cssText = 'display:block;height:800px;width:1200px';
  document.body.append(el);
  await el.updateComplete;
  return el;
}

describe('list, composer and search against a real server', () => {
  let server: DemoServer;
  before(async () => {
    server = await demoServer();
  });

  async function call(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, `${method} ${path}`).to.be.lessThan(300);
    return res.json() as Promise<any>;
  }

  it('a reply shows as "You:" / "Ana:", a saved reply fills in the contact, bulk resolve reports per id, search finds the contact', async () => {
    const stamp = Date.now().toString(36);
    const [quinn, rosa] = (await Promise.all(
      [`Quinn ${stamp}`, `Rosa ${stamp}`].map(async (name, i) => {
        const { conversation } = await call(server.apiKey, 'POST', '/v1/conversations', {
          contact: { name, phone: `+1 555 01${i} ${stamp.length}00` },
          channel: 'sms',
          message: { body: `Hello from ${name}` },
        });
        return { id: conversation.id as string, name };
      }),
    )) as [{ id: string; name: string }, { id: string; name: string }];
    await call(server.tokens.ana, 'POST', '/v1/saved-replies', { name: `Welcome ${stamp}`, shortcut: `w${stamp}`, body: 'Hi {{contact.firstName}}, thanks for writing!' });

    const ana = await mount({ server: server.url, token: server.tokens.ana, view: 'all' });
    const ben = await mount({ server: server.url, token: server.tokens.ben, view: 'all' });
    const row = (inbox: TeamInbox, name: string) => allByRole(part(inbox, 'inbox-conversation-list'), 'option').find((o) => o.textContent!.includes(name));
    await until(() => !!row(ana, quinn.name) && !!row(ana, rosa.name) && !!row(ben, quinn.name), 5000, 'the new conversations listed');
    expect(row(ana, quinn.name)!.textContent).to.contain(`Hello from ${quinn.name}`).and.not.contain('You:');

    // Saved reply: `/` + shortcut, Enter, Send.
    row(ana, quinn.name)!.click();
    await until(() => ana.shadowRoot!.querySelector('inbox-composer') !== null, 2000, 'the conversation column');
    const composerEl = ana.shadowRoot!.querySelector('inbox-composer')!;
    const composer = part(ana, 'inbox-composer');
    await until(() => !(byRole(composer, 'textbox', /^Reply/) as HTMLTextAreaElement).disabled, 3000, 'the composer ready');
    const box = byRole(composer, 'textbox', /^Reply/) as HTMLTextAreaElement;
    box.focus();
    type(box, `/w${stamp}`);
    await until(() => allByRole(composer, 'listbox', 'Saved replies').length === 1 && allByRole(byRole(composer, 'listbox', 'Saved replies'), 'option').length === 1 && !/Loading/.test(byRole(composer, 'listbox', 'Saved replies').textContent!), 3000, 'the saved reply offered');
    press(box, 'Enter');
    await settled(composerEl);
    expect(box.value).to.equal('Hi Quinn, thanks for writing!');
    byRole(composer, 'button', 'Send').click();
    await until(() => /You: Hi Quinn, thanks for writing!/.test(row(ana, quinn.name)?.textContent ?? ''), 3000, '"You:" in Ana’s row');
    await until(() => /Ana: Hi Quinn, thanks for writing!/.test(row(ben, quinn.name)?.textContent ?? ''), 3000, '"Ana:" in Ben’s row');
    expect(row(ana, quinn.name)!.querySelector('time')!.textContent).to.equal('now');

    // Bulk: tick both with x, resolve; focus stays in the list.
    row(ana, quinn.name)!.focus();
    press(row(ana, quinn.name)!, 'x');
    row(ana, rosa.name)!.focus();
    press(row(ana, rosa.name)!, 'x');
    const list = part(ana, 'inbox-conversation-list');
    await until(() => allByRole(list, 'toolbar', 'Bulk actions').length === 1, 3000, 'the bulk bar');
    await settled(ana.shadowRoot!.querySelector('inbox-conversation-list')!);
    expect(byRole(list, 'toolbar', 'Bulk actions').textContent).to.contain('2 selected');
    await expectNoAxeViolations(ana);
    byRole(list, 'button', 'Resolve').click();
    await until(() => byRole(list, 'status').textContent === '2 resolved', 3000, 'the summary');
    await until(() => !row(ana, quinn.name) && !row(ana, rosa.name), 3000, 'both left All');
    await until(() => list.activeElement?.getAttribute('role') === 'option', 2000, 'focus in the list');

    // Search: the contact by name, with the conversation's channel and status; Enter opens it.
    const search = part(ana, 'inbox-search');
    const field = byRole(search, 'combobox', 'Search') as HTMLInputElement;
    field.focus();
    type(field, `rosa ${stamp}`);
    await until(() => allByRole(search, 'group', 'Contacts').length === 1, 3000, 'the contact found');
    const hit = allByRole(byRole(search, 'group', 'Contacts'), 'option')[0]!;
    expect(hit.textContent!.replace(/\s+/g, ' ')).to.contain(rosa.name).and.contain('SMS · Resolved');
    press(field, 'Enter');
    await until(() => ana.getAttribute('conversation-id') === rosa.id, 3000, 'the conversation opened');
    ana.remove();
    ben.remove();
  });
});
