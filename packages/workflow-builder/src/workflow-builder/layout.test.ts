import { expect } from '@esm-bundle/chai';
import { setViewport } from '@web/test-runner-commands';
import type { WorkflowDefinition } from '@baton/protocol';
import type { TestWorkspace } from '../testing/workspace.js';
import { byRole, editorOf, freshWorkspaceEachTest, mountBuilder, openWorkflow, queryByRole, waitFor } from '../testing/mount.js';

/** True when two boxes share more than a pixel both ways (a shared border is not an overlap). */
function overlaps(a: DOMRect, b: DOMRect): boolean {
  return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
}


/** The seed's first rule, as an admin opens it. */
const SPANISH: Partial<WorkflowDefinition> & { name: string } = {
  name: 'Spanish → bilingual',
  conditions: { any: [{ field: 'contact.language', op: 'in', value: ['es'] }, { field: 'contact.tags', op: 'contains_any', value: ['spanish'] }] },
};

/** The tests of `body` in a page of `width` × `height`, each on a fresh workspace (`ws()`). */
function inHost(width: number, height: number, body: (ws: () => TestWorkspace) => void) {
  describe(`<workflow-builder> in a ${width.toLocaleString('en-US')} px host`, () => {
    let ws: TestWorkspace;
    freshWorkspaceEachTest((w) => (ws = w));
    before(() => setViewport({ width, height }));
    after(() => setViewport({ width: 800, height: 600 }));
    body(() => ws);
  });
}

inHost(390, 2400, (ws) => {
  it('a condition three groups deep keeps its field, operator and value inside its card', async () => {
    const deep = { name: 'Deep', conditions: { all: [{ any: [{ field: 'conversation.language', op: 'eq', value: 'es' }, { not: { field: 'contact.tags', op: 'contains_any', value: ['spam'] } }] }] } } as const;
    const { el } = await openWorkflow(ws(), deep as unknown as Partial<WorkflowDefinition> & { name: string });
    const editor = editorOf(el).shadowRoot!;
    const row = byRole(editor, 'row', /^Condition: contact tags/);
    const card = row.getBoundingClientRect();
    for (const control of row.querySelectorAll<HTMLElement>('select, input')) {
      const box = control.getBoundingClientRect();
      expect(box.right, `${control.getAttribute('aria-label')} ends inside the card`).to.be.at.most(card.right + 0.5);
    }
  });


  it('the list keeps each rule’s name readable: its buttons wrap under it instead of covering it', async () => {
    await ws().createWorkflow({ name: 'Technical → senior tech', priority: 200 });
    await ws().createWorkflow({ name: 'Everyone else → Support', priority: 100 });
    const el = await mountBuilder(ws());
    for (const name of ['Technical → senior tech', 'Everyone else → Support']) {
      const open = byRole(el, 'button', name);
      const buttons = byRole(el, 'group', name).getBoundingClientRect();
      expect(overlaps(open.getBoundingClientRect(), buttons), `${name}: its buttons cover its name`).to.equal(false);
      // Whole words on a line or two, not a few letters a line.
      expect(open.getBoundingClientRect().width, name).to.be.greaterThan(150);
      expect(buttons.right).to.be.at.most(el.getBoundingClientRect().right);
    }
  });

  it('the editor’s row buttons never cover the row’s fields', async () => {
    // As an admin would open it on a phone or in a CRM's side panel.
    const { el } = await openWorkflow(ws(), SPANISH);
    const rows = [...editorOf(el).shadowRoot!.querySelectorAll<HTMLElement>('[role="row"]')].filter((r) => r.querySelector('.row-buttons'));
    expect(rows.length).to.be.at.least(3);
    for (const row of rows) {
      const buttons = row.querySelector('.row-buttons')!.getBoundingClientRect();
      const fields = [...row.querySelector('[role="gridcell"]')!.querySelectorAll<HTMLElement>('select, input, textarea')];
      for (const field of fields) {
        const label = field.getAttribute('aria-label') ?? field.tagName;
        expect(overlaps(field.getBoundingClientRect(), buttons), `${label} under the row's buttons`).to.equal(false);
        expect(field.getBoundingClientRect().right, `${label} inside the builder`).to.be.at.most(el.getBoundingClientRect().right);
      }
    }
  });
});

inHost(1440, 900, (ws) => {
  it('the tools stand beside the rule, so a sample’s results light up rows in view as it changes', async () => {
    const { el } = await openWorkflow(ws(), SPANISH);
    const editor = editorOf(el).shadowRoot!;
    const tree = byRole(editor, 'treegrid').getBoundingClientRect();
    const tools = editor.querySelector('wb-editor-tools')!;
    byRole(tools.shadowRoot!, 'button', 'Try a sample').click();
    await waitFor(() => queryByRole(tools.shadowRoot!, 'combobox', 'Contact language') !== null, 3000, 'the sample form');
    const form = tools.getBoundingClientRect();
    expect(form.left, 'right of the rule').to.be.at.least(tree.right);
    expect(form.top, 'level with the rule').to.be.lessThan(tree.top + 40);
    expect(form.right).to.be.at.most(el.getBoundingClientRect().right + 1);
  });

  it('the tools’ buttons keep their whole focus ring inside the scrolling column that holds them', async () => {
    const { el } = await openWorkflow(ws(), SPANISH);
    const tools = editorOf(el).shadowRoot!.querySelector('wb-editor-tools')!;
    expect(getComputedStyle(tools).overflowY, 'a scroller, which clips').to.equal('auto');
    const column = tools.getBoundingClientRect();
    for (const name of ['Try a sample', 'History', 'Runs', 'JSON']) {
      const button = byRole(tools.shadowRoot!, 'button', name).getBoundingClientRect();
      // The ring is drawn 4 px outside the button (--baton-focus-ring).
      expect(button.left - 4, `${name}: left`).to.be.at.least(column.left);
      expect(button.top - 4, `${name}: top`).to.be.at.least(column.top);
      expect(button.right + 4, `${name}: right`).to.be.at.most(column.right);
    }
  });
});
