import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { Team as TeamSchema } from '@baton/protocol';
import { contact, demoWorld, fixtureInbox, until } from '../testing/fixtures.js';
import { allByRole, byRole, composedText, mountPart, press, settled, type } from '../testing/mount.js';
import type { InboxConversationEditDetail } from '../events.js';

const bilingual = TeamSchema.parse({ id: 'team_bilingual', name: 'Bilingual', memberIds: ['agt_maria'], createdAt: new Date().toISOString() });

async function openEditor(id: string, world = demoWorld()) {
  world.teams.push(bilingual);
  const inbox = await fixtureInbox({ world });
  const mounted = await mountPart('inbox-details', inbox);
  await inbox.store.open(id);
  await until(() => allByRole(mounted.root, 'button', 'Edit details').length === 1, 2000, 'Edit details');
  byRole(mounted.root, 'button', 'Edit details').click();
  // The editor is its own chunk: a placeholder holds its place until it is there.
  const editorForm = () => mounted.root.querySelector('inbox-details-editor')?.shadowRoot?.querySelector('form[aria-label="Edit conversation"]');
  await until(() => !!editorForm(), 3000, 'the editor');
  await settled(mounted.el);
  const editor = mounted.root.querySelector('inbox-details-editor')!;
  await settled(editor);
  const form = editor.shadowRoot!;
  return { inbox, ...mounted, editor, form };
}

const field = <T extends HTMLElement>(form: ShadowRoot, label: string) => {
  const id = [...form.querySelectorAll('label')].find((l) => l.textContent!.trim() === label)!.htmlFor;
  return form.getElementById(id) as T;
};
const choose = (select: HTMLSelectElement, label: string) => {
  select.value = [...select.options].find((o) => o.text === label)!.value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
};
const text = (root: ShadowRoot) => composedText(root).replace(/\s+/g, ' ');
const suggested = (form: ShadowRoot) => [...form.querySelectorAll<HTMLOptionElement>('datalist option')].map((o) => (o.label && o.label !== o.value ? `${o.value} (${o.label})` : o.value));
/** More tags than one `GET /v1/tags` answer holds (250 on one contact, plus "zebra" and "zeal"). */
function worldWithManyTags() {
  const world = demoWorld();
  const many = Array.from({ length: 250 }, (_, i) => `t${String(i).padStart(3, '0')}`);
  world.contacts.push(contact('ct_many', 'Many Tags', { tags: [...many, 'zebra', 'zeal'] }));
  return world;
}
const tagRequests = (world: { requests: string[] }) => world.requests.filter((r) => r.startsWith('GET /v1/tags'));

describe('inbox-details editing', () => {
  it('shows the conversation language in words', async () => {
    const world = demoWorld();
    world.conversations = world.conversations.map((c) => (c.id === 'conv_lucia' ? { ...c, language: 'es' } : c));
    const inbox = await fixtureInbox({ world });
    const { root, remove } = await mountPart('inbox-details', inbox);
    await inbox.store.open('conv_lucia');
    await until(() => /Language/.test(text(root)), 2000, 'language row');
    const dts = [...root.querySelectorAll('dt')].map((dt) => `${dt.textContent!.trim()}: ${dt.nextElementSibling!.textContent!.trim()}`);
    expect(dts).to.include('Language: Spanish');
    remove();
  });

  it('edits subject, priority, team and tags in one PATCH, fires inbox-conversation-edit and shows the result', async () => {
    const { inbox, el, root, form, remove } = await openEditor('conv_priya');
    await expectNoAxeViolations(root.host);
    expect(form.activeElement?.id).to.equal('subject');

    const subject = field<HTMLInputElement>(form, 'Subject');
    subject.select();
    type(subject, 'Bulk import fails');
    choose(field(form, 'Priority'), 'Urgent');
    choose(field(form, 'Team'), 'Bilingual');
    const tagInput = field<HTMLInputElement>(form, 'Add tag');
    // The workspace's tags in use are suggested.
    expect([...form.querySelectorAll('datalist option')].map((o) => (o as HTMLOptionElement).value)).to.include('es');
    type(tagInput, 'vip');
    press(tagInput, 'Enter');
    type(tagInput, 'billing');
    byRole(form, 'button', 'Add').click();
    type(tagInput, 'oops');
    press(tagInput, 'Enter');
    await settled(el);
    byRole(form, 'button', 'Remove tag oops').click();
    await settled(el);
    expect(allByRole(byRole(form, 'list', 'Tags'), 'listitem').map((li) => li.textContent!.replace('×', '').trim())).to.deep.equal(['vip', 'billing']);

    const edits: InboxConversationEditDetail[] = [];
    el.addEventListener('inbox-conversation-edit', (e) => edits.push((e as CustomEvent<InboxConversationEditDetail>).detail));
    byRole(form, 'button', 'Save').click();
    await until(() => edits.length === 1, 2000, 'inbox-conversation-edit');
    expect(edits[0]).to.deep.equal({ conversationId: 'conv_priya', changed: ['subject', 'priority', 'teamId', 'tags'] });
    expect(inbox.world.requests.filter((r) => r.startsWith('PATCH'))).to.deep.equal(['PATCH /v1/conversations/conv_priya']);
    const saved = inbox.world.conversations.find((c) => c.id === 'conv_priya')!;
    expect(saved).to.include({ subject: 'Bulk import fails', priority: 'urgent', teamId: 'team_bilingual' });
    expect(saved.tags).to.deep.equal(['vip', 'billing']);

    await until(() => !root.querySelector('inbox-details-editor'), 2000, 'editor closed');
    await settled(el);
    const shown = text(root);
    expect(shown).to.contain('Bulk import fails').and.contain('Urgent').and.contain('Bilingual');
    expect(allByRole(byRole(root, 'list', 'Tags'), 'listitem').map((li) => li.textContent)).to.deep.equal(['vip', 'billing']);
    expect(root.activeElement).to.equal(byRole(root, 'button', 'Edit details'));
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('adds a typed tag as it will be stored: VIP shows as vip at once, and Vip again adds nothing', async () => {
    const { inbox, el, form, remove } = await openEditor('conv_lucia'); // tagged es
    const tagInput = field<HTMLInputElement>(form, 'Add tag');
    type(tagInput, 'VIP');
    press(tagInput, 'Enter');
    type(tagInput, 'Vip');
    press(tagInput, 'Enter');
    type(tagInput, 'ES');
    press(tagInput, 'Enter');
    await settled(el);
    const chips = () => allByRole(byRole(form, 'list', 'Tags'), 'listitem').map((li) => li.textContent!.replace('×', '').trim());
    expect(chips()).to.deep.equal(['es', 'vip']);
    expect(allByRole(form, 'button', 'Remove tag vip')).to.have.length(1);

    byRole(form, 'button', 'Save').click();
    await until(() => inbox.world.requests.some((r) => r.startsWith('PATCH')), 2000, 'PATCH');
    expect(inbox.world.conversations.find((c) => c.id === 'conv_lucia')!.tags).to.deep.equal(['es', 'vip']);
    remove();
  });

  it("suggests the workspace's tags from the server, most used first with their counts, leaving out the ones set", async () => {
    const world = demoWorld();
    // A resolved conversation the inbox has not loaded, and contacts: only the server knows these tags.
    world.conversations = world.conversations.map((c) => (c.id === 'conv_priya_old' ? { ...c, tags: ['refund', 'es'] } : c));
    const { form, el, remove } = await openEditor('conv_lucia', world);
    await until(() => suggested(form).length > 0, 2000, 'suggestions');
    expect(suggested(form)).to.deep.equal(['refund (1 conversation)', 'spanish (1 contact)', 'vip (1 contact)']);
    expect(tagRequests(world)).to.deep.equal(['GET /v1/tags?limit=200']);

    // Every tag fitted in that answer: typing filters it here, without asking again.
    const tagInput = field<HTMLInputElement>(form, 'Add tag');
    type(tagInput, 'sp');
    await settled(el);
    await new Promise((r) => setTimeout(r, 400));
    expect(tagRequests(world)).to.have.length(1);
    expect(suggested(form)).to.deep.equal(['spanish (1 contact)']);
    type(tagInput, 'anish');
    press(tagInput, 'Enter');
    await settled(el);
    expect(suggested(form)).to.deep.equal(['refund (1 conversation)', 'vip (1 contact)']);
    remove();
  });

  it('in a workspace with more tags than one answer holds, asks for what is typed once typing pauses', async () => {
    const world = worldWithManyTags();
    const { form, el, remove } = await openEditor('conv_lucia', world);
    await until(() => suggested(form).length > 0, 2000, 'suggestions');
    // The first page is full (200); "es" is on this conversation, so 199 are offered.
    expect(suggested(form)).to.have.length(199);
    expect(suggested(form).some((t) => t.startsWith('zebra'))).to.equal(false);

    const tagInput = field<HTMLInputElement>(form, 'Add tag');
    type(tagInput, 'ze'); // two keystrokes, one request
    await until(() => suggested(form).some((t) => t.startsWith('zebra')), 2000, 'zebra suggested');
    expect(tagRequests(world)).to.deep.equal(['GET /v1/tags?limit=200', 'GET /v1/tags?prefix=ze&limit=50']);
    expect(suggested(form)).to.deep.equal(['zeal (1 contact)', 'zebra (1 contact)']);
    // "ze" had fewer than a page: "zeb" is answered from it.
    type(tagInput, 'b');
    await settled(el);
    await new Promise((r) => setTimeout(r, 400));
    expect(tagRequests(world)).to.have.length(2);
    expect(suggested(form)).to.deep.equal(['zebra (1 contact)']);
    remove();
  });

  it('going back to a shorter prefix shows the first page again while its answer is missing, not the longer one\'s', async () => {
    const world = worldWithManyTags();
    const { form, el, remove } = await openEditor('conv_lucia', world);
    await until(() => suggested(form).length === 199, 2000, 'first page');
    const tagInput = field<HTMLInputElement>(form, 'Add tag');
    type(tagInput, 'zex'); // "ze" is never asked alone; "zex" is, and has nothing
    await until(() => tagRequests(world).length === 2 && suggested(form).length === 0, 2000, 'nothing for zex');
    // The server stops answering; the agent deletes back to "z".
    world.tagsUnavailable = true;
    tagInput.value = 'z';
    tagInput.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await settled(el);
    expect(suggested(form)).to.have.length(199, 'the first page, at once');
    await until(() => tagRequests(world).length === 3, 2000, 'z asked for');
    await new Promise((r) => setTimeout(r, 50));
    expect(suggested(form)).to.have.length(199, 'still the first page after the failed answer');
    remove();
  });

  it("when the server's tags cannot be had, suggests the tags of the conversations loaded and still saves", async () => {
    const world = demoWorld();
    world.tagsUnavailable = true;
    const { inbox, form, el, remove } = await openEditor('conv_priya', world);
    await until(() => tagRequests(world).length === 1, 2000, 'tags asked for');
    await until(() => suggested(form).length > 0, 2000, 'fallback suggestions');
    expect(suggested(form)).to.deep.equal(['es']);
    expect(allByRole(form, 'alert')).to.have.length(0);
    const tagInput = field<HTMLInputElement>(form, 'Add tag');
    type(tagInput, 'e');
    await settled(el);
    await new Promise((r) => setTimeout(r, 400));
    expect(tagRequests(world)).to.have.length(1);
    press(tagInput, 'Enter');
    byRole(form, 'button', 'Save').click();
    await until(() => inbox.world.conversations.find((c) => c.id === 'conv_priya')!.tags.includes('e'), 2000, 'saved');
    remove();
  });

  it('says in plain words when someone else changed it first, and Refresh shows their version', async () => {
    const { inbox, el, form, remove } = await openEditor('conv_priya');
    // A teammate set the priority meanwhile: the server is a version ahead of what this editor started from.
    inbox.world.conversations = inbox.world.conversations.map((c) => (c.id === 'conv_priya' ? { ...c, priority: 'high', version: c.version + 1 } : c));
    choose(field(form, 'Priority'), 'Low');
    byRole(form, 'button', 'Save').click();
    await until(() => allByRole(form, 'alert').length === 1, 2000, 'conflict message');
    expect(byRole(form, 'alert').textContent).to.match(/Someone else changed this conversation while you were editing/);
    expect(inbox.world.conversations.find((c) => c.id === 'conv_priya')!.priority).to.equal('high');
    await expectNoAxeViolations(el);

    byRole(form, 'button', 'Refresh').click();
    await settled(el);
    expect(field<HTMLSelectElement>(form, 'Priority').value).to.equal('high');
    expect(allByRole(form, 'alert')).to.have.length(0);
    byRole(form, 'button', 'Cancel').click();
    await settled(el);
    expect(el.shadowRoot!.querySelector('inbox-details-editor')).to.equal(null);
    remove();
  });

  it('Escape cancels without a request', async () => {
    const { inbox, el, form, root, remove } = await openEditor('conv_lucia');
    choose(field(form, 'Priority'), 'High');
    press(field(form, 'Priority'), 'Escape');
    await settled(el);
    expect(root.querySelector('inbox-details-editor')).to.equal(null);
    expect(inbox.world.requests.some((r) => r.startsWith('PATCH'))).to.equal(false);
    expect(text(root)).to.contain('Normal');
    remove();
  });
});
