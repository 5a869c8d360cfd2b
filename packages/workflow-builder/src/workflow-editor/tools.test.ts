import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { WorkflowDefinition } from '@baton/protocol';
import type { TestWorkspace } from '../testing/workspace.js';
import { byRole, liveText, queryByRole, waitFor, editorOf, openWorkflow as open, reopenWorkflow, freshWorkspaceEachTest } from '../testing/mount.js';
import type { WorkflowBuilder } from '../workflow-builder/workflow-builder.js';


/** The editor tools' shadow root (sample form, History, Runs, JSON), once they are open. */
const toolsOf = (el: WorkflowBuilder) => editorOf(el).shadowRoot!.querySelector('wb-editor-tools')!.shadowRoot!;

/** The editor's text, its tools' shadow root included. */
const text = (el: WorkflowBuilder) => {
  const editor = editorOf(el).shadowRoot!;
  const tools = editor.querySelector('wb-editor-tools')?.shadowRoot?.textContent ?? '';
  return `${editor.textContent} ${tools}`.replace(/\s+/g, ' ');
};

/** Opens the sample form and waits for its first verdict (the blank sample matches nothing here). */
async function trySample(el: WorkflowBuilder, what: string) {
  byRole(el, 'button', 'Try a sample').click();
  await waitFor(() => text(el).includes('Does not match this sample.'), 5000, what);
}

/** Sets a form control's value the way a person would, firing `input` or `change`. */
function setValue(control: HTMLElement, value: string, event: 'input' | 'change') {
  (control as HTMLInputElement).value = value;
  control.dispatchEvent(new Event(event, { bubbles: true, composed: true }));
}

describe('<workflow-builder> editor tools: sample, history, runs, JSON (real server)', () => {
  let ws: TestWorkspace;
  let el: WorkflowBuilder | undefined;

  freshWorkspaceEachTest((w) => (ws = w));

  it('lights each condition up with its actual value for a sample conversation', async () => {
    const o = await open(ws, {
      name: 'Spanish SMS',
      conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { field: 'contact.language', op: 'in', value: ['es'] }] },
    });
    el = o.el;
    await trySample(el, 'the sample result');
    expect(byRole(el, 'row', 'Condition: channel is SMS').textContent).to.contain('Sample: met, was SMS');
    expect(byRole(el, 'row', 'Condition: contact language is Spanish').textContent).to.contain('Sample: not met, was none');

    setValue(byRole(el, 'combobox', 'Contact language'), 'es', 'change');
    await waitFor(() => text(el!).includes('Matches: '), 5000, 'the match');
    expect(byRole(el, 'row', 'Condition: contact language is Spanish').textContent).to.contain('Sample: met, was Spanish');
    await expectNoAxeViolations(el);
  });

  it('re-checks the sample as contact tags are typed, without waiting for Enter or leaving the box', async () => {
    const o = await open(ws, { name: 'VIP', conditions: { all: [{ field: 'contact.tags', op: 'contains_any', value: ['vip'] }] } });
    el = o.el;
    await trySample(el, 'the blank sample');
    const tags = byRole(toolsOf(el), 'textbox', 'Contact tags') as HTMLInputElement;
    setValue(tags, 'vip', 'input');
    await waitFor(() => text(el!).includes('Matches'), 5000, 'the match as typed');
    expect(byRole(el, 'row', 'Condition: contact tags include vip').textContent).to.contain('Sample: met');
    // A comma starts the next tag: the box keeps it while the list is still ["vip"].
    setValue(tags, 'vip, ', 'input');
    await editorOf(el).updateComplete;
    await (toolsOf(el).host as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete;
    expect(tags.value).to.equal('vip, ');
    setValue(tags, 'vip, new', 'input');
    setValue(tags, 'new', 'input');
    await waitFor(() => text(el!).includes('Does not match this sample.'), 5000, 'no match once vip is gone');
  });

  it('lights the conditions up in the browser, before (and without) the server\'s dry run', async () => {
    const o = await open(ws, {
      name: 'Local preview',
      conditions: { any: [{ field: 'message.body', op: 'contains_any', value: ['refund'] }, { field: 'contact.tags', op: 'contains_any', value: ['vip'] }] },
    });
    el = o.el;
    // The dry run never answers: whatever lights up comes from @baton/rules, loaded in the page.
    const calls: unknown[] = [];
    ws.ana.testWorkflow = ((body: unknown) => (calls.push(body), new Promise(() => {}))) as typeof ws.ana.testWorkflow;
    await trySample(el, 'the local result');
    expect(byRole(el, 'row', 'Condition: message contains "refund"').textContent).to.contain('Sample: not met');
    setValue(byRole(el, 'textbox', 'Message'), 'I want a REFUND please', 'input');
    await waitFor(() => text(el!).includes('Matches'), 5000, 'the local match');
    expect(byRole(el, 'row', 'Condition: message contains "refund"').textContent).to.contain('Sample: met');
    expect(calls.length).to.be.greaterThan(0, 'the dry run was asked too, for the actions');
  });

  it('offers every field a condition can read, and the attributes this rule reads; a Spanish message counts as Spanish, as the server detects it', async () => {
    const o = await open(ws, {
      name: 'Spanish or big plans',
      conditions: {
        any: [
          { field: 'conversation.language', op: 'in', value: ['es'] },
          { all: [{ field: 'contact.attributes.seats', op: 'gt', value: 100 }, { field: 'conversation.subject', op: 'contains', value: 'renewal' }] },
        ],
      },
    });
    el = o.el;
    await trySample(el, 'the blank sample');
    const tools = toolsOf(el);
    // One control per field of the registry, named as the conditions name the field.
    const labels = ['Channel', 'Source', 'Subject', 'Conversation tags', 'Priority', 'Team', 'Conversation language', 'Contact name', 'Contact email', 'Contact language', 'Contact tags', 'Weekday', 'Hour', 'Message', 'Seats'];
    for (const label of labels) expect(tools.querySelector(`.sample-form`)!.textContent, label).to.contain(label);
    expect(tools.querySelectorAll('.sample-form select, .sample-form input, .sample-form textarea')).to.have.length(labels.length);
    expect(byRole(tools, 'combobox', 'Conversation language').getAttribute('aria-describedby')).to.equal('detected');
    expect(tools.querySelector('#detected')!.textContent).to.equal('Write a message to detect it');

    // The language comes from the server's detector, as it would for a real message.
    setValue(byRole(tools, 'textbox', 'Message'), 'Hola, quiero cambiar la dirección de entrega de mi pedido', 'input');
    await waitFor(() => tools.querySelector('#detected')!.textContent === 'Detected: Spanish', 5000, 'the detected language');
    await waitFor(() => text(el!).includes('Matches: '), 5000, 'the match');
    expect(byRole(el, 'row', 'Condition: conversation language is Spanish').textContent).to.contain('Sample: met, was Spanish');

    // The contact's language wins, as in the inbox; a language picked for the sample wins over the message's.
    setValue(byRole(tools, 'combobox', 'Contact language'), 'pt', 'change');
    await waitFor(() => text(el!).includes('Does not match this sample.'), 5000, "the contact's language");
    expect(tools.querySelector('#detected')!.textContent).to.equal("The contact's: Portuguese");
    setValue(byRole(tools, 'combobox', 'Contact language'), '', 'change');
    setValue(byRole(tools, 'combobox', 'Conversation language'), 'fr', 'change');
    await waitFor(() => byRole(el!, 'row', 'Condition: conversation language is Spanish').textContent!.includes('was French'), 5000, 'the chosen language');

    // An attribute compared with a number is a number in the sample ("150" > 100).
    setValue(byRole(tools, 'textbox', 'Seats'), '150', 'change');
    setValue(byRole(tools, 'textbox', 'Subject'), 'Contract renewal', 'change');
    await waitFor(() => text(el!).includes('Matches: '), 5000, 'the attribute match');
    expect(byRole(el, 'row', 'Condition: seats is more than 100').textContent).to.contain('Sample: met, was 150');
    await expectNoAxeViolations(el);
  });

  it('a timed trigger\'s sample has no message, as its runs have none', async () => {
    const o = await open(ws, {
      name: 'Waiting too long',
      trigger: { event: 'conversation.unassigned_for', minutes: 10 },
      conditions: { field: 'message.body', op: 'contains_any', value: ['refund'] },
    });
    el = o.el;
    await trySample(el, 'the sample');
    const tools = toolsOf(el);
    expect(queryByRole(tools, 'textbox', 'Message')).to.equal(null);
    expect(byRole(tools, 'combobox', 'Conversation language').querySelector('option')!.textContent).to.equal('Not set');
    expect(byRole(el, 'row', 'Condition: message contains "refund"').textContent).to.contain('Sample: not met, was none');
  });

  it('lists published versions with who and when, shows the changes, and restores one as the draft (undoable)', async () => {
    const o = await open(ws, { name: 'Version one' });
    el = o.el;
    const { workflow } = await ws.other.getWorkflow(o.id);
    await ws.other.updateWorkflow(o.id, { ...workflow.draft, name: 'Version two' }, { ifMatch: workflow.draftVersion });
    await ws.other.publishWorkflow(o.id);
    el.remove();
    el = (await reopenWorkflow(ws, o.id)).el;

    // Unreadable once: said so, not "Nothing published yet"; Try again reads them.
    const read = ws.ana.workflowVersions.bind(ws.ana);
    let failures = 1;
    ws.ana.workflowVersions = (...args: Parameters<typeof read>) => (failures-- > 0 ? Promise.reject(new Error('network down')) : read(...args));
    byRole(el, 'button', 'History').click();
    await waitFor(() => text(el!).includes("Can't load the versions: network down"), 5000, 'the failure');
    expect(text(el)).not.to.contain('Nothing published yet');
    byRole(el, 'button', 'Try again').click();
    await waitFor(() => text(el!).includes('Version 1 · first version · published by Ana Silva'), 5000, 'the versions');
    ws.ana.workflowVersions = read;
    expect(text(el)).to.contain('Version 2 · renamed · published by Ana Silva');
    const v1 = byRole(el, 'button', 'Restore as draft');
    const item = (btn: HTMLElement) => btn.closest('li')!;
    // Newest first: the first "Restore" is version 2's; version 1 is the second item.
    const first = item(v1).parentElement!.children[1] as HTMLElement;
    byRole(first, 'button', 'Changes from the draft').click();
    await waitFor(() => first.textContent!.includes('Only in the draft'), 2000, 'the diff');
    expect(first.textContent).to.contain('Name: Version one');
    expect(first.textContent).to.contain('Name: Version two');
    byRole(first, 'button', 'Restore as draft').click();
    await waitFor(() => (byRole(el!, 'textbox', 'Name') as HTMLInputElement).value === 'Version one', 2000, 'the restore');
    expect(liveText(el)).to.equal('Restored version 1 as the draft.');
    await expectNoAxeViolations(el);
    byRole(el, 'button', 'Undo').click();
    await waitFor(() => (byRole(el!, 'textbox', 'Name') as HTMLInputElement).value === 'Version two', 2000, 'the undo');
  });

  it('says what each published version changed from the one before: a move in the order is not an edit', async () => {
    const o = await open(ws, { name: 'Moved', priority: 100 });
    el = o.el;
    const publish = async (change: (d: WorkflowDefinition) => WorkflowDefinition) => {
      const { workflow } = await ws.other.getWorkflow(o.id);
      await ws.other.updateWorkflow(o.id, change(workflow.draft), { ifMatch: workflow.draftVersion });
      await ws.other.publishWorkflow(o.id);
    };
    await publish((d) => ({ ...d, priority: 300 }));
    await publish((d) => ({ ...d, enabled: false, actions: [...d.actions, { type: 'add_tag', tags: ['moved'] }] }));
    el.remove();
    el = (await reopenWorkflow(ws, o.id)).el;
    byRole(el, 'button', 'History').click();
    await waitFor(() => text(el!).includes('Version 3 · '), 5000, 'the versions');
    expect(text(el)).to.contain('Version 3 · disabled; actions changed · published');
    expect(text(el)).to.contain('Version 2 · moved in the order · published');
    expect(text(el)).to.contain('Version 1 · first version · published');
    // The diff against the draft names the place in the order too.
    const v1 = byRole(el, 'button', 'Restore as draft').closest('li')!.parentElement!.children[2] as HTMLElement;
    byRole(v1, 'button', 'Changes from the draft').click();
    await waitFor(() => v1.textContent!.includes('Only in the draft'), 2000, 'the diff');
    expect(v1.textContent).to.contain('Place in the order: priority 100').and.contain('Place in the order: priority 300');
  });

  it('shows the run log with each condition’s actual value, filterable by outcome', async () => {
    const o = await open(ws, { name: 'SMS only', conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }] } });
    el = o.el;
    const post = (body: Record<string, unknown>) =>
      fetch(`${ws.url}/v1/conversations`, { method: 'POST', headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .then((r) => r.json() as Promise<{ conversation: { id: string } }>)
        .then((r) => r.conversation.id);
    const ema = await post({ contact: { name: 'Ema' }, channel: 'email', message: { body: 'Hi' } });
    await post({ contact: { name: 'Sam' }, channel: 'sms', message: { body: 'Hi' } });
    for (let i = 0; i < 100 && (await ws.ana.listWorkflowRuns(o.id)).items.length < 2; i++) await new Promise((r) => setTimeout(r, 50));

    byRole(el, 'button', 'Runs').click();
    await waitFor(() => text(el!).includes('Not matched · version 1'), 5000, 'the runs');
    expect(text(el)).to.contain('✗ channel is SMS — was Email');
    expect(text(el)).to.contain('✓ channel is SMS — was SMS');
    // Each run names its contact; with the host's `conversation-href`, linked to the host's page.
    const tools = () => toolsOf(el!);
    expect(text(el)).to.match(/Not matched · version 1 · .+ · Ema/);
    expect(tools().querySelectorAll('a')).to.have.length(0);
    el.setAttribute('conversation-href', '/crm/inbox?conversation={id}');
    await waitFor(() => tools().querySelectorAll('a').length === 2, 2000, 'the links');
    expect(byRole(tools(), 'link', 'Ema').getAttribute('href')).to.equal(`/crm/inbox?conversation=${ema}`);
    const filter = byRole(el, 'combobox', 'Outcome') as HTMLSelectElement;
    filter.value = 'not_matched';
    filter.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    // The filter reloads the log ("Loading…" in between): wait for the filtered rows, not for the
    // matched one to go, which the loading state alone would satisfy.
    await waitFor(() => text(el!).includes('✗ channel is SMS — was Email') && !text(el!).includes('Loading…'), 5000, 'the filter');
    expect(text(el)).not.to.contain('✓ channel is SMS');
  });

  it('reads the runs again when the admin comes back to the page, and with Refresh', async () => {
    const o = await open(ws, { name: 'Every conversation' });
    el = o.el;
    const create = (name: string) =>
      fetch(`${ws.url}/v1/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contact: { name }, channel: 'sms', message: { body: 'Hi' } }),
      });
    const logged = async (n: number) => {
      for (let i = 0; i < 100 && (await ws.ana.listWorkflowRuns(o.id)).items.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    };
    byRole(el, 'button', 'Runs').click();
    await waitFor(() => text(el!).includes('No runs yet.'), 5000, 'the empty log');

    // A customer writes while the admin is in another tab; the builder's tab shows again.
    await create('Away Customer');
    await logged(1);
    expect(text(el)).to.contain('No runs yet.');
    window.dispatchEvent(new Event('focus'));
    await waitFor(() => text(el!).includes('Away Customer'), 5000, 'the run, read on return');

    await create('Second Customer');
    await logged(2);
    byRole(toolsOf(el), 'button', 'Refresh').click();
    await waitFor(() => text(el!).includes('Second Customer'), 5000, 'the run, read on Refresh');
    expect(text(el)).to.contain('Away Customer');
  });

  it('pages through older runs, and says so when the runs cannot be read (not "No runs")', async () => {
    const o = await open(ws, { name: 'Every conversation' });
    el = o.el;
    for (let i = 0; i < 22; i++) {
      await fetch(`${ws.url}/v1/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contact: { name: `Customer ${i}` }, channel: 'sms', message: { body: 'Hi' } }),
      });
    }
    for (let i = 0; i < 100 && (await ws.ana.listWorkflowRuns(o.id, { limit: 50 })).items.length < 22; i++) await new Promise((r) => setTimeout(r, 50));
    const tools = () => toolsOf(el!);
    const shown = () => tools().querySelectorAll('ol.runs > li').length;

    // The server does not answer once: the panel says so, and "Try again" reads them.
    const read = ws.ana.listWorkflowRuns.bind(ws.ana);
    let failures = 1;
    ws.ana.listWorkflowRuns = (...args: Parameters<typeof read>) => (failures-- > 0 ? Promise.reject(new Error('network down')) : read(...args));
    byRole(el, 'button', 'Runs').click();
    await waitFor(() => !!queryByRole(tools(), 'alert'), 5000, 'the failure');
    expect(byRole(tools(), 'alert').textContent).to.contain("Can't load the runs: network down");
    expect(text(el)).not.to.contain('No runs');
    byRole(tools(), 'button', 'Try again').click();
    await waitFor(() => shown() === 20, 5000, 'the newest 20');
    expect(tools().querySelector('ol.runs > li')!.textContent).to.contain('Customer 21');

    byRole(tools(), 'button', 'Older runs').click();
    await waitFor(() => shown() === 22, 5000, 'the older two');
    expect(tools().querySelector('ol.runs > li:last-child')!.textContent).to.contain('Customer 0');
    expect(queryByRole(tools(), 'button', 'Older runs')).to.equal(null);
    ws.ana.listWorkflowRuns = read;
  });

  it('exports the workflow as JSON and imports one as an undoable edit', async () => {
    const o = await open(ws, { name: 'JSON' });
    el = o.el;
    byRole(el, 'button', 'JSON').click();
    await editorOf(el).updateComplete;
    const area = byRole(el, 'textbox', 'Workflow JSON') as HTMLTextAreaElement;
    expect(JSON.parse(area.value).name).to.equal('JSON');

    area.value = 'not json';
    byRole(el, 'button', 'Import').click();
    await waitFor(() => !!queryByRole(el!, 'alert', /not a workflow/), 2000, 'the refusal');

    // Conditions nested 10,000 deep: refused with the reason, not a stack overflow in the editor.
    const deep = '{"not":'.repeat(10_000) + '{"field":"contact.language","op":"eq","value":"es"}' + '}'.repeat(10_000);
    area.value = `{"name":"Deep","trigger":{"event":"message.received"},"conditions":${deep},"actions":[{"type":"set_priority","priority":"urgent"}]}`;
    byRole(el, 'button', 'Import').click();
    await waitFor(() => !!queryByRole(el!, 'alert', /conditions nest deeper than 8 groups/), 2000, 'the refusal of a deep tree');
    expect(queryByRole(el, 'row', 'Action 1: Set priority Urgent')).to.equal(null);

    area.value = JSON.stringify({ name: 'Imported', trigger: { event: 'message.received' }, actions: [{ type: 'set_priority', priority: 'urgent' }] });
    byRole(el, 'button', 'Import').click();
    await waitFor(() => !!queryByRole(el!, 'row', 'Action 1: Set priority Urgent'), 2000, 'the import');
    expect(queryByRole(el, 'row', 'When a customer message arrives')).not.to.equal(null);
  });
});
