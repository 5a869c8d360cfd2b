import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { TestWorkspace } from '../testing/workspace.js';
import { allByRole, byRole, deepActive, liveText, nameOf, waitFor, openWorkflow as open, freshWorkspaceEachTest, serverDraft } from '../testing/mount.js';
import type { WorkflowBuilder } from '../workflow-builder/workflow-builder.js';

const rowNamed = (el: WorkflowBuilder, name: string | RegExp) => byRole(el, 'row', name);
const focusedName = () => nameOf(deepActive() ?? document.body);
const spanish = { field: 'contact.language', op: 'in' as const, value: ['es'] };
const vip = { field: 'contact.tags', op: 'contains_any' as const, value: ['vip'] };

/** The text a control's or row's aria-describedby points at (in the same shadow root). */
function description(node: HTMLElement): string {
  const ids = node.getAttribute('aria-describedby')?.split(/\s+/) ?? [];
  const root = node.getRootNode() as ShadowRoot;
  return ids.map((id) => root.getElementById(id)?.textContent ?? '').join(' ').replace(/\s+/g, ' ').trim();
}

function type(input: HTMLInputElement, value: string) {
  input.focus();
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

describe('<workflow-builder> editor: focus, announcements and errors for keyboard and screen-reader users', () => {
  let ws: TestWorkspace;

  freshWorkspaceEachTest((w) => (ws = w));

  it('deleting the only condition of a NOT group focuses the previous sibling and says the group went with it', async () => {
    const { el } = await open(ws, { name: 'Not VIP', conditions: { any: [spanish, { not: vip }] } });
    rowNamed(el, 'Condition: contact tags include vip').focus();
    await sendKeys({ press: 'Delete' });
    await waitFor(() => focusedName() === 'Condition: contact language is Spanish', 2000, 'focus on the previous sibling');
    expect(liveText(el)).to.equal('Deleted condition and its “not” group.');
    // The tree's one tab stop is that row, not the trigger.
    expect(rowNamed(el, 'Condition: contact language is Spanish').tabIndex).to.equal(0);
  });

  it('deleting the only condition of a NOT group that has no previous sibling focuses the parent group', async () => {
    const { el } = await open(ws, { name: 'Not VIP first', conditions: { any: [{ not: vip }, spanish] } });
    rowNamed(el, 'Condition: contact tags include vip').focus();
    await sendKeys({ press: 'Delete' });
    await waitFor(() => focusedName() === 'If: any of 1 item', 2000, 'focus on the parent group');
  });

  it('links an empty group’s error to its row (its aria-label replaces its content as the name) and to its Group type', async () => {
    const { el } = await open(ws, { name: 'Empty group', conditions: { all: [{ any: [spanish] }] } });
    rowNamed(el, 'Condition: contact language is Spanish').focus();
    await sendKeys({ press: 'Delete' });
    const group = rowNamed(el, 'Group: any of 0 items');
    await waitFor(() => group.textContent!.includes('no conditions'), 8000, 'the group error shown');
    expect(description(group)).to.contain('no conditions');
    const kind = byRole(group, 'combobox', 'Group type');
    expect(kind.getAttribute('aria-invalid')).to.equal('true');
    expect(description(kind)).to.contain('no conditions');
  });

  it('announces that the draft is not saved and why; Publish then says why it cannot publish and goes to the problem; the fix is announced once', async () => {
    const { el } = await open(ws, { name: 'Empty group', conditions: { all: [{ any: [spanish] }] } });
    rowNamed(el, 'Condition: contact language is Spanish').focus();
    await sendKeys({ press: 'Delete' });
    await waitFor(() => liveText(el) === 'Not saved: 1 problem to fix.', 8000, 'the save state announced');
    const group = rowNamed(el, 'Group: any of 0 items');

    // Publish is aria-disabled, yet pressing it says why and takes focus to the first problem.
    const publish = byRole(el, 'button', 'Publish');
    expect(publish.getAttribute('aria-disabled')).to.equal('true');
    publish.focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => liveText(el) === 'Can’t publish: 1 problem to fix.', 2000, 'the reason announced');
    expect(focusedName()).to.contain('no conditions');
    expect(deepActive()!.closest('section')?.getAttribute('aria-labelledby')).to.equal('problems-title');

    // Fixed (undone): said once.
    group.focus();
    await sendKeys({ press: 'Control+z' });
    await waitFor(() => liveText(el) === 'All changes saved.', 8000, 'the fix announced');
  });

  it('links a bad step timeout to its error, in words that say what to type', async () => {
    const { el } = await open(ws, {
      name: 'Ladder',
      actions: [{ type: 'assign', steps: [{ pool: { team: ws.teams.bilingual }, strategy: 'round_robin', timeoutSec: 120 }, { pool: { team: ws.teams.support }, strategy: 'least_loaded' }] }],
    });
    const timeout = byRole(rowNamed(el, /^Step 1:/), 'textbox') as HTMLInputElement;
    type(timeout, '-5');
    await waitFor(() => timeout.getAttribute('aria-invalid') === 'true', 8000, 'the timeout marked invalid');
    expect(description(timeout)).to.equal('Enter a whole number of seconds from 1 to 604800.');
    expect(liveText(el)).to.equal('Not saved: 1 problem to fix.');
  });

  it('keeps what was typed in the trigger’s minutes (0, empty) and shows why it is not saved, then saves a good number', async () => {
    const { el, id } = await open(ws, { name: 'Waiting', trigger: { event: 'conversation.unassigned_for', minutes: 15 } });
    const minutes = byRole(rowNamed(el, /^When a conversation stays unassigned/), 'textbox') as HTMLInputElement;

    type(minutes, '0');
    await waitFor(() => minutes.getAttribute('aria-invalid') === 'true', 8000, 'the minutes marked invalid');
    expect(minutes.value).to.equal('0');
    expect(description(minutes)).to.equal('Enter a whole number of minutes from 1 to 10080.');

    type(minutes, '');
    await new Promise((r) => setTimeout(r, 300));
    await waitFor(() => minutes.getAttribute('aria-invalid') === 'true', 8000, 'empty minutes marked invalid');
    expect(minutes.value).to.equal('');
    expect((await ws.ana.getWorkflow(id)).workflow.draft.trigger).to.deep.equal({ event: 'conversation.unassigned_for', minutes: 15 });

    type(minutes, '30');
    await serverDraft(ws, id, (d) => 'minutes' in d.trigger && d.trigger.minutes === 30);
    await waitFor(() => minutes.getAttribute('aria-invalid') === 'false', 8000, 'the minutes valid again');
    expect(minutes.hasAttribute('aria-describedby')).to.equal(false);
  });

  it('names each row button with its row, so Tab does not say "Delete" four times over', async () => {
    const { el } = await open(ws, { name: 'Two', conditions: { all: [spanish, vip] } });
    const names = allByRole(rowNamed(el, 'Condition: contact tags include vip'), 'button').map(nameOf).filter((n) => /^(Move|Group|Negate|Delete)/.test(n));
    expect(names).to.deep.equal([
      'Move up condition: contact tags include vip',
      'Move down condition: contact tags include vip',
      'Group condition: contact tags include vip',
      'Negate condition: contact tags include vip',
      'Delete condition: contact tags include vip',
    ]);
  });
});
