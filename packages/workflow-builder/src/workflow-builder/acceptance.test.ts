// The end-to-end story against a real server, in the element: an admin builds
// "Conversation created → channel is SMS and contact tag spanish → assign round-robin in
// Bilingual, else queue", replays it on recent conversations, publishes; a customer message from a
// Spanish-tagged contact then lands with a bilingual agent, and the run log explains it.
import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { TestWorkspace } from '../testing/workspace.js';
import { byRole, editorOf, freshWorkspaceEachTest, liveText, mountBuilder, queryByRole, waitFor } from '../testing/mount.js';
import type { WorkflowBuilder } from './workflow-builder.js';
import type { WorkflowEditor } from '../workflow-editor/workflow-editor.js';

async function choose(control: HTMLElement, value: string) {
  (control as HTMLSelectElement).value = value;
  control.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  await ((control.getRootNode() as ShadowRoot).host as WorkflowEditor).updateComplete;
}
/** The editor's text, its tools' shadow root included. */
const editorText = (el: WorkflowBuilder) => {
  const editor = editorOf(el).shadowRoot!;
  return `${editor.textContent} ${editor.querySelector('wb-editor-tools')?.shadowRoot?.textContent ?? ''}`.replace(/\s+/g, ' ');
};

describe('<workflow-builder> end to end (real server)', () => {
  let ws: TestWorkspace;
  let el: WorkflowBuilder | undefined;
  freshWorkspaceEachTest((w) => (ws = w));

  it('build → replay → publish → a Spanish-tagged SMS goes to a bilingual agent, and the run log says why', async () => {
    const post = async (body: Record<string, unknown>) =>
      (await fetch(`${ws.url}/v1/conversations`, { method: 'POST', headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json())).conversation;
    await post({ contact: { name: 'Earlier Lucía', tags: ['spanish'] }, channel: 'sms', message: { body: 'Hola' } });
    await post({ contact: { name: 'Earlier Priya' }, channel: 'email', message: { body: 'Hello' } });

    el = await mountBuilder(ws);
    byRole(el, 'button', 'New workflow').click();
    await waitFor(() => !!queryByRole(el!, 'treegrid'), 8000, 'the editor');
    const editor = editorOf(el);
    editor.autosaveDelay = 50;

    // If: channel is SMS (the default new condition) and contact tags include spanish.
    byRole(byRole(el, 'row', /^If:/), 'button', 'Add condition').click();
    await editor.updateComplete;
    byRole(byRole(el, 'row', /^If:/), 'button', 'Add condition').click();
    await editor.updateComplete;
    const second = Array.from(editor.shadowRoot!.querySelectorAll<HTMLElement>('[role="row"]')).filter((r) => r.getAttribute('aria-label')!.startsWith('Condition'))[1]!;
    await choose(byRole(second, 'combobox', 'Field'), 'contact.tags');
    // A combobox: Earlier Lucía's contact tag is in use in the workspace, so it is suggested (the
    // editor asks for the workspace's tags when it opens, and draws before they arrive).
    const tags = byRole(byRole(el, 'row', /^Condition: contact tags/), 'combobox', 'Add value') as HTMLInputElement;
    await waitFor(() => (tags.list?.options.length ?? 0) > 0, 5000, 'the workspace tags');
    expect(Array.from(tags.list?.options ?? []).map((o) => o.value)).to.deep.equal(['spanish']);
    tags.value = 'spanish';
    tags.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await editor.updateComplete;
    // Then: assign round-robin in Bilingual (else queue: the ladder's last rung).
    await choose(byRole(byRole(el, 'row', /^Step 1:/), 'combobox', 'Pool'), `team:${ws.teams.bilingual}`);
    const name = byRole(el, 'textbox', 'Name') as HTMLInputElement;
    name.value = 'Spanish SMS → Bilingual';
    name.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await editor.updateComplete;
    expect(byRole(el, 'row', /^If:/).textContent).to.contain('Channel is SMS and contact tags include spanish');
    expect(queryByRole(el, 'row', 'Action 1: Assign round-robin in Bilingual, else queue')).not.to.equal(null);

    // Replay on recent conversations: the Spanish SMS would go to Bilingual; the email does not match.
    byRole(el, 'button', 'Test on recent conversations').click();
    await waitFor(() => editorText(el!).includes('Earlier Priya · Email'), 8000, 'the replay');
    expect(editorText(el)).to.match(/Earlier Lucía · SMS Changed Did not run (Assign|Assigned) to (maria|ana|María|Ana)/i);

    const published: number[] = [];
    el.addEventListener('workflow-publish', (e) => published.push(e.detail.workflow.published!.version));
    await waitFor(() => byRole(el!, 'button', 'Publish').getAttribute('aria-disabled') === 'false', 8000, 'Publish to be enabled');
    byRole(el, 'button', 'Publish').click();
    await waitFor(() => published.length === 1, 8000, 'the publication');
    expect(liveText(el)).to.equal('Published version 1.');

    // A customer message from a Spanish-tagged contact.
    const conv = await post({ contact: { name: 'Lucía Fernández', tags: ['spanish'] }, channel: 'sms', message: { body: 'Hola, necesito ayuda' } });
    let assignee: string | null = null;
    for (let i = 0; i < 100 && !assignee; i++) {
      assignee = (await ws.ana.getConversation(conv.id)).conversation.assigneeId;
      if (!assignee) await new Promise((r) => setTimeout(r, 50));
    }
    expect([ws.agents.maria, ws.agents.ana]).to.include(assignee);

    // The run log explains it.
    byRole(el, 'button', 'Runs').click();
    await waitFor(() => editorText(el!).includes('✓ contact tags include spanish'), 8000, 'the run log');
    expect(editorText(el)).to.contain('✓ channel is SMS — was SMS');
  });

  it('is axe clean in the dark theme too (list, editor with an error, the sample panel)', async () => {
    await ws.createWorkflow({ name: 'Dark', stopProcessing: true, conditions: { all: [{ field: 'time.hour', op: 'eq', value: 9 }] } });
    await ws.createWorkflow({ name: 'Below' });
    el = await mountBuilder(ws, { theme: 'dark' });
    await expectNoAxeViolations(el);
    byRole(el, 'button', 'Dark').click();
    await waitFor(() => !!queryByRole(el!, 'treegrid'), 8000, 'the editor');
    editorOf(el).autosaveDelay = 50;
    const value = byRole(byRole(el, 'row', /^Condition: hour/), 'textbox', 'Value') as HTMLInputElement;
    value.value = '30';
    value.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await waitFor(() => value.getAttribute('aria-invalid') === 'true', 8000, 'the error');
    byRole(el, 'button', 'Try a sample').click();
    await new Promise((r) => setTimeout(r, 400));
    await expectNoAxeViolations(el);
  });
});
