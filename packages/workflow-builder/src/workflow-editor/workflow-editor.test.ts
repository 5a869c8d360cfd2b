import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { TestWorkspace } from '../testing/workspace.js';
import { allByRole, byRole, deepActive, liveText, nameOf, queryByRole, waitFor, openWorkflow as open, freshWorkspaceEachTest, serverDraft } from '../testing/mount.js';
import type { WorkflowBuilder } from '../workflow-builder/workflow-builder.js';
import type { WorkflowEditor } from './workflow-editor.js';

const rows = (el: WorkflowBuilder) => allByRole(el, 'row');
const rowNamed = (el: WorkflowBuilder, name: string | RegExp) => byRole(el, 'row', name);
const focusedName = () => nameOf(deepActive()!);


async function select(control: HTMLElement, value: string) {
  const s = control as HTMLSelectElement;
  s.value = value;
  s.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  await editorOfControl(s).updateComplete;
}
function editorOfControl(node: Node): WorkflowEditor {
  return (node.getRootNode() as ShadowRoot).host as WorkflowEditor;
}

describe('<workflow-builder> editor (real server)', () => {
  let ws: TestWorkspace;
  let el: WorkflowBuilder | undefined;

  freshWorkspaceEachTest((w) => (ws = w));

  it('shows the rule as a treegrid: trigger → condition groups with a sentence → actions → assign ladder → queue', async () => {
    const o = await open(ws, {
      name: 'Spanish → bilingual',
      conditions: {
        all: [
          { field: 'conversation.channel', op: 'eq', value: 'sms' },
          { any: [{ field: 'contact.language', op: 'in', value: ['es'] }, { field: 'contact.tags', op: 'contains_any', value: ['spanish'] }] },
        ],
      },
      actions: [
        { type: 'add_tag', tags: ['es'] },
        { type: 'assign', steps: [{ pool: { team: ws.teams.bilingual }, require: { skills: ['es'] }, strategy: 'round_robin', timeoutSec: 120 }, { pool: { team: ws.teams.support }, strategy: 'least_loaded' }] },
      ],
    });
    el = o.el;
    const tree = byRole(el, 'treegrid');
    expect(nameOf(tree)).to.equal('Rule Spanish → bilingual');
    const names = rows(el).map(nameOf);
    expect(names).to.deep.equal([
      'When a conversation is created',
      'If: all of 2 items',
      'Condition: channel is SMS',
      'Group: any of 2 items',
      'Condition: contact language is Spanish',
      'Condition: contact tags include spanish',
      'Then: 2 actions',
      'Action 1: Add tags es',
      'Action 2: Assign round-robin in Bilingual (skill es), then least loaded in Support, else queue',
      'Step 1: Bilingual, round-robin',
      'Step 2: Support, least loaded',
      'Otherwise: wait in the queue',
    ]);
    const levels = rows(el).map((r) => r.getAttribute('aria-level'));
    expect(levels).to.deep.equal(['1', '1', '2', '2', '3', '3', '1', '2', '2', '3', '3', '3']);
    expect(rowNamed(el, 'Group: any of 2 items').getAttribute('aria-expanded')).to.equal('true');
    // The sentence under the root group reads the whole tree, with the nested group in brackets.
    expect(rowNamed(el, 'If: all of 2 items').textContent).to.contain('Channel is SMS and (contact language is Spanish or contact tags include spanish)');
    // Who step 1 could take right now: María is online, has skill es and is in Bilingual; Ana lacks es.
    expect(rowNamed(el, 'Step 1: Bilingual, round-robin').textContent).to.contain('Eligible now: María García');
    // Exactly one row is in the tab order.
    expect(rows(el).filter((r) => r.tabIndex === 0)).to.have.length(1);
    await expectNoAxeViolations(el);
  });

  it('names the one agent of a step (no strategy: there is no one to choose among) and says truthfully where the conversation waits without a team', async () => {
    const o = await open(ws, { name: 'To Tom', actions: [{ type: 'assign', steps: [{ pool: { agents: [ws.agents.tom] }, strategy: 'round_robin' }] }] });
    el = o.el;
    expect(rows(el).map(nameOf)).to.include.members(['Action 1: Assign to Tom Becker, else queue', 'Step 1: Tom Becker']);
    const queue = rowNamed(el, 'Otherwise: wait in the queue').textContent!.replace(/\s+/g, ' ');
    expect(queue).to.contain('Otherwise the conversation waits, with no team, until Tom Becker becomes available.');
    expect(queue).not.to.contain('team’s queue');

    // Back to a team: the strategy is named again, and the queue is that team's.
    await select(byRole(rowNamed(el, 'Step 1: Tom Becker'), 'combobox', 'Pool'), `team:${ws.teams.support}`);
    expect(rows(el).map(nameOf)).to.include('Step 1: Support, round-robin');
    expect(rowNamed(el, 'Otherwise: wait in the queue').textContent).to.contain('Otherwise the conversation waits in Support’s queue');
  });

  it('offers each field only the operators and value editors its type allows', async () => {
    const o = await open(ws, { name: 'Hours', conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }] } });
    el = o.el;
    const row = () => rowNamed(el!, /^Condition:/);
    const options = (name: string) => Array.from((byRole(row(), 'combobox', name) as HTMLSelectElement).options).map((x) => x.textContent!.trim());
    expect(options('Operator')).to.deep.equal(['is', 'is not', 'is any of', 'is none of']);

    await select(byRole(row(), 'combobox', 'Field'), 'time.hour');
    expect(options('Operator')).to.deep.equal(['is', 'is not', 'is more than', 'is at least', 'is less than', 'is at most', 'is between']);
    const hour = byRole(row(), 'textbox', 'Value') as HTMLInputElement;
    expect(hour.type).to.equal('number');
    expect(hour.min).to.equal('0');
    expect(hour.max).to.equal('23');
    expect(row().textContent).to.contain('workspace time zone');

    await select(byRole(row(), 'combobox', 'Operator'), 'between');
    expect(allByRole(row(), 'textbox').map(nameOf)).to.deep.equal(['From', 'To']);

    await select(byRole(row(), 'combobox', 'Field'), 'contact.tags');
    expect(options('Operator')).to.deep.equal(['include any of', 'include all of', 'include none of', 'are empty', 'are not empty']);
    await select(byRole(row(), 'combobox', 'Operator'), 'is_empty');
    expect(queryByRole(row(), 'combobox', 'Add value')).to.equal(null);

    await select(byRole(row(), 'combobox', 'Field'), 'contact.language');
    expect(options('Operator')).to.deep.equal(['is', 'is not', 'is any of', 'is none of', 'is empty', 'is set']);
    const langs = Array.from((byRole(row(), 'combobox', 'Value') as HTMLSelectElement).options).map((x) => x.textContent);
    expect(langs).to.include('Spanish');
    await expectNoAxeViolations(el);
  });

  it('builds a whole rule keyboard-only: SMS and (contact tag spanish), assign round-robin in Bilingual, then saves it', async () => {
    const o = await open(ws, { name: 'Keyboard rule' }, false);
    el = o.el;
    // Focus starts on the tree's first row.
    await o.editor.focusTree();
    expect(focusedName()).to.equal('When a conversation is created');
    await sendKeys({ press: 'ArrowDown' });
    expect(focusedName()).to.equal('If: all of 0 items');
    // Enter goes into the row: the group type, then Tab to "Add condition".
    await sendKeys({ press: 'Enter' });
    expect(focusedName()).to.equal('Group type');
    await sendKeys({ press: 'Tab' });
    expect(focusedName()).to.equal('Add condition');
    await sendKeys({ press: 'Enter' });
    await waitFor(() => focusedName() === 'Condition: channel is SMS', 2000, 'focus on the new condition');
    expect(liveText(el)).to.equal('Added condition.');

    // Back up to the group and add another condition; then make it "contact tags include spanish".
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    await waitFor(() => rows(el!).filter((r) => nameOf(r).startsWith('Condition')).length === 2, 2000, 'a second condition');
    await sendKeys({ press: 'Enter' }); // into the row: Field
    expect(focusedName()).to.equal('Field');
    await sendKeys({ type: 'Contact tags' });
    await waitFor(() => nameOf(byRole(el!, 'row', /^Condition: contact tags/)).length > 0, 2000, 'the field to change');
    const tagRow = byRole(el, 'row', /^Condition: contact tags/);
    (byRole(tagRow, 'combobox', 'Add value') as HTMLInputElement).focus();
    await sendKeys({ type: 'spanish' });
    await sendKeys({ press: 'Enter' });
    await waitFor(() => !!queryByRole(el!, 'row', 'Condition: contact tags include spanish'), 2000, 'the tag');

    // Group the tag condition ("any of"), by keyboard: Escape to the row, Tab to "Group".
    const row = byRole(el, 'row', 'Condition: contact tags include spanish');
    row.focus();
    await sendKeys({ press: 'Enter' });
    for (let i = 0; i < 10 && !focusedName().startsWith('Group condition:'); i++) await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    await waitFor(() => !!queryByRole(el!, 'row', 'Group: any of 1 item'), 2000, 'the group');

    // The assign step's pool: Bilingual.
    const step = byRole(el, 'row', /^Step 1:/);
    step.focus();
    await sendKeys({ press: 'Enter' });
    expect(focusedName()).to.equal('Pool');
    await sendKeys({ type: 'Bilingual' });
    await waitFor(() => !!queryByRole(el!, 'row', 'Step 1: Bilingual, round-robin'), 2000, 'the pool');

    const draft = await serverDraft(ws, o.id, (d) => JSON.stringify(d.conditions).includes('spanish') && JSON.stringify(d.actions).includes(ws.teams.bilingual));
    expect(draft.conditions).to.deep.equal({
      all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { any: [{ field: 'contact.tags', op: 'contains_any', value: ['spanish'] }] }],
    });
    expect(draft.actions).to.deep.equal([{ type: 'assign', steps: [{ pool: { team: ws.teams.bilingual }, strategy: 'round_robin' }] }]);
    await expectNoAxeViolations(el);
  });

  it('moves with Alt+Arrow, announces it, and undoes keyboard edits and "wrap in group" as one step each', async () => {
    const o = await open(ws, {
      name: 'Moves',
      conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { field: 'conversation.priority', op: 'eq', value: 'high' }] },
    });
    el = o.el;
    const conditionNames = () => rows(el!).map(nameOf).filter((n) => n.startsWith('Condition') || n.startsWith('Group'));
    rowNamed(el, 'Condition: channel is SMS').focus();
    await sendKeys({ down: 'Alt' });
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ up: 'Alt' });
    await waitFor(() => conditionNames()[0] === 'Condition: priority is High', 2000, 'the move');
    expect(liveText(el)).to.equal('Moved condition to position 2 of 2.');
    // Focus follows the moved row.
    expect(focusedName()).to.equal('Condition: channel is SMS');

    // Wrap it in a "not" group with its Negate button: one edit.
    const row = rowNamed(el, 'Condition: channel is SMS');
    byRole(row, 'button', /^Negate /).click();
    await waitFor(() => conditionNames().includes('Group: not 1 item'), 2000, 'the not group');
    expect(rowNamed(el, /^If:/).textContent).to.contain('Priority is High and not (channel is SMS)');

    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'z' });
    await sendKeys({ up: 'Control' });
    await waitFor(() => !conditionNames().includes('Group: not 1 item'), 2000, 'undo of the wrap');
    expect(conditionNames()).to.deep.equal(['Condition: priority is High', 'Condition: channel is SMS']);
    expect(liveText(el)).to.equal('Undid: Wrapped in “not” group.');

    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'z' });
    await sendKeys({ up: 'Control' });
    await waitFor(() => conditionNames()[0] === 'Condition: channel is SMS', 2000, 'undo of the keyboard move');

    await sendKeys({ down: 'Control' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Z' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ up: 'Control' });
    await waitFor(() => conditionNames()[0] === 'Condition: priority is High', 2000, 'redo of the move');
    expect(liveText(el)).to.equal('Redid: Moved condition to position 2 of 2.');

    // The Undo button does the same; with focus on it, the last undo keeps focus there (it is
    // aria-disabled then, not disabled, which would drop the focus to the page).
    const undo = byRole(el, 'button', 'Undo');
    undo.focus();
    undo.click();
    await waitFor(() => conditionNames()[0] === 'Condition: channel is SMS', 2000, 'undo by button');
    expect(byRole(el, 'button', 'Redo').getAttribute('aria-disabled')).to.equal('false');
    await serverDraft(ws, o.id, (d) => (d.conditions as { all: { field: string }[] }).all[0]!.field === 'conversation.channel');
    while (undo.getAttribute('aria-disabled') === 'false') {
      undo.click();
      await el.updateComplete;
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    expect(deepActive()).to.equal(undo);
    undo.click(); // nothing left to undo: nothing happens
    expect(liveText(el)).to.match(/^Undid/);
  });

  it('groups and ungroups; Delete removes a row and undo brings it back', async () => {
    const o = await open(ws, {
      name: 'Groups',
      conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { any: [{ field: 'contact.tags', op: 'contains_any', value: ['vip'] }, { field: 'conversation.priority', op: 'eq', value: 'urgent' }] }] },
    });
    el = o.el;
    const group = rowNamed(el, 'Group: any of 2 items');
    byRole(group, 'button', /^Ungroup /).click();
    await waitFor(() => !queryByRole(el!, 'row', 'Group: any of 2 items'), 2000, 'ungroup');
    expect(rowNamed(el, /^If:/).textContent).to.contain('Channel is SMS and contact tags include vip and priority is Urgent');

    rowNamed(el, 'Condition: contact tags include vip').focus();
    await sendKeys({ press: 'Delete' });
    await waitFor(() => !queryByRole(el!, 'row', 'Condition: contact tags include vip'), 2000, 'delete');
    expect(liveText(el)).to.equal('Deleted condition.');
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'z' });
    await sendKeys({ up: 'Control' });
    await waitFor(() => !!queryByRole(el!, 'row', 'Condition: contact tags include vip'), 2000, 'undo delete');
    // The row it brings back has the focus, as before the Delete; a redo takes it away again.
    await waitFor(() => focusedName() === 'Condition: contact tags include vip', 2000, 'focus on the restored row');
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'y' });
    await sendKeys({ up: 'Control' });
    await waitFor(() => !queryByRole(el!, 'row', 'Condition: contact tags include vip'), 2000, 'redo delete');
    expect(focusedName()).to.match(/^Condition: channel is SMS|^If:/);
  });

  it('draws a group\'s AND/OR bracket only around conditions: an empty group has none', async () => {
    const o = await open(ws, { name: 'Everyone', conditions: { all: [] } });
    el = o.el;
    const root = rowNamed(el, /^If:/);
    const brackets = () => [...editorOfControl(root).shadowRoot!.querySelectorAll('.bracket')].map((b) => b.getAttribute('data-kind'));
    expect(root.textContent).to.contain('Matches every conversation.');
    expect(brackets()).to.deep.equal([]);
    byRole(root, 'button', 'Add condition').click();
    await waitFor(() => rows(el!).some((r) => nameOf(r).startsWith('Condition:')), 2000, 'a condition');
    expect(brackets()).to.deep.equal(['and']);
  });

  it('collapses and expands a group with Left and Right', async () => {
    const o = await open(ws, { name: 'Collapse', conditions: { any: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }] } });
    el = o.el;
    rowNamed(el, 'If: any of 1 item').focus();
    await sendKeys({ press: 'ArrowLeft' });
    await waitFor(() => rowNamed(el!, 'If: any of 1 item').getAttribute('aria-expanded') === 'false', 2000, 'collapse');
    expect(queryByRole(el, 'row', 'Condition: channel is SMS')).to.equal(null);
    await sendKeys({ press: 'ArrowRight' });
    await waitFor(() => !!queryByRole(el!, 'row', 'Condition: channel is SMS'), 2000, 'expand');
    await sendKeys({ press: 'ArrowRight' });
    expect(focusedName()).to.equal('Condition: channel is SMS');
    await sendKeys({ press: 'ArrowLeft' });
    expect(focusedName()).to.equal('If: any of 1 item');

    // Collapsed, it says so on screen; adding to it shows it again, with focus on what was added.
    await sendKeys({ press: 'ArrowLeft' });
    await waitFor(() => rowNamed(el!, 'If: any of 1 item').getAttribute('aria-expanded') === 'false', 2000, 'collapse again');
    await o.editor.updateComplete;
    expect(rowNamed(el, 'If: any of 1 item').textContent).to.contain('Collapsed');
    byRole(rowNamed(el, 'If: any of 1 item'), 'button', 'Add condition').click();
    const conditions = () => allByRole(el!, 'row').filter((r) => nameOf(r).startsWith('Condition'));
    await waitFor(() => conditions().length === 2 && deepActive() === conditions()[1], 2000, 'the new condition, shown and focused');
    expect(rowNamed(el, 'If: any of 2 items').getAttribute('aria-expanded')).to.equal('true');
    expect(rowNamed(el, 'If: any of 2 items').textContent).not.to.contain('Collapsed');
  });

  it('adds each action type, and the server accepts the result', async () => {
    const o = await open(ws, { name: 'Everything' }, false);
    el = o.el;
    const addAction = async (type: string) => {
      await select(byRole(el!, 'combobox', 'New action'), type);
      byRole(el!, 'button', 'Add action').click();
      await o.editor.updateComplete;
    };
    for (const type of ['set_team', 'add_tag', 'remove_tag', 'set_priority', 'add_note', 'notify']) await addAction(type);
    const actionRow = (n: number) => rowNamed(el!, new RegExp(`^Action ${n}:`));
    const tagInput = byRole(actionRow(3), 'combobox', 'Add value') as HTMLInputElement;
    tagInput.value = 'es';
    tagInput.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    const removeInput = byRole(actionRow(4), 'combobox', 'Add value') as HTMLInputElement;
    removeInput.value = 'new';
    removeInput.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    const note = byRole(actionRow(6), 'textbox', 'Note') as HTMLTextAreaElement;
    note.value = 'Routed by {{rule.name}}';
    note.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await o.editor.updateComplete;
    expect(rows(el).map(nameOf).filter((n) => n.startsWith('Action'))).to.deep.equal([
      'Action 1: Assign round-robin in Support, else queue',
      'Action 2: Set team Bilingual',
      'Action 3: Add tags es',
      'Action 4: Remove tags new',
      'Action 5: Set priority High',
      'Action 6: Add note “Routed by {{rule.name}}”',
      'Action 7: Notify Bilingual',
    ]);
    await serverDraft(ws, o.id, (d) => d.actions.length === 7 && (d.actions[5] as { body?: string }).body === 'Routed by {{rule.name}}');
    await expectNoAxeViolations(el);
  });

  it('suggests the workspace’s tags in use (most used first, then those the rules name) and its agents’ skills while typing', async () => {
    // A resolved conversation and its contact: tags the builder knows only from GET /v1/tags.
    const { conversation } = await ws.ana.createConversation({ contact: { name: 'Gina Gold', tags: ['vip', 'gold'] }, channel: 'sms', tags: ['billing', 'vip'] });
    await ws.ana.resolve(conversation.id);
    const o = await open(ws, {
      name: 'Suggestions',
      conditions: { all: [{ field: 'contact.tags', op: 'contains_any', value: ['spanish'] }] },
      actions: [{ type: 'add_tag', tags: ['es'] }, { type: 'assign', steps: [{ pool: { team: ws.teams.support }, strategy: 'round_robin' }] }],
    });
    el = o.el;
    const options = (input: HTMLElement) => Array.from((input as HTMLInputElement).list?.options ?? []).map((x) => x.value);
    // vip is on a conversation and a contact (2), billing and gold on one each; "es" is the action's own.
    // The workspace's tags arrive after the editor shows (they do not hold up its first paint).
    const builder = o.el;
    await waitFor(() => options(byRole(rowNamed(builder, /^Action 1:/), 'combobox', 'Add value')).length > 1);
    expect(options(byRole(rowNamed(el, /^Action 1:/), 'combobox', 'Add value'))).to.deep.equal(['vip', 'billing', 'gold', 'spanish']);
    expect(options(byRole(rowNamed(el, /^Step 1:/), 'combobox', 'Add value'))).to.deep.equal(['es', 'senior', 'technical']);
  });

  it('without GET /v1/tags (an older server), tag inputs suggest the latest conversations’ tags', async () => {
    await ws.ana.createConversation({ contact: { name: 'Olga Open', tags: ['contact-only'] }, channel: 'sms', tags: ['on-a-conversation'] });
    const asked: string[] = [];
    // This workspace's client only: each test gets a fresh one.
    ws.ana.listTags = () => (asked.push('listTags'), Promise.reject(new Error('404 not_found')));
    const o = await open(ws, { name: 'Fallback', actions: [{ type: 'add_tag', tags: ['es'] }] });
    el = o.el;
    const input = () => byRole(rowNamed(o.el, /^Action 1:/), 'combobox', 'Add value') as HTMLInputElement;
    await waitFor(() => (input().list?.options.length ?? 0) > 0);
    expect(asked).to.deep.equal(['listTags']);
    expect(Array.from(input().list?.options ?? []).map((x) => x.value)).to.deep.equal(['on-a-conversation']);
  });

  it('takes a condition out of its group with Alt+Left and back in with Alt+Right, announced and undoable', async () => {
    const o = await open(ws, { name: 'Indent', conditions: { all: [{ any: [{ field: 'contact.tags', op: 'contains_any', value: ['vip'] }, { field: 'conversation.channel', op: 'eq', value: 'sms' }] }] } });
    el = o.el;
    rowNamed(el, 'Condition: channel is SMS').focus();
    await sendKeys({ down: 'Alt' });
    await sendKeys({ press: 'ArrowLeft' });
    await sendKeys({ up: 'Alt' });
    await waitFor(() => rowNamed(el!, 'Condition: channel is SMS').getAttribute('aria-level') === '2', 2000, 'the outdent');
    expect(liveText(el)).to.equal('Moved condition out of its group.');
    expect(focusedName()).to.equal('Condition: channel is SMS');
    await sendKeys({ down: 'Alt' });
    await sendKeys({ press: 'ArrowRight' });
    await sendKeys({ up: 'Alt' });
    await waitFor(() => rowNamed(el!, 'Condition: channel is SMS').getAttribute('aria-level') === '3', 2000, 'the indent');
    expect(liveText(el)).to.equal('Moved condition into the group above.');
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'z' });
    await sendKeys({ up: 'Control' });
    await waitFor(() => rowNamed(el!, 'Condition: channel is SMS').getAttribute('aria-level') === '2', 2000, 'the undo');
  });
});
