import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { MessageItem, TimelineItem } from '@baton/protocol';
import { agent, demoWorld, fixtureInbox, maria, message, note, until } from '../testing/fixtures.js';
import { allByRole, byRole, mountPart, press, settled, type } from '../testing/mount.js';

/** A composer on its own over the fixture inbox (`world` when given), with `id` open and drawn. */
async function composerOn(id: string, world?: ReturnType<typeof demoWorld>) {
  const inbox = await fixtureInbox(world ? { world } : undefined);
  const mounted = await mountPart('inbox-composer', inbox);
  await inbox.store.open(id);
  await settled(mounted.el);
  return { inbox, ...mounted };
}

describe('inbox-composer', () => {
  // Drafts decide which tab a conversation opens on: each test starts without the last one's.
  beforeEach(() => localStorage.clear());

  it('has Reply (on the conversation’s channel) and Note tabs; the button says Send or Save', async () => {
    const { el, root, remove } = await composerOn('conv_lucia');
    const reply = byRole(root, 'tab', /^Reply/);
    expect(reply.textContent).to.contain('SMS');
    expect(reply.getAttribute('aria-selected')).to.equal('true');
    expect(byRole(root, 'button', 'Send')).to.exist;
    byRole(root, 'tab', 'Note').click();
    await settled(el);
    expect(byRole(root, 'tab', 'Note').getAttribute('aria-selected')).to.equal('true');
    expect(byRole(root, 'button', 'Save')).to.exist;
    expect(byRole(root, 'textbox', 'Note')).to.exist;
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('r or n pressed while a conversation from outside the list still loads: the box (disabled until then) takes focus when it arrives', async () => {
    // Not in Resolved: nothing of it is known until it loads (a deep link).
    const inbox = await fixtureInbox({ view: 'resolved' });
    const { el, root, remove } = await mountPart('inbox-composer', inbox);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const getConversation = inbox.rest.getConversation.bind(inbox.rest);
    inbox.rest.getConversation = async (...args) => {
      await held;
      return getConversation(...args);
    };
    const opening = inbox.store.open('conv_lucia');
    await el.selectTab('note');
    const box = byRole(root, 'textbox', 'Note') as HTMLTextAreaElement;
    expect(box.disabled).to.equal(true);
    expect(root.activeElement).to.equal(null);
    release();
    await opening;
    await until(() => root.activeElement === box, 2000, 'the Note box focused');
    remove();
  });

  it('in a Note, @ opens a teammate picker that inserts @username, and Save stores the note', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-composer', inbox);
    await inbox.store.open('conv_lucia');
    await el.selectTab('note');
    const box = byRole(root, 'textbox', 'Note') as HTMLTextAreaElement;
    type(box, 'Can you call her back, @');
    await settled(el);
    const picker = byRole(root, 'listbox', 'Teammates');
    expect(allByRole(picker, 'option').map((o) => o.textContent!.replace(/\s+/g, ' ').trim())).to.deep.equal([
      'Ben Okafor @ben',
      'María García @maria',
      'Tom Becker @tom',
    ]); // not me (Ana)
    await expectNoAxeViolations(root.host);
    type(box, 'b');
    await settled(el);
    // By username or any word of the name: "b" finds Ben and Tom Becker.
    expect(allByRole(root, 'option').map((o) => o.id)).to.deep.equal(['mention-agt_ben', 'mention-agt_tom']);
    type(box, 'en');
    await settled(el);
    expect(allByRole(root, 'option')).to.have.length(1);
    expect(box.getAttribute('aria-activedescendant')).to.equal('mention-agt_ben');
    press(box, 'Enter');
    await settled(el);
    expect(box.value).to.equal('Can you call her back, @ben ');
    expect(allByRole(root, 'listbox')).to.have.length(0);

    type(box, '@t');
    await settled(el);
    press(box, 'Escape');
    await settled(el);
    expect(allByRole(root, 'listbox')).to.have.length(0);
    box.setRangeText('', box.value.length - 2, box.value.length, 'end');
    box.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));

    byRole(root, 'button', 'Save').click();
    await until(() => inbox.world.requests.includes('POST /v1/conversations/conv_lucia/notes'), 2000, 'note saved');
    await until(() => box.value === '');
    const saved = inbox.store.getSnapshot().open!.timeline.at(-1)!;
    expect(saved.kind).to.equal('note');
    expect(saved.kind === 'note' && saved.body).to.equal('Can you call her back, @ben');
    expect(saved.kind === 'note' && saved.mentions).to.deep.equal(['agt_ben']);
    remove();
  });

  it('the @ picker leaves out deactivated teammates', async () => {
    const world = demoWorld();
    world.agents.push(agent('agt_bea', 'Bea Former', 'bea', 'offline', { active: false }));
    const inbox = await fixtureInbox({ world });
    const { el, root, remove } = await mountPart('inbox-composer', inbox);
    await inbox.store.open('conv_lucia');
    await el.selectTab('note');
    const box = byRole(root, 'textbox', 'Note') as HTMLTextAreaElement;
    type(box, 'Ask @b');
    await settled(el);
    // "b" matches Ben, Tom Becker and Bea; Bea is deactivated.
    expect(allByRole(root, 'option').map((o) => o.id)).to.deep.equal(['mention-agt_ben', 'mention-agt_tom']);
    type(box, 'ea');
    await settled(el);
    expect(allByRole(root, 'listbox')).to.have.length(0);
    remove();
  });

  it('sends a reply and tells teammates it is typing, throttled; focus on Send (disabled once sent) goes back to the box', async () => {
    const { inbox, el, root, remove } = await composerOn('conv_lucia');
    const box = byRole(root, 'textbox', 'Reply by SMS') as HTMLTextAreaElement;
    type(box, 'See you Saturday');
    expect(inbox.realtime.typingCalls).to.deep.equal(['conv_lucia']);
    await settled(el);
    const send = byRole(root, 'button', 'Send');
    send.focus();
    send.click();
    await until(() => inbox.world.requests.includes('POST /v1/conversations/conv_lucia/messages'), 2000, 'reply sent');
    await until(() => inbox.store.getSnapshot().open!.timeline.at(-1)!.kind === 'message');
    await until(() => box.value === '' && root.activeElement === box, 2000, 'focus back in the emptied box');
    remove();
  });

  it('"Send and resolve" (Ctrl+Shift+Enter) replies, then resolves and fires inbox-resolve; a failed resolve says the reply went', async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-composer', inbox);
    const resolved: string[] = [];
    el.addEventListener('inbox-resolve', (e) => resolved.push((e as CustomEvent<{ conversationId: string }>).detail.conversationId));
    await inbox.store.open('conv_lucia');
    await settled(el);
    const box = byRole(root, 'textbox', 'Reply by SMS') as HTMLTextAreaElement;
    const both = byRole(root, 'button', 'Send and resolve');
    expect(both.getAttribute('aria-keyshortcuts')).to.equal('Control+Shift+Enter');
    expect(both.hasAttribute('disabled')).to.equal(true); // nothing typed yet
    type(box, 'Booked for Saturday, see you then!');
    await settled(el);
    both.click();
    await until(() => resolved.length === 1, 2000, 'inbox-resolve');
    const posts = inbox.world.requests.filter((r) => r.startsWith('POST'));
    expect(posts.slice(-2)).to.deep.equal(['POST /v1/conversations/conv_lucia/messages', 'POST /v1/conversations/conv_lucia/resolve']);
    expect(inbox.world.conversations.find((c) => c.id === 'conv_lucia')!.status).to.equal('resolved');
    expect(box.value).to.equal('');

    // Ctrl+Shift+Enter, with the resolve refused: the reply is sent and cleared, and the error says so.
    await inbox.store.open('conv_priya');
    await settled(el);
    inbox.world.unavailable = new Set(['POST /v1/conversations/conv_priya/resolve']);
    const email = byRole(root, 'textbox', 'Reply by Email') as HTMLTextAreaElement;
    type(email, 'Fixed on our side.');
    await settled(el);
    email.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, shiftKey: true, bubbles: true, composed: true }));
    await until(() => byRole(root, 'alert').textContent!.includes('Sent, but not resolved'), 2000, 'the error');
    expect(inbox.world.requests).to.include('POST /v1/conversations/conv_priya/messages');
    expect(inbox.world.conversations.find((c) => c.id === 'conv_priya')!.status).to.equal('open');
    expect(resolved).to.have.length(1);
    expect(email.value).to.equal('');

    // A note has no "Send and resolve"; Ctrl+Shift+Enter there only saves.
    await el.selectTab('note');
    expect(allByRole(root, 'button', 'Send and resolve')).to.have.length(0);
    remove();
  });

  it('on a resolved conversation the Reply box says sending reopens it; a Note does not', async () => {
    const { inbox, el, root, remove } = await composerOn('conv_priya_old');
    await until(() => /Resolved: sending reopens it\./.test(root.textContent ?? ''), 2000, 'the hint');
    await el.selectTab('note');
    await settled(el);
    expect(root.textContent).not.to.match(/reopens/);
    await inbox.store.open('conv_lucia');
    await settled(el);
    expect(root.textContent).not.to.match(/reopens/);
    remove();
  });

  it('a teammate’s reply while this one was being written stops Send once and says so; "Send anyway" sends it', async () => {
    const { inbox, el, root, remove } = await composerOn('conv_lucia');
    const box = byRole(root, 'textbox', 'Reply by SMS') as HTMLTextAreaElement;
    const sent = () => inbox.world.requests.filter((r) => r === 'POST /v1/conversations/conv_lucia/messages').length;
    const live = (item: TimelineItem) => inbox.realtime.emit('timeline:added', { seq: item.seq, item });

    // A teammate's note, or a reply before this one was begun, is no collision.
    const before = message('conv_lucia', 'Sí, el sábado a las 10.', 'outbound', maria.id, 0);
    live(before);
    await until(() => inbox.store.getSnapshot().open!.timeline.some((i) => i.id === before.id), 2000, 'María’s reply');
    type(box, 'We can do Saturday at 10.');
    live(note('conv_lucia', 'I will call her too', maria.id, [], 0));
    await settled(el);
    byRole(root, 'button', 'Send').click();
    await until(() => sent() === 1, 2000, 'sent at once');

    // María answers while Ana writes: Send stops, names her, and sends only on "Send anyway".
    await until(() => box.value === '', 2000, 'box emptied');
    type(box, 'Confirmed for Saturday!');
    live(message('conv_lucia', 'Confirmado, ¡hasta el sábado!', 'outbound', maria.id, 0));
    await settled(el);
    // A look at the Note tab (its box empty) and back does not forget where the reply was begun.
    await el.selectTab('note');
    await el.selectTab('reply');
    byRole(root, 'button', 'Send').click();
    await until(() => /María García replied while you were writing\./.test(byRole(root, 'alert').textContent ?? ''), 2000, 'the collision said');
    expect(sent()).to.equal(1);
    expect(box.value).to.equal('Confirmed for Saturday!');
    await expectNoAxeViolations(root.host);
    byRole(root, 'button', 'Send anyway').click();
    await until(() => sent() === 2, 2000, 'sent anyway');
    await until(() => allByRole(root, 'alert').length === 0, 2000, 'the warning gone');
    remove();
  });
});

describe('inbox-composer, a reply that crossed this one', () => {
  it("the server refuses a reply written against an older reply than a teammate's: said as a collision, sent only on Send anyway", async () => {
    const inbox = await fixtureInbox();
    const { el, root, remove } = await mountPart('inbox-composer', inbox);
    await inbox.store.open('conv_lucia');
    await settled(el);
    const box = byRole(root, 'textbox', 'Reply by SMS') as HTMLTextAreaElement;
    const sent = () => inbox.world.requests.filter((r) => r === 'POST /v1/conversations/conv_lucia/messages').length;
    type(box, 'Confirmed for Saturday!');
    await settled(el);
    // María's reply reached the server, not yet this browser: only the server can tell.
    const hers = message('conv_lucia', 'Confirmado, ¡hasta el sábado!', 'outbound', maria.id, 0);
    inbox.world.timelines.set('conv_lucia', [...inbox.world.timelines.get('conv_lucia')!, hers]);
    byRole(root, 'button', 'Send').click();
    await until(() => /María García replied while you were writing\./.test(allByRole(root, 'alert').map((a) => a.textContent).join(' ')), 2000, 'the collision said');
    expect(sent()).to.equal(1);
    expect(inbox.world.timelines.get('conv_lucia')!.filter((i) => i.kind === 'message' && i.author.id === inbox.world.me.id && i.body === 'Confirmed for Saturday!')).to.have.length(0);
    expect(box.value).to.equal('Confirmed for Saturday!');
    expect(allByRole(root, 'alert').some((a) => /Could not|error/i.test(a.textContent ?? ''))).to.equal(false);
    byRole(root, 'button', 'Send anyway').click();
    await until(() => sent() === 2 && box.value === '', 2000, 'sent anyway');
    expect(inbox.world.timelines.get('conv_lucia')!.at(-1)!.kind === 'message' && (inbox.world.timelines.get('conv_lucia')!.at(-1) as MessageItem).body === 'Confirmed for Saturday!').to.equal(true);
    remove();
  });
});

describe('inbox-composer drafts', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => localStorage.clear());

  it('keeps a draft per conversation and tab across a reload, and clears it on send', async () => {
    const first = await fixtureInbox();
    const a = await mountPart('inbox-composer', first);
    await first.store.open('conv_lucia');
    await settled(a.el);
    type(byRole(a.root, 'textbox', /^Reply/) as HTMLTextAreaElement, 'Half-written answer');
    await a.el.selectTab('note');
    type(byRole(a.root, 'textbox', 'Note') as HTMLTextAreaElement, 'a note draft');
    await settled(a.el);
    a.remove();

    // A reload: a new store and a new element.
    const second = await fixtureInbox();
    const b = await mountPart('inbox-composer', second);
    await second.store.open('conv_lucia');
    await settled(b.el);
    const replyBox = () => byRole(b.root, 'textbox', /^Reply/) as HTMLTextAreaElement;
    expect(replyBox().value).to.equal('Half-written answer');
    await b.el.selectTab('note');
    expect((byRole(b.root, 'textbox', 'Note') as HTMLTextAreaElement).value).to.equal('a note draft');
    // Another conversation opens on Reply, with its own (empty) drafts.
    await second.store.open('conv_priya');
    await settled(b.el);
    expect(byRole(b.root, 'tab', /^Reply/).getAttribute('aria-selected')).to.equal('true');
    expect(replyBox().value).to.equal('');
    await b.el.selectTab('note');
    expect((byRole(b.root, 'textbox', 'Note') as HTMLTextAreaElement).value).to.equal('');
    await second.store.open('conv_lucia');
    await settled(b.el);
    expect(byRole(b.root, 'tab', /^Reply/).getAttribute('aria-selected')).to.equal('true');
    byRole(b.root, 'button', 'Send').click();
    await until(() => replyBox().value === '', 2000, 'sent');
    b.remove();

    const third = await fixtureInbox();
    const c = await mountPart('inbox-composer', third);
    await third.store.open('conv_lucia');
    await settled(c.el);
    // The reply was sent and only the note is half-written: the conversation opens on Note, showing it.
    expect(byRole(c.root, 'tab', 'Note').getAttribute('aria-selected')).to.equal('true');
    expect((byRole(c.root, 'textbox', 'Note') as HTMLTextAreaElement).value).to.equal('a note draft');
    await c.el.selectTab('reply');
    expect((byRole(c.root, 'textbox', /^Reply/) as HTMLTextAreaElement).value).to.equal('');
    await c.el.selectTab('note');
    await third.store.open('conv_priya');
    await settled(c.el);
    expect(byRole(c.root, 'tab', /^Reply/).getAttribute('aria-selected')).to.equal('true');
    c.remove();
  });
});
