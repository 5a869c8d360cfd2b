import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { until } from '../testing/fixtures.js';
import { allByRole, byRole, composedText, press, settled, type } from '../testing/mount.js';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import { customerWritesIn, demoServer, part, type DemoServer } from '../testing/real-server.js';
import '../define.js';

const flat = (node: Node) => composedText(node).replace(/\s+/g, ' ');

describe('editing and snoozing against a real server', () => {
  let server: DemoServer;
  before(async () => {
    server = await demoServer();
  });
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  async function mountAna(view = 'all'): Promise<TeamInbox> {
    const el = document.createElement('team-inbox');
    Object.assign(el, { server: server.url, token: server.tokens.ana, view });
    el.style.width = '1280px';
    el.style.height = '720px';
    document.body.append(el);
    await el.updateComplete;
    await until(() => el.inboxStore?.getSnapshot().status === 'ready', 5000, 'ready');
    return el;
  }

  it('Edit details suggests the workspace tags, saves through PATCH and the timeline tells what changed', async () => {
    const id = await customerWritesIn(server, 'Edna Edit', 'My invoice total looks wrong');
    // A tag only a contact carries: the editor can know it only from GET /v1/tags.
    const onlyOnAContact = `loyal-${Math.floor(Math.random() * 1e9)}`;
    const made = await fetch(`${server.url}/v1/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Lola Loyal', tags: [onlyOnAContact] }),
    });
    expect(made.status).to.equal(201);
    const ana = await mountAna();
    ana.conversationId = id;
    const details = () => part(ana, 'inbox-details');
    await until(() => allByRole(details(), 'button', 'Edit details').length === 1, 5000, 'details');
    byRole(details(), 'button', 'Edit details').click();
    const form = () => details().querySelector('inbox-details-editor')?.shadowRoot ?? null;
    await until(() => !!form()?.querySelector('#priority'), 5000, 'editor');
    const option = () => form()!.querySelector<HTMLOptionElement>(`datalist option[value="${onlyOnAContact}"]`);
    await until(() => !!option(), 5000, 'the contact tag suggested');
    expect(option()!.label).to.equal('1 contact');
    const priority = form()!.querySelector<HTMLSelectElement>('#priority')!;
    priority.value = 'high';
    priority.dispatchEvent(new Event('change'));
    const team = form()!.querySelector<HTMLSelectElement>('#team')!;
    const teamName = team.options[1]!.text; // the seed's first team
    team.value = team.options[1]!.value;
    team.dispatchEvent(new Event('change'));
    const tag = form()!.querySelector<HTMLInputElement>('#tag-input')!;
    type(tag, 'billing');
    press(tag, 'Enter');
    await settled(details().querySelector('inbox-details-editor')!);
    byRole(form()!, 'button', 'Save').click();

    const timeline = () => flat(part(ana, 'inbox-timeline'));
    await until(() => /Ana set the priority to high/.test(timeline()) && /Ana added the tag billing/.test(timeline()) && timeline().includes(`Ana moved this to ${teamName}`), 5000, 'edit events in the timeline');
    expect(flat(details())).to.contain('High').and.contain(teamName).and.contain('billing');
    await expectNoAxeViolations(ana);
  });

  it('a snoozed conversation waits in Snoozed and wakes on the customer’s next message', async () => {
    const phone = `+1555${Math.floor(Math.random() * 1e7)}`;
    const id = await customerWritesIn(server, 'Sam Snooze', 'Call me back next week', phone);
    const ana = await mountAna();
    ana.conversationId = id;
    const header = () => part(ana, 'inbox-conversation-header');
    await until(() => allByRole(header(), 'button', 'Snooze').length === 1 && /Sam Snooze/.test(flat(header())), 5000, 'header');
    byRole(header(), 'button', 'Snooze').click();
    const menu = () => header().querySelector('inbox-snooze-menu')?.shadowRoot ?? null;
    await until(() => !!menu()?.querySelector('.preset'), 5000, 'snooze choices');
    byRole(menu()!, 'button', /^Next week/).click();
    // It left All, and the triage loop moved on to the next conversation.
    await until(() => ana.inboxStore!.getSnapshot().open?.id !== id, 5000, 'moved on');

    byRole(part(ana, 'inbox-view-nav'), 'button', /^Snoozed/).click();
    const list = () => part(ana, 'inbox-conversation-list');
    const row = () => allByRole(list(), 'option').find((o) => /Sam Snooze/.test(flat(o)));
    await until(() => !!row(), 5000, 'in Snoozed');
    row()!.click();
    await until(() => /Snoozed until \w{3}, \w{3} \d+, 9:00 AM/.test(flat(header())), 5000, 'Snoozed until next Monday');
    await until(() => /Ana snoozed this until/.test(flat(part(ana, 'inbox-timeline'))), 5000, 'snoozed event');
    expect(allByRole(header(), 'button', 'Unsnooze')).to.have.length(1);
    await expectNoAxeViolations(ana);

    // The customer writes again: it wakes and leaves Snoozed.
    const res = await fetch(`${server.url}/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ direction: 'inbound', body: 'Actually, today please' }),
    });
    expect(res.status).to.equal(201);
    await until(() => !row(), 5000, 'left Snoozed');
    await until(() => /Woke up: a new message/.test(flat(part(ana, 'inbox-timeline'))), 5000, 'woke event');
    expect(flat(header())).not.to.contain('Snoozed until');
  });
});
