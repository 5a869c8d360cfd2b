import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { TestWorkspace } from '../testing/workspace.js';
import { allByRole, byRole, deepActive, liveText, mountBuilder, nameOf, queryByRole, waitFor, editorOf, openWorkflow as open, reopenWorkflow, freshWorkspaceEachTest, serverDraft } from '../testing/mount.js';
import type { WorkflowBuilder } from '../workflow-builder/workflow-builder.js';



function type(input: HTMLElement, value: string) {
  (input as HTMLInputElement).value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}
async function choose(control: HTMLElement, value: string) {
  (control as HTMLSelectElement).value = value;
  control.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}
const saveState = (el: WorkflowBuilder) => editorOf(el).shadowRoot!.querySelector('.save-state')!.textContent!.trim();
/** The host page starting to leave: true when something asked the browser to confirm ("Leave site?"). */
function leavePage(): boolean {
  const e = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(e);
  return e.defaultPrevented;
}

describe('<workflow-builder> drafts, conflicts, validation and the dry run (real server)', () => {
  let ws: TestWorkspace;
  let el: WorkflowBuilder | undefined;

  freshWorkspaceEachTest((w) => (ws = w));

  it('autosaves with If-Match and fires workflow-save', async () => {
    const o = await open(ws, { name: 'Autosave' });
    el = o.el;
    const saves: number[] = [];
    el.addEventListener('workflow-save', (e) => saves.push(e.detail.workflow.draftVersion));
    type(byRole(el, 'textbox', 'Name'), 'Autosave renamed');
    await waitFor(() => saveState(el!) === 'All changes saved' && saves.length > 0, 5000, 'the save');
    const { workflow } = await ws.ana.getWorkflow(o.id);
    expect(workflow.draft.name).to.equal('Autosave renamed');
    expect(workflow.hasUnpublishedChanges).to.equal(true);
    expect(saves).to.deep.equal([workflow.draftVersion]);
  });

  it('a required skill typed in capitals is saved once, shown as the server stores it, and Publish is offered', async () => {
    const o = await open(ws, { name: 'Skills', actions: [{ type: 'assign', steps: [{ pool: { team: ws.teams.bilingual }, strategy: 'round_robin' }] }] }, false);
    el = o.el;
    const saves: number[] = [];
    el.addEventListener('workflow-save', (e) => saves.push(e.detail.workflow.draftVersion));
    // Added after the step's other settings, where the server's copy has it before them; and
    // lower-cased there. Either difference alone used to make every save ask for another.
    const skills = byRole(byRole(el, 'row', /^Step 1/), 'combobox', 'Add value') as HTMLInputElement;
    skills.value = 'ES';
    skills.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await editorOf(el).updateComplete;
    expect(saveState(el)).to.equal('Saving soon…');
    await waitFor(() => saveState(el!) === 'All changes saved', 5000, 'the save');
    await editorOf(el).updateComplete;
    expect(saves).to.have.length(1);
    expect(((await ws.ana.getWorkflow(o.id)).workflow.draft.actions[0] as { steps: object[] }).steps[0]).to.deep.include({ require: { skills: ['es'] } });
    expect(allByRole(byRole(el, 'row', /^Step 1/), 'button').map(nameOf)).to.include('Remove es');
    expect(byRole(el, 'button', 'Publish').getAttribute('aria-disabled')).to.equal('false');
  });

  it('a stale save shows "Ana published a newer version at …" and never overwrites; Keep mine saves over it knowingly', async () => {
    const o = await open(ws, { name: 'Shared rule' });
    el = o.el;
    // Another tab publishes a change first.
    const { workflow } = await ws.other.getWorkflow(o.id);
    await ws.other.updateWorkflow(o.id, { ...workflow.draft, name: 'Theirs' }, { ifMatch: workflow.draftVersion });
    const published = (await ws.other.publishWorkflow(o.id)).workflow.published!;

    type(byRole(el, 'textbox', 'Name'), 'Mine');
    await waitFor(() => !!queryByRole(el!, 'alert', /published a newer version/), 5000, 'the conflict');
    const alert = byRole(el, 'alert', /published a newer version/);
    const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(new Date(published.publishedAt));
    expect(alert.textContent).to.contain(`Ana published a newer version at ${time}`);
    expect(allByRole(alert, 'button').map(nameOf)).to.deep.equal(['Review changes', 'Keep mine', 'Discard mine']);
    expect(saveState(el)).to.equal('Not saved: someone else changed this workflow');
    expect(byRole(el, 'button', 'Publish').getAttribute('aria-disabled')).to.equal('true');
    // Nothing of mine reached the server.
    expect((await ws.ana.getWorkflow(o.id)).workflow.draft.name).to.equal('Theirs');
    await expectNoAxeViolations(el);

    byRole(alert, 'button', 'Review changes').click();
    await waitFor(() => alert.textContent!.includes('Only in yours'), 2000, 'the review');
    expect(alert.textContent).to.contain('Name: Theirs');
    expect(alert.textContent).to.contain('Name: Mine');

    byRole(alert, 'button', 'Keep mine').click();
    await waitFor(() => !queryByRole(el!, 'alert', /published a newer version/) && saveState(el!) === 'All changes saved', 5000, 'keep mine');
    expect((await ws.ana.getWorkflow(o.id)).workflow.draft.name).to.equal('Mine');
  });

  it('Discard mine takes the newer version (and undo can bring mine back)', async () => {
    const o = await open(ws, { name: 'Shared rule' });
    el = o.el;
    const { workflow } = await ws.other.getWorkflow(o.id);
    await ws.other.updateWorkflow(o.id, { ...workflow.draft, name: 'Theirs' }, { ifMatch: workflow.draftVersion });
    type(byRole(el, 'textbox', 'Name'), 'Mine');
    await waitFor(() => !!queryByRole(el!, 'alert', /saved a newer draft/), 5000, 'the conflict');
    byRole(el, 'button', 'Discard mine').click();
    await waitFor(() => (byRole(el!, 'textbox', 'Name') as HTMLInputElement).value === 'Theirs', 2000, 'theirs');
    expect(liveText(el)).to.equal('Your changes were discarded; showing the newer version.');
    expect((await ws.ana.getWorkflow(o.id)).workflow.draft.name).to.equal('Theirs');
    byRole(el, 'button', 'Undo').click();
    await waitFor(() => (byRole(el!, 'textbox', 'Name') as HTMLInputElement).value === 'Mine', 2000, 'mine again');
  });

  it('publishing never publishes another admin’s unsaved work: a stale publish is a conflict', async () => {
    const o = await open(ws, { name: 'Publish race' });
    el = o.el;
    let saved = false;
    el.addEventListener('workflow-save', (e) => (saved = e.detail.workflow.draft.name === 'My edit'));
    type(byRole(el, 'textbox', 'Name'), 'My edit');
    await waitFor(() => saved, 5000, 'my save');
    // Another admin saves a draft (not published) after mine.
    const { workflow } = await ws.other.getWorkflow(o.id);
    await ws.other.updateWorkflow(o.id, { ...workflow.draft, name: 'Their unpublished edit' }, { ifMatch: workflow.draftVersion });

    byRole(el, 'button', 'Publish').click();
    await waitFor(() => !!queryByRole(el!, 'alert', /saved a newer draft/), 5000, 'the conflict');
    const after = (await ws.ana.getWorkflow(o.id)).workflow;
    expect(after.published!.version).to.equal(1);
    expect(after.published!.definition.name).to.equal('Publish race');
  });

  it('publishes a valid draft and fires workflow-publish', async () => {
    const o = await open(ws, { name: 'To publish' }, false);
    el = o.el;
    const published: number[] = [];
    el.addEventListener('workflow-publish', (e) => published.push(e.detail.workflow.published!.version));
    const publish = byRole(el, 'button', 'Publish');
    publish.focus();
    publish.click();
    await waitFor(() => published.length === 1, 5000, 'the publication');
    expect(liveText(el)).to.equal('Published version 1.');
    // Nothing is left to publish, and the button keeps the focus it had.
    await editorOf(el).updateComplete;
    expect(publish.getAttribute('aria-disabled')).to.equal('true');
    expect(deepActive()).to.equal(publish);
    publish.click();
    expect((await ws.ana.getWorkflow(o.id)).workflow.published!.version).to.equal(1);
    expect((await ws.ana.getWorkflow(o.id)).workflow.published!.version).to.equal(1);
  });

  it('puts the server’s errors on the exact control, disables Publish, and the problem list jumps to it', async () => {
    const o = await open(ws, { name: 'Invalid', conditions: { all: [{ field: 'time.hour', op: 'eq', value: 9 }] } });
    el = o.el;
    const row = byRole(el, 'row', /^Condition: hour/);
    const value = byRole(row, 'textbox', 'Value');
    type(value, '30');
    await waitFor(() => value.getAttribute('aria-invalid') === 'true', 5000, 'the error on the value');
    const describedBy = value.getAttribute('aria-describedby')!;
    const message = (value.getRootNode() as ShadowRoot).getElementById(describedBy)!.textContent!;
    expect(message).to.match(/23|hour|range|between/i);
    // The field and operator of that row are fine.
    expect(byRole(row, 'combobox', 'Field').getAttribute('aria-invalid')).to.equal('false');
    expect(byRole(el, 'button', 'Publish').getAttribute('aria-disabled')).to.equal('true');
    expect(saveState(el)).to.contain('Not saved to the server');
    await expectNoAxeViolations(el);

    byRole(el, 'heading', /1 problem to fix before publishing/);
    (byRole(el, 'textbox', 'Name') as HTMLInputElement).focus();
    const jump = allByRole(editorOf(el), 'button').find((b) => b.classList.contains('link'))!;
    jump.click();
    await waitFor(() => deepActive() === value, 2000, 'focus on the value');

    type(value, '10');
    await waitFor(() => value.getAttribute('aria-invalid') === 'false' && saveState(el!) === 'All changes saved', 5000, 'the fix');
    expect(byRole(el, 'button', 'Publish').getAttribute('aria-disabled')).to.equal('false');
  });

  it('maps a shape error (an empty tag list) to its control too', async () => {
    const o = await open(ws, { name: 'Tags', actions: [{ type: 'add_tag', tags: ['vip'] }] });
    el = o.el;
    const row = byRole(el, 'row', /^Action 1:/);
    byRole(row, 'button', 'Remove vip').click();
    await waitFor(() => !!queryByRole(el!, 'heading', /1 problem/), 5000, 'the problem');
    const input = byRole(byRole(el, 'row', /^Action 1:/), 'combobox', 'Add value');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(byRole(el, 'row', /^Action 1:/).textContent).to.contain('Add at least one tag.');
  });

  it('an action just added and left empty, and an emptied group, say what is wrong where it is, as the list at the top does', async () => {
    const o = await open(ws, { name: 'Fresh', conditions: { all: [{ any: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }] }] } }, false);
    el = o.el;
    const newAction = byRole(el, 'combobox', 'New action') as HTMLSelectElement;
    newAction.value = 'add_tag';
    newAction.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    byRole(el, 'button', 'Add action').click();
    byRole(byRole(el, 'row', /^Condition: channel/), 'button', /^Delete condition:/).click();
    await waitFor(() => !!queryByRole(el!, 'heading', /1 problem to fix/), 5000, 'the problem');
    const tags = byRole(byRole(el, 'row', /^Action 2:/), 'combobox', 'Add value') as HTMLInputElement;
    const said = (control: Element) => editorOf(el!).shadowRoot!.getElementById(control.getAttribute('aria-describedby') ?? '')?.textContent ?? '';
    expect(tags.getAttribute('aria-invalid')).to.equal('true');
    expect(said(tags)).to.contain('Add at least one tag.');
    // With the tag given, the validator's turn: the empty group.
    tags.value = 'vip';
    tags.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await waitFor(() => !!queryByRole(el!, 'heading', /1 problem to fix/) && byRole(el!, 'row', /^Group: any of 0/).textContent!.includes('has no conditions'), 5000, 'the empty group');
    expect(byRole(el, 'row', /^Group: any of 0/).textContent).to.contain('this group ("any") has no conditions: add one or delete the group');
    await expectNoAxeViolations(el);
  });

  it('keeps edits the server refused in IndexedDB and offers them again on reopening', async () => {
    const o = await open(ws, { name: 'Local copy', actions: [{ type: 'add_tag', tags: ['vip'] }] });
    el = o.el;
    byRole(byRole(el, 'row', /^Action 1:/), 'button', 'Remove vip').click();
    await waitFor(() => !!queryByRole(el!, 'heading', /1 problem/), 5000, 'the refusal');
    el.remove();

    el = await mountBuilder(ws, { 'workflow-id': o.id });
    await waitFor(() => !!queryByRole(el!, 'alert', /not saved to the server/), 5000, 'the offer');
    byRole(el, 'button', 'Restore them').click();
    await waitFor(() => !!queryByRole(el!, 'row', 'Action 1: Add tags (none yet)'), 2000, 'the restored draft');
    expect(liveText(el)).to.equal('Restore unsaved changes.');
  });

  it('replays the draft on recent conversations: published vs draft per conversation, differences first, and what decided', async () => {
    const support = await ws.createWorkflow({ name: 'Everyone → Support', priority: 100 });
    const post = (body: Record<string, unknown>) =>
      fetch(`${ws.url}/v1/conversations`, { method: 'POST', headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    await post({ contact: { name: 'Lucía', tags: ['spanish'] }, channel: 'sms', message: { body: 'Hola' } });
    await post({ contact: { name: 'Priya' }, channel: 'email', message: { body: 'Hello' } });
    // Let the runner record the published version's runs.
    for (let i = 0; i < 100 && (await ws.ana.listWorkflowRuns(support)).items.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const o = await reopenWorkflow(ws, support);
    el = o.el;
    const editor = o.editor;
    const summary = () => editor.shadowRoot!.querySelector('.dry-run')?.querySelector('p')?.textContent ?? '';
    // The live version itself replayed: round-robin deals to other agents now, which is no change.
    byRole(el, 'button', 'Test on recent conversations').click();
    await waitFor(() => /of 2 would be handled differently/.test(summary()), 8000, 'the unchanged replay');
    expect(summary()).to.equal('0 of 2 would be handled differently.');
    expect(editor.shadowRoot!.querySelectorAll('.dry-run tr.changed')).to.have.length(0);
    // The draft: only SMS, to Bilingual.
    const ifRow = byRole(el, 'row', /^If:/);
    byRole(ifRow, 'button', 'Add condition').click();
    await editor.updateComplete;
    await choose(byRole(byRole(el, 'row', /^Step 1:/), 'combobox', 'Pool'), `team:${ws.teams.bilingual}`);
    await editor.updateComplete;

    byRole(el, 'button', 'Test on recent conversations').click();
    await waitFor(() => summary().startsWith('2 of 2'), 8000, 'the results');
    const table = editor.shadowRoot!.querySelector('.dry-run table')!;
    const lines = Array.from(table.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map((c) => c.textContent!.trim()));
    expect(lines).to.have.length(2);
    // Lucía: published assigned in Support; the draft would assign in Bilingual (María). Priya: draft does not match.
    const lucia = lines.find((l) => l[0]!.startsWith('Lucía'))!;
    const priya = lines.find((l) => l[0]!.startsWith('Priya'))!;
    expect(lucia[1]).to.match(/assigned/i);
    expect(lucia[2]).to.match(/mar[ií]a/i);
    expect(priya[2]).to.equal('Not matched');
    expect(priya[0]).to.contain(' · Email');
    expect(priya[3]).to.equal('channel is SMS: was Email');
    expect(liveText(el)).to.equal('Tested on 2 conversations: 2 would change.');
    expect(summary()).to.equal('2 of 2 would be handled differently; those come first.');
    expect(Array.from(table.querySelectorAll('tbody tr')).map((tr) => tr.classList.contains('changed'))).to.deep.equal([true, true]);
    // Replay fewer: the latest one only.
    const count = byRole(editor.shadowRoot!.querySelector('.dry-run')!, 'textbox', 'Latest conversations') as HTMLInputElement;
    count.value = '1';
    byRole(editor.shadowRoot!.querySelector('.dry-run')!, 'button', 'Replay').click();
    await waitFor(() => editor.shadowRoot!.querySelectorAll('.dry-run tbody tr').length === 1, 8000, 'one result');
    await expectNoAxeViolations(el);
  });

  it('two admins in two builders: the second save gets the conflict screen', async () => {
    const id = await ws.createWorkflow({ name: 'Shared' });
    // Both builders are removed after the test with every other one mounted (freshWorkspaceEachTest).
    const { el: first } = await reopenWorkflow(ws, id);
    const { el: second } = await reopenWorkflow(ws, id);
    let saved = false;
    first.addEventListener('workflow-save', () => (saved = true));
    type(byRole(first, 'textbox', 'Name'), 'First admin');
    await waitFor(() => saved, 5000, 'the first save');
    type(byRole(second, 'textbox', 'Name'), 'Second admin');
    // Named: the server says who saved the draft (`draftUpdatedBy`).
    await waitFor(() => !!queryByRole(second, 'alert', /^(?!Someone)\S+ saved a newer draft at/), 5000, 'the conflict');
    expect((await ws.ana.getWorkflow(id)).workflow.draft.name).to.equal('First admin');
  });

  it('keeps edits in the browser when the server cannot be reached, and offers them after a reload', async () => {
    const o = await open(ws, { name: 'Offline' });
    el = o.el;
    // The connection drops after the editor opened: every save fails as a network error does.
    const realFetch = window.fetch;
    window.fetch = (input, init) => (init?.method === 'PUT' ? Promise.reject(new TypeError('Failed to fetch')) : realFetch(input, init));
    try {
      type(byRole(el, 'textbox', 'Name'), 'Offline edit');
      await waitFor(() => saveState(el!) === 'The server did not answer: changes are kept in this browser.', 5000, 'the offline state');
    } finally {
      window.fetch = realFetch;
    }
    el.remove();

    el = await mountBuilder(ws, { 'workflow-id': o.id });
    await waitFor(() => !!queryByRole(el!, 'button', 'Restore them'), 5000, 'the offer');
    byRole(el, 'button', 'Restore them').click();
    await waitFor(() => (byRole(el!, 'textbox', 'Name') as HTMLInputElement).value === 'Offline edit', 2000, 'the restore');
    editorOf(el).autosaveDelay = 50;
    await waitFor(() => saveState(el!) === 'All changes saved', 5000, 'the save after restoring');
    expect((await ws.ana.getWorkflow(o.id)).workflow.draft.name).to.equal('Offline edit');
  });

  it('leaving the page while an edit waits for the autosave sends it at once and has the browser ask first; with nothing unsent it does not ask', async () => {
    const o = await open(ws, { name: 'Leaving' });
    el = o.el;
    expect(leavePage()).to.equal(false);
    // Far longer than the test: only leaving the page can send these edits in time.
    o.editor.autosaveDelay = 60_000;
    type(byRole(el, 'textbox', 'Name'), 'Renamed, then a link clicked');
    await o.editor.updateComplete;
    expect(saveState(el)).to.equal('Saving soon…');
    expect(leavePage()).to.equal(true);
    await serverDraft(ws, o.id, (d) => d.name === 'Renamed, then a link clicked');
    await waitFor(() => saveState(el!) === 'All changes saved', 5000, 'the save');
    expect(leavePage()).to.equal(false);

    // The page going away (no prompt on the way, as on mobile) sends what waits too.
    type(byRole(el, 'textbox', 'Name'), 'Renamed, then the tab closed');
    window.dispatchEvent(new Event('pagehide'));
    await serverDraft(ws, o.id, (d) => d.name === 'Renamed, then the tab closed');

    // A closed editor listens no more (its own save on closing is on its way meanwhile).
    await waitFor(() => saveState(el!) === 'All changes saved', 5000, 'the second save');
    type(byRole(el, 'textbox', 'Name'), 'Renamed, then the editor closed');
    el.remove();
    expect(leavePage()).to.equal(false);
    await serverDraft(ws, o.id, (d) => d.name === 'Renamed, then the editor closed');
  });

  it('the offer of changes from an earlier visit goes away once newer edits are saved', async () => {
    const o = await open(ws, { name: 'Offer', actions: [{ type: 'add_tag', tags: ['vip'] }] });
    el = o.el;
    byRole(byRole(el, 'row', /^Action 1:/), 'button', 'Remove vip').click();
    await waitFor(() => !!queryByRole(el!, 'heading', /1 problem/), 5000, 'the refusal');
    el.remove();

    ({ el } = await reopenWorkflow(ws, o.id));
    await waitFor(() => !!queryByRole(el!, 'button', 'Restore them'), 5000, 'the offer');
    // The admin edits on instead: this browser's copy is now these edits, and the server has them.
    type(byRole(el, 'textbox', 'Name'), 'Offer, edited on');
    await serverDraft(ws, o.id, (d) => d.name === 'Offer, edited on');
    await waitFor(() => saveState(el!) === 'All changes saved', 5000, 'the save');
    await editorOf(el).updateComplete;
    expect(!!queryByRole(el, 'alert', /not saved to the server/), 'the offer still shown').to.equal(false);
  });

  it('the offer goes away once the server holds what the browser held (the save sent on closing lands after reopening)', async () => {
    const o = await open(ws, { name: 'Quick return' });
    el = o.el;
    // The save the editor sends as it closes is held until the workflow is open again.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const update = ws.ana.updateWorkflow.bind(ws.ana);
    ws.ana.updateWorkflow = async (...args: Parameters<typeof update>) => {
      await held;
      return update(...args);
    };
    o.editor.autosaveDelay = 60_000;
    type(byRole(el, 'textbox', 'Name'), 'Renamed, back at once');
    byRole(el, 'button', '← Workflows').click();
    await waitFor(() => !!queryByRole(el!, 'button', 'Quick return'), 5000, 'the list');
    byRole(el, 'button', 'Quick return').click();
    await waitFor(() => !!queryByRole(el!, 'button', 'Restore them'), 5000, 'the offer of the unsent rename');

    release();
    await serverDraft(ws, o.id, (d) => d.name === 'Renamed, back at once');
    await waitFor(() => !queryByRole(el!, 'alert', /not saved to the server/), 5000, 'the offer to go');
  });

  it('shows the validator’s warnings where they apply', async () => {
    const o = await open(ws, {
      name: 'Warnings',
      conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { field: 'conversation.priority', op: 'eq', value: 'high' }] },
    });
    el = o.el;
    const row = byRole(el, 'row', 'Condition: priority is High');
    await choose(byRole(row, 'combobox', 'Field'), 'conversation.channel');
    await editorOf(el).updateComplete;
    const rows = Array.from(editorOf(el).shadowRoot!.querySelectorAll<HTMLElement>('[role="row"]')).filter((r) => r.getAttribute('aria-label')!.startsWith('Condition'));
    type(byRole(rows[1]!, 'combobox', 'Value'), 'email');
    await waitFor(() => editorOf(el!).shadowRoot!.textContent!.includes('Warning:'), 5000, 'the warning');
    const warned = Array.from(editorOf(el).shadowRoot!.querySelectorAll('.warning')).map((w) => w.closest('[role="row"]')?.getAttribute('aria-label') ?? 'outside a row');
    expect(warned.some((n) => n.startsWith('Condition') || n.startsWith('If'))).to.equal(true);
    await expectNoAxeViolations(el);
  });
});
