import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { TestWorkspace } from '../testing/workspace.js';
import { allByRole, byRole, editorOf, freshWorkspaceEachTest, nameOf, openWorkflow as open, serverDraft, waitFor } from '../testing/mount.js';
import type { WorkflowBuilder } from '../workflow-builder/workflow-builder.js';

/** Sets a select the way a person would, firing `change`, and waits for the editor to render. */
async function choose(el: WorkflowBuilder, control: HTMLElement, value: string) {
  const s = control as HTMLSelectElement;
  s.value = value;
  s.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  await editorOf(el).updateComplete;
}

const optionTexts = (control: HTMLElement) => Array.from((control as HTMLSelectElement).options).map((o) => o.textContent!.trim());

/** The editor's text, its tools' shadow root included. */
const text = (el: WorkflowBuilder) => {
  const editor = editorOf(el).shadowRoot!;
  const tools = editor.querySelector('wb-editor-tools')?.shadowRoot?.textContent ?? '';
  return `${editor.textContent} ${tools}`.replace(/\s+/g, ' ');
};

describe('<workflow-builder> conversation.team conditions (real server)', () => {
  let ws: TestWorkspace;

  freshWorkspaceEachTest((w) => (ws = w));

  it('offers "Team" with the workspace\'s team names, saves the id, and reads "team is Bilingual"', async () => {
    const o = await open(ws, { name: 'By team', conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }] } }, false);
    const el = o.el;
    const row = () => byRole(el, 'row', /^Condition:/);

    expect(optionTexts(byRole(row(), 'combobox', 'Field'))).to.include('Team');
    await choose(el, byRole(row(), 'combobox', 'Field'), 'conversation.team');
    expect(optionTexts(byRole(row(), 'combobox', 'Operator'))).to.deep.equal(['is', 'is not', 'is any of', 'is none of', 'is empty', 'is set']);
    const value = byRole(row(), 'combobox', 'Value');
    expect(value.tagName).to.equal('SELECT', 'a picker, not a box to type an id in');
    expect(optionTexts(value)).to.include.members(['Support', 'Bilingual']);
    expect(optionTexts(value).join(' ')).not.to.contain(ws.teams.bilingual, 'names, never ids');

    await choose(el, value, ws.teams.bilingual);
    expect(nameOf(row())).to.equal('Condition: team is Bilingual');
    expect(byRole(el, 'row', /^If:/).textContent).to.contain('Team is Bilingual');
    const draft = await serverDraft(ws, o.id, (d) => JSON.stringify(d.conditions).includes('conversation.team'));
    expect(draft.conditions).to.deep.equal({ all: [{ field: 'conversation.team', op: 'eq', value: ws.teams.bilingual }] });

    // A list picks from the same names.
    await choose(el, byRole(row(), 'combobox', 'Operator'), 'in');
    expect(nameOf(row())).to.equal('Condition: team is Bilingual');
    await choose(el, byRole(row(), 'combobox', 'Add value'), ws.teams.support);
    expect(nameOf(row())).to.equal('Condition: team is Bilingual or Support');
    expect(allByRole(row(), 'button').map(nameOf)).to.include.members(['Remove Bilingual', 'Remove Support']);
    await expectNoAxeViolations(el);
  });

  it('the sample conversation picks a team by name and lights the condition up', async () => {
    const o = await open(ws, { name: 'Bilingual only', conditions: { all: [{ field: 'conversation.team', op: 'eq', value: ws.teams.bilingual }] } });
    const el = o.el;
    byRole(el, 'button', 'Try a sample').click();
    await waitFor(() => text(el).includes('Does not match this sample.'), 5000, 'the first verdict');
    expect(byRole(el, 'row', 'Condition: team is Bilingual').textContent).to.contain('Sample: not met, was none');

    const team = byRole(el, 'combobox', 'Team');
    expect(optionTexts(team)).to.deep.equal(['No team', 'Bilingual', 'Support']);
    await choose(el, team, ws.teams.bilingual);
    await waitFor(() => text(el).includes('Matches: '), 5000, 'the match');
    // The value it saw is the team's name, as the sentence says it, never its id.
    expect(byRole(el, 'row', 'Condition: team is Bilingual').textContent).to.contain('Sample: met, was Bilingual');
  });
});
