// Runs in Chromium (bench/render.ts builds it with vite): the editor with a large rule — 50
// conditions in nested groups and an assign action of 10 steps — first render, an edit (a field
// change through its select) and an undo, each timed to the DOM being updated; beside a baseline
// that builds the same number of rows with the same controls by hand (createElement).
import type { BatonRestClient } from '@baton/client/rest';
import type { ConditionNode, Workflow, WorkflowDefinition } from '@baton/protocol';
import { RULE_FIELDS } from '@baton/protocol/rule-fields';
import '../src/define.js';
import type { WorkflowEditor } from '../src/workflow-editor/workflow-editor.js';

const team = 'team_support';
function bigDefinition(): WorkflowDefinition {
  const condition = (i: number): ConditionNode => ({ field: 'conversation.channel', op: i % 2 ? 'eq' : 'in', value: i % 2 ? 'sms' : ['sms', 'email'] });
  const groups: ConditionNode[] = [];
  for (let g = 0; g < 10; g++) groups.push(g % 2 ? { any: [0, 1, 2, 3].map((i) => condition(g * 5 + i)) } : { all: [0, 1, 2, 3].map((i) => condition(g * 5 + i)) });
  const conditions: ConditionNode = { all: [...groups, ...Array.from({ length: 10 }, (_, i) => condition(100 + i))] };
  return {
    name: 'Bench',
    trigger: { event: 'conversation.created' },
    conditions,
    actions: [{ type: 'assign', steps: Array.from({ length: 10 }, (_, i) => ({ pool: { team }, strategy: 'round_robin' as const, ...(i < 9 ? { timeoutSec: 60 } : {}) })) }],
  };
}

const now = new Date().toISOString();
const workflow: Workflow = { id: 'wf_bench', draft: bigDefinition(), draftVersion: 1, draftUpdatedBy: null, published: null, hasUnpublishedChanges: true, createdAt: now, updatedAt: now };
// Saves never reach a server here: they wait forever, so only rendering is measured.
const rest = { updateWorkflow: () => new Promise(() => {}) } as unknown as BatonRestClient;
const workspace = {
  teams: [{ id: team, name: 'Support', memberIds: ['a1', 'a2'], createdAt: now }],
  agents: ['a1', 'a2'].map((id) => ({ id, name: id, username: id, email: null, externalId: null, role: 'agent' as const, skills: [], capacity: 25, availability: 'online' as const, active: true, createdAt: now, openAssigned: 0 })),
  me: null,
};

const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

async function editorRun() {
  const host = document.getElementById('host')!;
  host.replaceChildren();
  const t0 = performance.now();
  const el = document.createElement('wb-workflow-editor') as WorkflowEditor;
  el.rest = rest;
  el.workspace = workspace as never;
  el.workflow = workflow;
  el.autosaveDelay = 1e9;
  host.append(el);
  await el.updateComplete;
  el.getBoundingClientRect();
  const firstRender = performance.now() - t0;
  const rows = el.shadowRoot!.querySelectorAll('[role="row"]').length;
  await frame();

  const field = el.shadowRoot!.querySelector<HTMLSelectElement>('[data-path="conditions.all.12.field"]')!;
  const t1 = performance.now();
  field.value = 'time.hour';
  field.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  await el.updateComplete;
  el.getBoundingClientRect();
  const edit = performance.now() - t1;
  await frame();

  const t2 = performance.now();
  el.undo();
  await el.updateComplete;
  el.getBoundingClientRect();
  const undo = performance.now() - t2;
  el.remove();
  return { firstRender, edit, undo, rows };
}

/** The same number of rows, each with a label and three selects, built with createElement. */
async function baselineRun(rows: number) {
  const host = document.getElementById('host')!;
  host.replaceChildren();
  const t0 = performance.now();
  const root = document.createElement('div');
  root.attachShadow({ mode: 'open' });
  for (let i = 0; i < rows; i++) {
    const row = document.createElement('div');
    row.setAttribute('role', 'row');
    row.append(`Row ${i}`);
    for (let s = 0; s < 3; s++) {
      const select = document.createElement('select');
      for (const f of RULE_FIELDS.slice(0, s === 0 ? RULE_FIELDS.length : 4)) select.append(new Option(f.label, f.name));
      row.append(select);
    }
    root.shadowRoot!.append(row);
  }
  host.append(root);
  root.getBoundingClientRect();
  return { firstRender: performance.now() - t0 };
}

(window as unknown as { bench: unknown }).bench = { editorRun, baselineRun };
