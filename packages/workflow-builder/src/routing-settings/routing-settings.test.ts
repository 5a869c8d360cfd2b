import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { TestWorkspace } from '../testing/workspace.js';
import { byRole, deepActive, editorOf, freshWorkspaceEachTest, mountBuilder, queryByRole, waitFor } from '../testing/mount.js';
import type { WorkflowBuilder } from '../workflow-builder/workflow-builder.js';
import { parseSkills } from './routing-settings.js';

const settingsOf = (el: WorkflowBuilder) => el.shadowRoot!.querySelector('wb-routing-settings')!.shadowRoot!;
/** Sets a field the way typing does. */
function typeInto(field: HTMLElement, value: string) {
  (field as HTMLInputElement).value = value;
  field.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

async function openSettings(ws: TestWorkspace): Promise<{ el: WorkflowBuilder; settings: () => ShadowRoot }> {
  const el = await mountBuilder(ws);
  byRole(el, 'button', 'Routing settings').click();
  await waitFor(() => !!el.shadowRoot!.querySelector('wb-routing-settings')?.shadowRoot?.querySelector('input[type="radio"]'), 5000, 'the settings');
  return { el, settings: () => settingsOf(el) };
}

describe('skills typed in the settings', () => {
  it('are trimmed, in lower case, without repeats or blanks', () => {
    expect(parseSkills(' es, Billing ,,senior, ES ')).to.deep.equal(['es', 'billing', 'senior']);
    expect(parseSkills('')).to.deep.equal([]);
  });
});

describe('<workflow-builder> routing settings (real server)', () => {
  let ws: TestWorkspace;
  freshWorkspaceEachTest((w) => (ws = w));

  it("sets the away policy and auto-away, read back from the server; a value it refuses changes nothing", async () => {
    const { el, settings } = await openSettings(ws);
    expect((byRole(settings(), 'radio', /^Keep their conversations/) as HTMLInputElement).checked).to.equal(true);
    expect((byRole(settings(), 'textbox', /^Away after/) as HTMLInputElement).value).to.equal('5');
    await expectNoAxeViolations(el);
    // On a phone-wide page the agents' table scrolls in its own box; the builder stays as wide as the page.
    const page = document.createElement('div');
    page.style.cssText = 'width: 360px; overflow: auto';
    document.body.append(page);
    page.append(el);
    await waitFor(() => !!settings().querySelector('.table-scroll'), 2000, 'the table');
    expect(page.scrollWidth).to.be.at.most(360);
    const table = settings().querySelector('.table-scroll')!;
    expect(table.scrollWidth).to.be.above(table.clientWidth);
    document.body.append(el);
    page.remove();

    byRole(settings(), 'radio', /^Unassign them all at once/).click();
    // Part of a minute is refused, not rounded into seconds.
    typeInto(byRole(settings(), 'textbox', /^Away after/), '2.5');
    (settings().querySelector('form.policy') as HTMLFormElement).requestSubmit();
    await waitFor(() => !!queryByRole(settings(), 'alert'), 5000, 'the refusal of 2.5');
    expect(byRole(settings(), 'alert').textContent).to.equal('Away after must be a whole number of minutes from 1 to 1440.');
    typeInto(byRole(settings(), 'textbox', /^Away after/), '15');
    // A reply to an unassigned conversation assigns it to the replier: off until turned on, saved with the rest.
    const assignOnReply = byRole(settings(), 'checkbox', /^Assign the conversation to them if nobody has it/) as HTMLInputElement;
    expect(assignOnReply.checked).to.equal(false);
    assignOnReply.click();
    // The button keeps its focus through the save (aria-disabled while saving, never disabled).
    const save = byRole(settings(), 'button', 'Save');
    save.focus();
    save.click();
    await waitFor(() => !!queryByRole(settings(), 'status', 'Saved.'), 5000, 'saved');
    expect(deepActive()).to.equal(save);
    const { workspace } = await ws.ana.getWorkspace();
    expect([workspace.awayPolicy, workspace.autoAwayAfterSec, workspace.assignOnReply]).to.deep.equal(['unassign_now', 900, true]);

    // Over a day: the server says no, and nothing changes.
    typeInto(byRole(settings(), 'textbox', /^Away after/), '100000');
    (settings().querySelector('form.policy') as HTMLFormElement).requestSubmit();
    await waitFor(() => !!queryByRole(settings(), 'alert'), 5000, 'the refusal');
    expect(byRole(settings(), 'alert').textContent).to.equal('Away after must be a whole number of minutes from 1 to 1440.');
    expect((await ws.ana.getWorkspace()).workspace.autoAwayAfterSec).to.equal(900);
  });

  it("edits an agent's skills and capacity; the editor's eligibility hints follow without a reload", async () => {
    await ws.createWorkflow({
      name: 'Spanish in Support',
      actions: [{ type: 'assign', onlyIfUnassigned: true, steps: [{ pool: { team: ws.teams.support }, require: { skills: ['es'] }, strategy: 'round_robin' }], onExhausted: { type: 'queue' } }],
    });
    const { el, settings } = await openSettings(ws);
    const skills = byRole(settings(), 'textbox', 'Skills of Ben Okafor') as HTMLInputElement;
    expect(skills.value).to.equal('');
    expect((byRole(settings(), 'textbox', 'Skills of María García') as HTMLInputElement).value).to.equal('es');
    typeInto(skills, 'ES, billing');
    typeInto(byRole(settings(), 'textbox', 'Capacity of Ben Okafor'), '3');
    const saveBen = byRole(settings(), 'button', 'Save Ben Okafor');
    saveBen.focus();
    saveBen.click();
    await waitFor(() => !!queryByRole(settings(), 'status', 'Saved.'), 5000, 'saved');
    expect(deepActive(), 'focus stays on Save').to.equal(saveBen);
    const ben = (await ws.ana.listAgents()).items.find((a) => a.id === ws.agents.ben)!;
    expect([ben.skills, ben.capacity]).to.deep.equal([['es', 'billing'], 3]);
    expect(skills.value).to.equal('es, billing');

    // A capacity the server refuses: shown on the row, nothing saved.
    typeInto(byRole(settings(), 'textbox', 'Capacity of Ben Okafor'), '-1');
    (settings().querySelector(`form#agent-${ws.agents.ben}`) as HTMLFormElement).requestSubmit();
    await waitFor(() => !!queryByRole(settings(), 'alert'), 5000, 'the refusal');
    expect(byRole(settings(), 'alert').textContent).to.equal('Capacity must be a whole number from 0 to 10,000.');
    // Emptied: refused too, not saved as 0.
    typeInto(byRole(settings(), 'textbox', 'Capacity of Ben Okafor'), '');
    byRole(settings(), 'button', 'Save Ben Okafor').click();
    // The save clears the last refusal as it starts; then the new one shows.
    await el.shadowRoot!.querySelector('wb-routing-settings')!.updateComplete;
    expect(queryByRole(settings(), 'alert')).to.equal(null);
    await waitFor(() => !!queryByRole(settings(), 'alert'), 5000, 'the second refusal');
    expect((await ws.ana.listAgents()).items.find((a) => a.id === ws.agents.ben)!.capacity).to.equal(3);
    await expectNoAxeViolations(el);

    // Back to the list, focus on the button that opened the settings. A rule requiring "es" in
    // Support now finds Ben eligible (he holds it now): the editor says so without a reload.
    byRole(settings(), 'button', '← Workflows').click();
    await waitFor(() => !el.shadowRoot!.querySelector('wb-routing-settings'), 2000, 'the list');
    const list = el.shadowRoot!.querySelector('wb-workflow-list')!;
    await waitFor(() => list.shadowRoot!.activeElement === byRole(list.shadowRoot!, 'button', 'Routing settings'), 2000, 'focus back');
    byRole(list.shadowRoot!, 'button', 'Spanish in Support').click();
    await waitFor(() => !!editorOf(el), 5000, 'the editor');
    await waitFor(() => /Eligible now: Ben Okafor/.test(editorOf(el).shadowRoot!.textContent ?? ''), 5000, 'Ben eligible');
  });

  it('creates a team, renames one and changes its members; the agents and the editor see them at once', async () => {
    const id = await ws.createWorkflow({ name: 'Anyone' });
    const { el, settings } = await openSettings(ws);
    // A name the server refuses (empty): said in words, nothing created.
    byRole(settings(), 'button', 'Create team').click();
    await waitFor(() => !!queryByRole(settings(), 'alert'), 5000, 'the refusal');
    expect(byRole(settings(), 'alert').textContent).to.equal('Give the team a name.');
    typeInto(byRole(settings(), 'textbox', 'New team'), 'Billing');
    byRole(settings(), 'button', 'Create team').click();
    await waitFor(() => !!queryByRole(settings(), 'group', 'Members of Billing'), 5000, 'the new team');
    expect((await ws.ana.listTeams()).items.map((t) => t.name).sort()).to.deep.equal(['Bilingual', 'Billing', 'Support']);

    const billing = byRole(settings(), 'group', 'Members of Billing');
    byRole(billing, 'checkbox', 'Ben Okafor').click();
    byRole(settings(), 'button', 'Save Billing').click();
    await waitFor(() => !!queryByRole(settings(), 'status', 'Saved.'), 5000, 'saved');
    const saved = (await ws.ana.listTeams()).items.find((t) => t.name === 'Billing')!;
    expect(saved.memberIds).to.deep.equal([ws.agents.ben]);
    // The agents' table says it too.
    const benRow = byRole(settings(), 'textbox', 'Skills of Ben Okafor').closest('tr')!;
    await waitFor(() => benRow.textContent!.includes('Billing, Support') || benRow.textContent!.includes('Support, Billing'), 2000, "Ben's teams");

    // Renamed: the editor's pool picker offers the new name without a reload.
    const support = byRole(settings(), 'group', 'Members of Support').closest('form')!;
    typeInto(byRole(support, 'textbox', 'Name'), 'Customer care');
    byRole(settings(), 'button', 'Save Support').click();
    await waitFor(() => !!queryByRole(support, 'status', 'Saved.'), 5000, 'the rename');
    expect((await ws.ana.listTeams()).items.map((t) => t.name).sort()).to.deep.equal(['Bilingual', 'Billing', 'Customer care']);
    byRole(settings(), 'button', '← Workflows').click();
    await waitFor(() => !!el.shadowRoot!.querySelector('wb-workflow-list'), 5000, 'the list');
    el.setAttribute('workflow-id', id);
    await waitFor(() => !!editorOf(el), 5000, 'the editor');
    await waitFor(() => editorOf(el).shadowRoot!.textContent!.includes('Customer care'), 5000, 'the renamed team in the editor');
  });

  it('gives way to a workflow the host opens, and back from it is the list', async () => {
    const id = await ws.createWorkflow({ name: 'Opened by the host' });
    const { el } = await openSettings(ws);
    el.setAttribute('workflow-id', id);
    await waitFor(() => !!editorOf(el), 5000, 'the editor');
    byRole(el, 'button', '← Workflows').click();
    await waitFor(() => !!el.shadowRoot!.querySelector('wb-workflow-list'), 5000, 'the list');
    expect(el.shadowRoot!.querySelector('wb-routing-settings')).to.equal(null);
  });
});
