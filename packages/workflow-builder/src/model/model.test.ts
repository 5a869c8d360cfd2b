import { expect } from '@esm-bundle/chai';
import type { RuleCondition, WorkflowDefinition } from '@baton/protocol';
import { addToGroup, canonicalJson, defaultPool, getAt, indent, moveAt, newAction, newDefinition, outdent, newCondition, setAt, setConditionField, setConditionOp, ungroup, wrapInGroup } from './definition.js';
import { TEMPLATES } from './templates.js';
import { History } from './history.js';
import { controlFor } from './problems.js';
import { buildRows } from './rows.js';

const def = (conditions: WorkflowDefinition['conditions']): WorkflowDefinition => ({
  name: 'Rule',
  trigger: { event: 'conversation.created' },
  conditions,
  actions: [{ type: 'assign', steps: [{ pool: { team: 't' }, strategy: 'round_robin' }] }],
});
const sms: RuleCondition = { field: 'conversation.channel', op: 'eq', value: 'sms' };
const vip: RuleCondition = { field: 'contact.tags', op: 'contains_any', value: ['vip'] };

describe('definition edits', () => {
  it('never mutate: the old definition stays as it was and untouched branches are shared', () => {
    const before = def({ all: [sms, { any: [vip] }] });
    const copy = JSON.stringify(before);
    const after = wrapInGroup(before, ['conditions', 'all', 0], 'not');
    expect(JSON.stringify(before)).to.equal(copy);
    expect(after.conditions).to.deep.equal({ all: [{ not: sms }, { any: [vip] }] });
    expect((after.conditions as { all: unknown[] }).all[1]).to.equal((before.conditions as { all: unknown[] }).all[1]);
    expect(after.actions).to.equal(before.actions);
  });

  it('ungroup puts the children in the group’s place, in order', () => {
    const d = def({ all: [sms, { any: [vip, sms] }, vip] });
    expect(ungroup(d, ['conditions', 'all', 1]).conditions).to.deep.equal({ all: [sms, vip, sms, vip] });
  });

  it('adding to a `not` makes its child an `all` of both', () => {
    const r = addToGroup(def({ not: sms }), ['conditions'], vip);
    expect(r.def.conditions).to.deep.equal({ not: { all: [sms, vip] } });
    expect(getAt(r.def, r.path)).to.deep.equal(vip);
  });

  it('outdents to just after the group (an emptied group goes too) and indents into the group above', () => {
    const d = def({ all: [{ any: [vip, sms] }, sms] });
    const out = outdent(d, ['conditions', 'all', 0, 'any', 1])!;
    expect(out.def.conditions).to.deep.equal({ all: [{ any: [vip] }, sms, sms] });
    expect(out.path).to.deep.equal(['conditions', 'all', 1]);
    const again = outdent(out.def, ['conditions', 'all', 0, 'any', 0])!;
    expect(again.def.conditions).to.deep.equal({ all: [vip, sms, sms] });
    const into = indent(d, ['conditions', 'all', 1])!;
    expect(into.def.conditions).to.deep.equal({ all: [{ any: [vip, sms, sms] }] });
    expect(into.path).to.deep.equal(['conditions', 'all', 0, 'any', 2]);
    expect(indent(d, ['conditions', 'all', 0])).to.equal(null);
    expect(outdent(d, ['conditions', 'all', 1])).to.equal(null);
  });

  it('moves within the parent list and refuses to leave it', () => {
    const d = def({ all: [sms, vip] });
    expect(moveAt(d, ['conditions', 'all', 0], 1)!.root.conditions).to.deep.equal({ all: [vip, sms] });
    expect(moveAt(d, ['conditions', 'all', 0], -1)).to.equal(null);
  });

  it('a field change resets operator and value to the field’s first; an operator change keeps what fits', () => {
    let d = def({ all: [sms] });
    d = setConditionField(d, ['conditions', 'all', 0], 'time.hour');
    expect(getAt(d, ['conditions', 'all', 0])).to.deep.equal({ field: 'time.hour', op: 'eq', value: 0 });
    d = setConditionField(d, ['conditions', 'all', 0], 'contact.language');
    // 184 languages: no made-up first choice; the admin picks one.
    expect(getAt(d, ['conditions', 'all', 0])).to.deep.equal({ field: 'contact.language', op: 'eq', value: '' });
    d = setConditionOp(d, ['conditions', 'all', 0], 'in');
    expect(getAt(d, ['conditions', 'all', 0])).to.deep.equal({ field: 'contact.language', op: 'in', value: [] });
    d = setAt(d, ['conditions', 'all', 0, 'value'], ['es', 'pt']);
    d = setConditionOp(d, ['conditions', 'all', 0], 'eq');
    expect(getAt(d, ['conditions', 'all', 0])).to.deep.equal({ field: 'contact.language', op: 'eq', value: 'es' });
    d = setConditionOp(d, ['conditions', 'all', 0], 'is_set');
    expect(getAt(d, ['conditions', 'all', 0])).to.deep.equal({ field: 'contact.language', op: 'is_set' });
    expect(newCondition()).to.deep.equal({ field: 'conversation.channel', op: 'eq', value: 'sms' });
  });

  it('a field change keeps the operator and value when they fit the new field, as arrowing through a closed select does', () => {
    let d = def({ all: [{ field: 'conversation.subject', op: 'contains', value: 'refund' }] });
    d = setConditionField(d, ['conditions', 'all', 0], 'contact.email');
    expect(getAt(d, ['conditions', 'all', 0])).to.deep.equal({ field: 'contact.email', op: 'contains', value: 'refund' });
    d = def({ all: [{ field: 'contact.language', op: 'in', value: ['es', 'pt'] }] });
    d = setConditionField(d, ['conditions', 'all', 0], 'conversation.language');
    expect(getAt(d, ['conditions', 'all', 0])).to.deep.equal({ field: 'conversation.language', op: 'in', value: ['es', 'pt'] });
    // Another type, or a value the new field has no choice for: its first, as before.
    d = setConditionField(d, ['conditions', 'all', 0], 'time.hour');
    expect(getAt(d, ['conditions', 'all', 0])).to.deep.equal({ field: 'time.hour', op: 'eq', value: 0 });
    d = setAt(d, ['conditions', 'all', 0, 'value'], 23);
    d = setConditionField(d, ['conditions', 'all', 0], 'time.weekday');
    expect((getAt(d, ['conditions', 'all', 0]) as RuleCondition).value).not.to.equal(23);
  });
});

describe('canonicalJson', () => {
  it('prints equal values alike whatever order their keys were set in, and keeps what differs apart', () => {
    const editor = { pool: { team: 't' }, strategy: 'round_robin', require: { skills: ['es'] } };
    const server = { pool: { team: 't' }, require: { skills: ['es'] }, strategy: 'round_robin' };
    expect(JSON.stringify(editor)).not.to.equal(JSON.stringify(server));
    expect(canonicalJson([editor])).to.equal(canonicalJson([server]));
    expect(canonicalJson({ a: [2, 1] })).not.to.equal(canonicalJson({ a: [1, 2] }));
    expect(canonicalJson({ a: 1, b: undefined })).to.equal(canonicalJson({ a: 1 }));
    expect(canonicalJson(undefined)).to.equal('null');
  });
});

describe('History', () => {
  it('undoes and redoes whole snapshots, and a new edit clears redo', () => {
    const h = new History('a');
    h.apply('b', 'to b');
    h.apply('c', 'to c');
    expect(h.undo()).to.equal('to c');
    expect(h.present).to.equal('b');
    expect(h.redo()).to.equal('to c');
    h.undo();
    h.apply('d', 'to d');
    expect(h.canRedo).to.equal(false);
    expect(h.undo()).to.equal('to d');
    expect(h.undo()).to.equal('to b');
    expect(h.present).to.equal('a');
    expect(h.undo()).to.equal(null);
  });

  it('coalesces typing in one control within the window into one step, but not across controls', () => {
    let now = 0;
    const h = new History('', { now: () => now });
    for (const text of ['S', 'Sp', 'Spa']) {
      now += 200;
      h.apply(text, 'Renamed', 'name');
    }
    now += 200;
    h.apply('Spa!', 'Edited note', 'note');
    expect(h.undo()).to.equal('Edited note');
    expect(h.present).to.equal('Spa');
    h.undo();
    expect(h.present).to.equal('');
    now += 5000;
    h.apply('x', 'Renamed', 'name');
    now += 5000;
    h.apply('xy', 'Renamed', 'name');
    h.undo();
    expect(h.present).to.equal('x');
  });
});

describe('controlFor', () => {
  it('lands a finding on the control that holds the value, or on its row', () => {
    expect(controlFor(['conditions', 'all', 1, 'value', 0])).to.equal('conditions.all.1.value');
    expect(controlFor(['actions', 0, 'steps', 1, 'pool', 'team'])).to.equal('actions.0.steps.1.pool');
    expect(controlFor(['actions', 2, 'team'])).to.equal('actions.2.team');
    expect(controlFor(['actions', 0, 'steps', 1])).to.equal('actions.0.steps.1');
    expect(controlFor(['conditions', 'any'])).to.equal('conditions');
    expect(controlFor(['name'])).to.equal('name');
    expect(controlFor([])).to.equal('');
  });
});

describe('buildRows', () => {
  it('lists trigger, conditions depth-first and actions with steps and the queue, with levels and positions', () => {
    const rows = buildRows(def({ all: [sms, { any: [vip] }] }), new Set());
    expect(rows.map((r) => `${r.key}@${r.level}:${r.posinset}/${r.setsize}`)).to.deep.equal([
      'trigger@1:1/3',
      'conditions@1:2/3',
      'conditions.all.0@2:1/2',
      'conditions.all.1@2:2/2',
      'conditions.all.1.any.0@3:1/1',
      'actions@1:3/3',
      'actions.0@2:1/1',
      'actions.0.steps.0@3:1/2',
      'actions.0.queue@3:2/2',
    ]);
    expect(buildRows(def({ all: [sms, { any: [vip] }] }), new Set(['conditions.all.1'])).map((r) => r.key)).not.to.include('conditions.all.1.any.0');
  });
});

describe('new rules pick from the workspace’s roster', () => {
  const support = { id: 'team_s', name: 'Support' };
  const bilingual = { id: 'team_b', name: 'Bilingual' };
  const agents = [{ id: 'a1', active: true }, { id: 'a2', active: false }, { id: 'a3', active: true }];

  it('a team by name, else the first team; without teams the active agents; nobody gives null', () => {
    expect(defaultPool({ teams: [support, bilingual], agents }, 'bilingual')).to.deep.equal({ team: 'team_b' });
    expect(defaultPool({ teams: [support, bilingual], agents }, 'Sales')).to.deep.equal({ team: 'team_s' });
    expect(defaultPool({ teams: [], agents })).to.deep.equal({ agents: ['a1', 'a3'] });
    expect(defaultPool({ teams: [], agents: [{ id: 'a2', active: false }] })).to.equal(null);
    const many = Array.from({ length: 130 }, (_, i) => ({ id: `a${i}`, active: true }));
    expect((defaultPool({ teams: [], agents: many }) as { agents: string[] }).agents).to.have.length(100);
    expect(newAction('notify', { teams: [], agents })).to.deep.equal({ type: 'notify', to: { agent: 'a1' } });
  });

  it('with nobody to assign to, "New workflow" has nothing to save: no template makes a rule', () => {
    const nobody = { teams: [], agents: [], me: null };
    expect(newDefinition(nobody)).to.equal(null);
    for (const t of TEMPLATES) expect(t.make(nobody), t.key).to.equal(null);
  });
});
