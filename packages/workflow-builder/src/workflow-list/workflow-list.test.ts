import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { BatonRestClient } from '@baton/client/rest';
import { serverInfo, type TestWorkspace } from '../testing/workspace.js';
import { allByRole, byRole, deepActive, freshWorkspaceEachTest, liveText, mountBuilder, nameOf, queryByRole, waitFor } from '../testing/mount.js';
import type { WorkflowBuilder } from '../workflow-builder/workflow-builder.js';

/** Workflow names in the order the list shows them under one trigger heading. */
function namesUnder(el: WorkflowBuilder, heading: string): string[] {
  const h = byRole(el, 'heading', heading);
  const section = h.closest('section')!;
  return allByRole(section, 'button').filter((b) => b.dataset.control === 'open').map(nameOf);
}

describe('<workflow-builder> list (real server)', () => {
  let ws: TestWorkspace;
  let el: WorkflowBuilder;

  freshWorkspaceEachTest((w) => (ws = w));

  it('groups workflows by trigger in execution order (highest priority first) with their status', async () => {
    await ws.createWorkflow({ name: 'Everyone else → Support', priority: 100 });
    await ws.createWorkflow({ name: 'Spanish → bilingual', priority: 300, stopProcessing: true });
    await ws.createWorkflow({ name: 'Reopened → owner', priority: 5, trigger: { event: 'conversation.reopened' } });
    await ws.createWorkflow({ name: 'Draft only', priority: 200 }, false);
    el = await mountBuilder(ws);

    expect(namesUnder(el, 'When a conversation is created')).to.deep.equal(['Spanish → bilingual', 'Draft only', 'Everyone else → Support']);
    expect(namesUnder(el, 'When a conversation is reopened')).to.deep.equal(['Reopened → owner']);
    const draftRow = byRole(el, 'button', 'Draft only').closest('li')!;
    expect(draftRow.textContent).to.contain('Draft');
    expect(draftRow.textContent).not.to.contain('Published');
    const liveRow = byRole(el, 'button', 'Spanish → bilingual').closest('li')!;
    expect(liveRow.textContent).to.contain('Published');
    expect(liveRow.textContent).to.contain('v1, published by Ana Silva');
    // The stop-processing marker sits right under the rule that stops the pass.
    const marker = liveRow.nextElementSibling as HTMLElement;
    expect(marker.matches('li')).to.equal(true);
    expect(marker.textContent).to.contain('when “Spanish → bilingual” matches, the rules below do not run');
    await expectNoAxeViolations(el);
  });

  it('shows "Draft ahead of published" when the draft has unpublished edits', async () => {
    const id = await ws.createWorkflow({ name: 'Tagged VIP' });
    const { workflow } = await ws.ana.getWorkflow(id);
    await ws.ana.updateWorkflow(id, { ...workflow.draft, name: 'Tagged VIP (edited)' }, { ifMatch: workflow.draftVersion });
    el = await mountBuilder(ws);
    const row = byRole(el, 'button', 'Tagged VIP (edited)').closest('li')!;
    expect(row.textContent).to.contain('Draft ahead of published');
    // Who last edited the draft, from the server's `draftUpdatedBy`.
    expect(row.textContent).to.contain('Edited by Ana Silva');
  });

  it('moves a rule with the keyboard, saves the new order on the server and announces it politely', async () => {
    await ws.createWorkflow({ name: 'First', priority: 300 });
    await ws.createWorkflow({ name: 'Second', priority: 200 });
    await ws.createWorkflow({ name: 'Third', priority: 100 });
    el = await mountBuilder(ws);

    byRole(el, 'button', 'Move up: Third').focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => namesUnder(el, 'When a conversation is created')[1] === 'Third', 8000, 'the move');
    expect(namesUnder(el, 'When a conversation is created')).to.deep.equal(['First', 'Third', 'Second']);
    expect(liveText(el)).to.equal('Moved “Third” to position 2 of 3 (when a conversation is created).');
    // Focus stays on the control that was used, so the admin can press it again.
    await waitFor(() => nameOf(deepActive()!) === 'Move up: Third', 2000, 'focus back on the button');

    // The order is the published priority: it runs that way, and a reload shows it.
    const { items } = await ws.ana.listWorkflows();
    const byName = new Map(items.map((w) => [w.draft.name, w]));
    expect(byName.get('Third')!.published!.definition.priority).to.be.greaterThan(byName.get('Second')!.published!.definition.priority!);
    expect(byName.get('Third')!.hasUnpublishedChanges).to.equal(false);
    el.remove();
    el = await mountBuilder(ws);
    expect(namesUnder(el, 'When a conversation is created')).to.deep.equal(['First', 'Third', 'Second']);
  });

  it('moving past a rule with unpublished edits says the live order follows once that rule is published', async () => {
    const edited = await ws.createWorkflow({ name: 'Edited', priority: 300 });
    await ws.createWorkflow({ name: 'Plain', priority: 200 });
    const { workflow } = await ws.ana.getWorkflow(edited);
    await ws.ana.updateWorkflow(edited, { ...workflow.draft, name: 'Edited, not published' }, { ifMatch: workflow.draftVersion });
    el = await mountBuilder(ws);
    byRole(el, 'button', 'Move up: Plain').focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => namesUnder(el!, 'When a conversation is created')[0] === 'Plain', 8000, 'the move');
    expect(liveText(el)).to.equal('Moved “Plain” to position 1 of 2 (when a conversation is created). It runs in this order once “Edited, not published” is published.');
  });

  it('Move up is disabled at the top and Move down at the bottom', async () => {
    await ws.createWorkflow({ name: 'Top', priority: 300 });
    await ws.createWorkflow({ name: 'Bottom', priority: 100 });
    el = await mountBuilder(ws);
    expect((byRole(el, 'button', 'Move up: Top') as HTMLButtonElement).disabled).to.equal(true);
    expect((byRole(el, 'button', 'Move down: Bottom') as HTMLButtonElement).disabled).to.equal(true);
  });

  it('disables and enables a published rule, live at once', async () => {
    const id = await ws.createWorkflow({ name: 'Round robin' });
    el = await mountBuilder(ws);
    byRole(el, 'button', 'Disable Round robin').click();
    await waitFor(() => !!queryByRole(el, 'button', 'Enable Round robin'), 8000, 'the toggle');
    expect(liveText(el)).to.equal('“Round robin” disabled.');
    let { workflow } = await ws.ana.getWorkflow(id);
    expect(workflow.published!.definition.enabled).to.equal(false);
    expect(byRole(el, 'button', 'Round robin').closest('li')!.textContent).to.contain('Disabled');

    byRole(el, 'button', 'Enable Round robin').click();
    await waitFor(() => !!queryByRole(el, 'button', 'Disable Round robin'), 8000, 'the toggle back');
    ({ workflow } = await ws.ana.getWorkflow(id));
    expect(workflow.published!.definition.enabled).to.equal(true);
  });

  it('duplicates a rule as a draft right under it', async () => {
    await ws.createWorkflow({ name: 'VIP → owner', priority: 300 });
    await ws.createWorkflow({ name: 'Everyone', priority: 100 });
    el = await mountBuilder(ws);
    byRole(el, 'button', 'Duplicate VIP → owner').click();
    await waitFor(() => !!queryByRole(el, 'button', 'VIP → owner (copy)'), 8000, 'the copy');
    expect(namesUnder(el, 'When a conversation is created')).to.deep.equal(['VIP → owner', 'VIP → owner (copy)', 'Everyone']);
    expect(byRole(el, 'button', 'VIP → owner (copy)').closest('li')!.textContent).to.contain('Draft');
  });

  it('deletes only after confirmation; Cancel keeps the rule', async () => {
    await ws.createWorkflow({ name: 'Old rule' });
    el = await mountBuilder(ws);
    const deleted: string[] = [];
    el.addEventListener('workflow-delete', (e) => deleted.push(e.detail.workflowId));

    byRole(el, 'button', 'Delete Old rule').click();
    await waitFor(() => !!queryByRole(el, 'alert', 'Delete “Old rule”?'), 2000, 'the confirmation');
    await expectNoAxeViolations(el);
    // Focus starts on the safe choice; Escape closes.
    await waitFor(() => nameOf(deepActive()!) === 'Cancel', 2000, 'focus on Cancel');
    await sendKeys({ press: 'Escape' });
    await waitFor(() => !queryByRole(el, 'alert', 'Delete “Old rule”?'), 2000, 'the dialog to close');
    expect((await ws.ana.listWorkflows()).items).to.have.length(1);

    byRole(el, 'button', 'Delete Old rule').click();
    await waitFor(() => !!queryByRole(el, 'button', 'Delete workflow'), 2000, 'the confirmation');
    byRole(el, 'button', 'Delete workflow').click();
    await waitFor(() => !queryByRole(el, 'button', 'Old rule'), 8000, 'the row to go');
    expect((await ws.ana.listWorkflows()).items).to.have.length(0);
    expect(deleted).to.have.length(1);
    expect(liveText(el)).to.equal('Deleted “Old rule”.');
  });

  it('keeps Tab and Shift+Tab inside the delete confirmation; Escape closes it and focus returns to the Delete that opened it', async () => {
    await ws.createWorkflow({ name: 'First', priority: 300 });
    await ws.createWorkflow({ name: 'Second', priority: 200 });
    el = await mountBuilder(ws);
    const focused = () => nameOf(deepActive() ?? document.body);

    byRole(el, 'button', 'Delete First').focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => focused() === 'Cancel', 2000, 'focus on Cancel');
    for (const [key, name] of [['Tab', 'Delete workflow'], ['Tab', 'Cancel'], ['Shift+Tab', 'Delete workflow'], ['Shift+Tab', 'Cancel']] as const) {
      await sendKeys({ press: key });
      expect(focused()).to.equal(name);
    }
    await sendKeys({ press: 'Escape' });
    await waitFor(() => !queryByRole(el, 'alert', 'Delete “First”?'), 2000, 'the dialog to close');
    await waitFor(() => focused() === 'Delete First', 2000, 'focus back on the Delete that opened it');
  });

  it('after deleting a rule focuses the next one, and "New workflow" once the list is empty', async () => {
    await ws.createWorkflow({ name: 'First', priority: 300 });
    await ws.createWorkflow({ name: 'Second', priority: 200 });
    el = await mountBuilder(ws);
    const focused = () => nameOf(deepActive() ?? document.body);

    byRole(el, 'button', 'Delete First').click();
    await waitFor(() => focused() === 'Cancel', 2000, 'focus on Cancel');
    byRole(el, 'button', 'Delete workflow').click();
    await waitFor(() => !queryByRole(el, 'button', 'First'), 8000, 'the row to go');
    await waitFor(() => focused() === 'Second', 2000, 'focus on the next rule');

    byRole(el, 'button', 'Delete Second').click();
    await waitFor(() => focused() === 'Cancel', 2000, 'focus on Cancel');
    byRole(el, 'button', 'Delete workflow').click();
    await waitFor(() => focused() === 'New workflow', 8000, 'focus on "New workflow" once the list is empty');
  });

  it('keeps focus on a row button while its move is saved (aria-disabled while busy, not disabled)', async () => {
    await ws.createWorkflow({ name: 'Top', priority: 300 });
    await ws.createWorkflow({ name: 'Middle', priority: 200 });
    await ws.createWorkflow({ name: 'Bottom', priority: 100 });
    el = await mountBuilder(ws);
    let dropped = false;
    const watch = setInterval(() => {
      if (!deepActive() || deepActive() === document.body) dropped = true;
    }, 5);
    try {
      byRole(el, 'button', 'Move down: Top').focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => liveText(el).startsWith('Moved “Top”'), 8000, 'the move');
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      clearInterval(watch);
    }
    expect(dropped).to.equal(false);
    expect(nameOf(deepActive()!)).to.equal('Move down: Top');
  });

  it('says a never-published draft stops nothing when asked to confirm its deletion; a published rule stops running at once', async () => {
    await ws.createWorkflow({ name: 'Live rule', priority: 200 });
    await ws.createWorkflow({ name: 'Draft rule', priority: 100 }, false);
    el = await mountBuilder(ws);

    byRole(el, 'button', 'Delete Draft rule').click();
    await waitFor(() => !!queryByRole(el, 'alert', 'Delete “Draft rule”?'), 2000, 'the confirmation');
    expect(byRole(el, 'alert', 'Delete “Draft rule”?').querySelector('#confirm-text')!.textContent).to.equal('It was never published, so nothing stops running.');
    byRole(el, 'button', 'Cancel').click();
    await waitFor(() => !queryByRole(el, 'alert'), 2000, 'the dialog to close');

    byRole(el, 'button', 'Delete Live rule').click();
    await waitFor(() => !!queryByRole(el, 'alert', 'Delete “Live rule”?'), 2000, 'the confirmation');
    expect(byRole(el, 'alert', 'Delete “Live rule”?').querySelector('#confirm-text')!.textContent).to.equal('It stops running at once. Its run log stays.');
  });

  it('reads the warnings again after a move: a rule moved above another no longer says the other runs first', async () => {
    await ws.createWorkflow({ name: 'Everyone else → Support', priority: 100 });
    await ws.createWorkflow({ name: 'VIP → Support', priority: 50, conditions: { all: [{ field: 'contact.tags', op: 'contains_any', value: ['vip'] }] } });
    el = await mountBuilder(ws);
    const warningsOf = (name: string) => queryByRole(el, 'list', `Warnings for ${name}`)?.textContent ?? '';
    await waitFor(() => warningsOf('VIP → Support').includes('Everyone else → Support'), 8000, 'the warning before the move');
    expect(warningsOf('VIP → Support')).to.contain('also assigns and runs first');
    expect(warningsOf('Everyone else → Support')).not.to.contain('VIP → Support');

    byRole(el, 'button', 'Move up: VIP → Support').click();
    await waitFor(() => namesUnder(el, 'When a conversation is created')[0] === 'VIP → Support', 8000, 'the move');
    // Now the other rule is the one that runs second.
    await waitFor(() => warningsOf('Everyone else → Support').includes('VIP → Support'), 8000, 'the warnings after the move');
    expect(warningsOf('Everyone else → Support')).to.contain('also assigns and runs first');
    expect(warningsOf('VIP → Support')).not.to.contain('Everyone else → Support');
  });

  it('shows the validator’s warnings on the rule they apply to', async () => {
    await ws.createWorkflow({
      name: 'Impossible',
      conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { field: 'conversation.channel', op: 'eq', value: 'email' }] },
    });
    el = await mountBuilder(ws);
    await waitFor(() => !!queryByRole(el, 'list', 'Warnings for Impossible'), 8000, 'the warnings');
    expect(byRole(el, 'list', 'Warnings for Impossible').textContent).to.match(/never/i);
  });

  it('creates a new workflow and opens it', async () => {
    el = await mountBuilder(ws);
    expect(el.shadowRoot!.textContent).to.contain('');
    byRole(el, 'button', 'New workflow').click();
    await waitFor(() => !!el.shadowRoot!.querySelector('wb-workflow-editor'), 8000, 'the editor');
    const { items } = await ws.ana.listWorkflows();
    expect(items).to.have.length(1);
    expect(el.workflowId).to.equal(items[0]!.id);
  });

  it('creates from a template, filled in with the workspace’s teams', async () => {
    el = await mountBuilder(ws);
    const template = byRole(el, 'combobox', 'Start from') as HTMLSelectElement;
    template.value = 'spanish';
    byRole(el, 'button', 'New workflow').click();
    await waitFor(() => !!el.shadowRoot!.querySelector('wb-workflow-editor'), 8000, 'the editor');
    const { items } = await ws.ana.listWorkflows();
    expect(items[0]!.draft.name).to.equal('Spanish → bilingual');
    expect(JSON.stringify(items[0]!.draft.actions)).to.contain(ws.teams.bilingual);
  });

  it('in a workspace without teams, every template starts with its active agents and saves as it is', async () => {
    const { url, adminToken } = await serverInfo();
    const call = async (token: string, path: string, body: unknown) =>
      (await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    const { apiKey } = await call(adminToken, '/v1/workspaces', { name: `No teams ${Date.now()}` });
    const ids: string[] = [];
    for (const [name, username, role] of [['Ana Silva', 'ana', 'admin'], ['Ben Okafor', 'ben', 'agent']] as const) {
      ids.push((await call(apiKey, '/v1/agents', { name, username, role, availability: 'online' })).agent.id);
    }
    const { token } = await call(apiKey, '/v1/tokens', { agentId: ids[0], ttlSeconds: 3600 });
    const ana = new BatonRestClient({ baseUrl: url, token, maxAttempts: 1 });
    const keys = [...(byRole(await mountBuilder({ ana } as TestWorkspace), 'combobox', 'Start from') as HTMLSelectElement).options].map((o) => o.value);
    expect(keys).to.have.length.above(3);
    for (const key of keys) {
      el = await mountBuilder({ ana } as TestWorkspace);
      (byRole(el, 'combobox', 'Start from') as HTMLSelectElement).value = key;
      byRole(el, 'button', 'New workflow').click();
      await waitFor(() => !!el.shadowRoot!.querySelector('wb-workflow-editor') || !!queryByRole(el, 'alert'), 8000, `the editor for ${key}`);
      expect(queryByRole(el, 'alert')?.textContent ?? '', key).to.equal('');
      el.remove();
    }
    const { items } = await ana.listWorkflows();
    expect(items).to.have.length(keys.length);
    // Each assign step picks from the workspace's agents: nobody is left out, nothing names a team.
    for (const w of items) expect(JSON.stringify(w.draft.actions), w.draft.name).to.contain(JSON.stringify({ agents: ids }).slice(1, -1)).and.not.contain('"team"');
  });

  it('shows runs and assignments of the last 24 hours', async () => {
    const id = await ws.createWorkflow({ name: 'Everyone → Support' });
    for (const name of ['Ema', 'Sam']) {
      await fetch(`${ws.url}/v1/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contact: { name }, channel: 'sms', message: { body: 'Hi' } }),
      });
    }
    for (let i = 0; i < 100 && (await ws.ana.listWorkflowRuns(id)).items.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    el = await mountBuilder(ws);
    await waitFor(() => byRole(el, 'button', 'Everyone → Support').closest('li')!.textContent!.includes('in 24 h'), 5000, 'the counts');
    expect(byRole(el, 'button', 'Everyone → Support').closest('li')!.textContent).to.contain('2 runs, 2 assigned in 24 h');
    // The server is asked for the last 24 hours only.
    const asked: unknown[] = [];
    const read = ws.ana.listWorkflowRuns.bind(ws.ana);
    ws.ana.listWorkflowRuns = (...args: Parameters<typeof read>) => (asked.push(args[1]), read(...args));
    el.remove();
    el = await mountBuilder(ws);
    await waitFor(() => asked.length > 0, 5000, 'the counts asked for');
    const since = Date.parse((asked[0] as { since: string }).since);
    expect(Math.abs(Date.now() - 24 * 3600 * 1000 - since)).to.be.below(60_000);
    // A workflow whose runs cannot be read shows no count, not "0 runs"; the others theirs.
    await ws.createWorkflow({ name: 'Second rule', priority: 50 });
    ws.ana.listWorkflowRuns = (...args: Parameters<typeof read>) => (args[0] === id ? Promise.reject(new Error('network down')) : read(...args));
    el.remove();
    el = await mountBuilder(ws);
    await waitFor(() => byRole(el!, 'button', 'Second rule').closest('li')!.textContent!.includes('in 24 h'), 5000, 'the readable counts');
    expect(byRole(el, 'button', 'Everyone → Support').closest('li')!.textContent).not.to.contain('in 24 h');
    ws.ana.listWorkflowRuns = read;
  });

  it('reorders by drag and drop too', async () => {
    await ws.createWorkflow({ name: 'First', priority: 300 });
    await ws.createWorkflow({ name: 'Second', priority: 200 });
    await ws.createWorkflow({ name: 'Third', priority: 100 });
    el = await mountBuilder(ws);
    const row = (name: string) => byRole(el, 'button', name).closest('li')!;
    const data = new DataTransfer();
    row('Third').dispatchEvent(new DragEvent('dragstart', { bubbles: true, composed: true, dataTransfer: data }));
    row('First').dispatchEvent(new DragEvent('dragover', { bubbles: true, composed: true, cancelable: true, dataTransfer: data }));
    row('First').dispatchEvent(new DragEvent('drop', { bubbles: true, composed: true, cancelable: true, dataTransfer: data }));
    await waitFor(() => namesUnder(el, 'When a conversation is created')[0] === 'Third', 8000, 'the drop');
    expect(namesUnder(el, 'When a conversation is created')).to.deep.equal(['Third', 'First', 'Second']);
    expect(liveText(el)).to.equal('Moved “Third” to position 1 of 3 (when a conversation is created).');
  });
});
