import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { SavedReply } from '@baton/protocol';
import { ben, demoWorld, fixtureInbox, until, type World } from '../testing/fixtures.js';
import { allByRole, byRole, mountPart, press, settled, type } from '../testing/mount.js';

const at = new Date().toISOString();
const reply = (id: string, name: string, shortcut: string | null, body: string): SavedReply => ({ id, name, shortcut, body, rendered: null, createdAt: at, updatedAt: at });

function world() {
  const w = demoWorld();
  w.savedReplies = [
    reply('sr_1', 'Greeting', 'hi', 'Hi {{contact.firstName}}, thanks for writing in!'),
    reply('sr_2', 'Hours', 'hours', 'We are open 9–5, {{contact.name}}.'),
    reply('sr_3', 'Refund policy', 'refund', 'Refunds take 5 days.'),
  ];
  return w;
}

/** A composer on Lucía's conversation in an inbox over `w`. */
async function composerOn(w: World) {
  const inbox = await fixtureInbox({ world: w });
  const mounted = await mountPart('inbox-composer', inbox);
  await inbox.store.open('conv_lucia');
  await settled(mounted.el);
  return { inbox, ...mounted };
}

describe('saved replies in the composer', () => {
  it('/ at the start opens a saved-reply combobox that filters as you type and inserts the text rendered for this contact', async () => {
    const { inbox, el, root, remove } = await composerOn(world());
    const box = byRole(root, 'textbox', /^Reply/) as HTMLTextAreaElement;
    box.focus();
    type(box, '/');
    await until(() => allByRole(root, 'listbox', 'Saved replies').length === 1 && allByRole(root, 'option').length === 3, 2000, 'the picker');
    expect(box.getAttribute('aria-controls')).to.equal('saved-replies');
    expect(box.getAttribute('aria-activedescendant')).to.equal('saved-reply-sr_1');
    await expectNoAxeViolations(root.host);
    type(box, 'h');
    await settled(el);
    // By shortcut or any word of the name: "h" finds /hi and /hours.
    expect(allByRole(root, 'option').map((o) => o.id)).to.deep.equal(['saved-reply-sr_1', 'saved-reply-sr_2']);
    press(box, 'ArrowDown');
    await settled(el);
    expect(box.getAttribute('aria-activedescendant')).to.equal('saved-reply-sr_2');
    press(box, 'Enter');
    await settled(el);
    expect(box.value).to.equal('We are open 9–5, Lucía Fernández.');
    expect(allByRole(root, 'listbox')).to.have.length(0);
    expect(inbox.world.requests).to.include('GET /v1/saved-replies?conversationId=conv_lucia');
    remove();
  });

  it('opens only at the start of the box, and Escape closes it', async () => {
    const { el, root, remove } = await composerOn(world());
    const box = byRole(root, 'textbox', /^Reply/) as HTMLTextAreaElement;
    type(box, 'see /hi');
    await settled(el);
    await new Promise((r) => setTimeout(r, 50));
    expect(allByRole(root, 'listbox')).to.have.length(0);
    box.value = '';
    box.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    type(box, '/ref');
    await until(() => allByRole(root, 'option').length === 1, 2000, 'one match');
    press(box, 'Escape');
    await settled(el);
    expect(allByRole(root, 'listbox')).to.have.length(0);
    expect(box.value).to.equal('/ref');
    remove();
  });

  it('admins manage saved replies in a dialog: add, edit, delete; teammates do not see the button', async () => {
    const w = world();
    const { el, root, remove } = await composerOn(w);
    const manage = byRole(root, 'button', 'Manage saved replies');
    manage.click();
    await until(() => allByRole(root, 'dialog').length === 1 && allByRole(root, 'button', 'Edit Greeting').length === 1, 2000, 'the dialog with the replies');
    const dialog = byRole(root, 'dialog');
    expect(dialog.getAttribute('aria-labelledby')).to.equal('title');
    await expectNoAxeViolations(root.host);
    (byRole(dialog.getRootNode() as ShadowRoot, 'textbox', 'Name') as HTMLInputElement).value = 'Goodbye';
    (byRole(dialog.getRootNode() as ShadowRoot, 'textbox', 'Shortcut (typed after /)') as HTMLInputElement).value = 'bye';
    (byRole(dialog.getRootNode() as ShadowRoot, 'textbox', /^Text/) as HTMLTextAreaElement).value = 'Bye {{contact.firstName}}!';
    byRole(root, 'button', 'Add saved reply').click();
    await until(() => allByRole(root, 'button', 'Edit Goodbye').length === 1, 2000, 'the new reply listed');
    expect(w.savedReplies!.map((r) => r.shortcut)).to.include('bye');
    byRole(root, 'button', 'Edit Hours').click();
    await settled(el);
    await until(() => (byRole(root, 'textbox', 'Name') as HTMLInputElement).value === 'Hours', 2000, 'the form filled');
    (byRole(root, 'textbox', 'Name') as HTMLInputElement).value = 'Opening hours';
    byRole(root, 'button', 'Save changes').click();
    await until(() => allByRole(root, 'button', 'Edit Opening hours').length === 1, 2000, 'renamed');
    byRole(root, 'button', 'Delete Refund policy').click();
    await until(() => allByRole(root, 'button', 'Edit Refund policy').length === 0, 2000, 'deleted');
    expect(w.savedReplies!.map((r) => r.name)).to.deep.equal(['Greeting', 'Opening hours', 'Goodbye']);
    byRole(root, 'button', 'Close').click();
    await until(() => allByRole(root, 'dialog').length === 0, 2000, 'closed');
    remove();

    const other = await composerOn({ ...world(), me: ben });
    expect(allByRole(other.root, 'button', 'Manage saved replies')).to.have.length(0);
    other.remove();
  });
});
