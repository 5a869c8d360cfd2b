import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  AssignDecision,
  ConditionNode,
  ConditionTrace,
  LANGUAGE_OPTIONS,
  OPERATOR_NAMES,
  OPERATORS,
  PHRASE_LIMITS,
  resolveField,
  RuleCondition,
  RULE_FIELDS,
  RuleFacts,
  TEMPLATE_VARIABLES,
  TRIGGERS,
  TYPE_OPERATORS,
  WorkflowDefinition,
  WorkflowValidationResult,
} from '../src/index.js';

// DESIGN §6's example, with ids filled in.
const example = {
  name: 'Spanish → bilingual', enabled: true, priority: 100, stopProcessing: false,
  trigger: { event: 'conversation.created' },
  conditions: { all: [
    { field: 'conversation.channel', op: 'in', value: ['sms', 'whatsapp'] },
    { any: [{ field: 'contact.language', op: 'in', value: ['es'] }, { field: 'contact.tags', op: 'contains_any', value: ['spanish'] }] },
    { not: { field: 'contact.tags', op: 'contains_any', value: ['spam'] } }] },
  actions: [
    { type: 'add_tag', tags: ['es'] },
    { type: 'assign', onlyIfUnassigned: true, steps: [
      { pool: { team: 'team_bilingual' }, require: { skills: ['es'] }, strategy: 'round_robin', timeoutSec: 120, skipIfNoneAvailable: true },
      { pool: { team: 'team_bilingual' }, strategy: 'least_loaded' }],
    onExhausted: { type: 'queue' } },
    { type: 'add_note', body: 'Routed by {{rule.name}}' },
    { type: 'notify', to: { agent: 'agt_tom' } }],
};

describe('WorkflowDefinition', () => {
  it('accepts the design example', () => {
    assert.deepEqual(WorkflowDefinition.parse(example), example);
  });

  it('rejects unknown keys at every level, and unknown fields, operators and triggers', () => {
    const bad = (patch: (w: any) => void) => {
      const w = structuredClone(example) as any;
      patch(w);
      return WorkflowDefinition.safeParse(w).success;
    };
    assert.equal(bad((w) => { w.colour = 'red'; }), false);
    assert.equal(bad((w) => { w.actions[1].steps[0].weight = 2; }), false);
    assert.equal(bad((w) => { w.conditions.all[0].field = 'conversation.mood'; }), false);
    assert.equal(bad((w) => { w.conditions.all[0].op = 'like'; }), false);
    assert.equal(bad((w) => { w.trigger = { event: 'conversation.snoozed' }; }), false);
    assert.equal(bad((w) => { w.conditions.all[0].field = 'contact.attributes.plan'; }), true);
    assert.equal(bad((w) => { w.conditions.all[0].field = 'contact.attributes.a.b'; }), false);
  });

  it('needs minutes on timed triggers, and a pool that is a team or agents', () => {
    assert.equal(WorkflowDefinition.safeParse({ ...example, trigger: { event: 'conversation.unanswered_for' } }).success, false);
    assert.equal(WorkflowDefinition.safeParse({ ...example, trigger: { event: 'conversation.unanswered_for', minutes: 30 } }).success, true);
    const pool = (p: unknown) => WorkflowDefinition.safeParse({ ...example, actions: [{ type: 'assign', steps: [{ pool: p, strategy: 'round_robin' }] }] }).success;
    assert.equal(pool({ agents: ['agt_tom'] }), true);
    assert.equal(pool({ agents: [] }), false);
    assert.equal(pool({ team: 't', agents: ['a'] }), false);
  });

  it('holds message word lists to PHRASE_LIMITS (phrases, characters), and no other list', () => {
    const condition = (field: string, value: string[]) => RuleCondition.safeParse({ field, op: 'contains_any', value });
    const many = Array.from({ length: PHRASE_LIMITS.phrases }, (_, i) => `word${i}`);
    const long = 'x'.repeat(PHRASE_LIMITS.characters);
    assert.equal(condition('message.body', [...many.slice(1), long]).success, true);
    const tooMany = condition('message.body', [...many, 'one more']);
    assert.deepEqual(tooMany.error?.issues.map((i) => [i.path, i.message]), [[['value'], `at most ${PHRASE_LIMITS.phrases} words or phrases`]]);
    const tooLong = condition('message.body', ['refund', `${long}x`]);
    assert.deepEqual(tooLong.error?.issues.map((i) => i.path), [['value', 1]]);
    // Tags are not matched word by word: their lists keep the general bound.
    assert.equal(condition('contact.tags', [...many, 'one more']).success, true);
    // Inside a workflow too (where the recursive union wraps the issue).
    assert.equal(WorkflowDefinition.safeParse({ ...example, conditions: { all: [{ field: 'message.body', op: 'contains_all', value: [...many, 'one more'] }] } }).success, false);
  });

  it('converts to JSON Schema (the OpenAPI document is generated from it), recursion included', () => {
    for (const schema of [WorkflowDefinition, ConditionNode, ConditionTrace, WorkflowValidationResult, AssignDecision, RuleFacts]) {
      for (const io of ['input', 'output'] as const) {
        const json = z.toJSONSchema(schema as z.ZodType, { io }) as any;
        assert.ok(JSON.stringify(json).length > 100);
      }
    }
    const json = z.toJSONSchema(WorkflowDefinition, { io: 'input' }) as any;
    const node = json.$defs.ConditionNode;
    assert.ok(node, 'ConditionNode is a named definition');
    assert.match(JSON.stringify(node), /"\$ref":"#\/\$defs\/ConditionNode"/, 'groups refer back to it');
  });
});

describe('RuleFacts', () => {
  const sample = {
    conversation: { channel: 'sms', source: null, subject: null, tags: [], priority: 'normal', language: null },
    contact: { name: 'Sam', email: null, language: null, tags: [], attributes: {} },
    message: null,
    time: { weekday: 'mon', hour: 10 },
  };

  it("carries the conversation's team, and reads a sample written before the field as in no team", () => {
    assert.equal(RuleFacts.parse({ ...sample, conversation: { ...sample.conversation, team: 'tm_billing' } }).conversation.team, 'tm_billing');
    assert.equal(RuleFacts.parse(sample).conversation.team, null);
    assert.equal(RuleFacts.safeParse({ ...sample, conversation: { ...sample.conversation, team: 7 } }).success, false);
  });
});

describe('the field registry', () => {
  it('gives every field operators of its type, and enums their values', () => {
    const names = new Set<string>();
    for (const f of RULE_FIELDS) {
      assert.ok(!names.has(f.name), `${f.name} twice`);
      names.add(f.name);
      for (const op of f.operators) assert.ok((OPERATOR_NAMES as readonly string[]).includes(op), `${f.name}: ${op}`);
      for (const op of TYPE_OPERATORS[f.type]) assert.ok(f.operators.includes(op), `${f.name} lacks ${op}`);
      assert.equal(f.operators.includes('is_empty'), f.nullable || f.type === 'tags', f.name);
      // An enum lists its values, or takes them from the workspace (team ids), which is an open list here.
      if (f.type === 'enum') assert.ok(f.valuesFrom ? !f.values && f.openValues : f.values && f.values.length > 0, f.name);
      assert.ok(f.label && f.description, f.name);
    }
  });

  it('labels every operator and says what value it takes', () => {
    for (const op of OPERATOR_NAMES) {
      assert.ok(OPERATORS[op].label);
      const negation = OPERATORS[op].negation;
      if (negation) assert.equal(OPERATORS[negation].negation, op, `${op} and ${negation} negate each other`);
    }
  });

  it('resolves contact attributes by declared type, and nothing else', () => {
    assert.equal(resolveField('contact.attributes.plan')?.type, 'attribute');
    assert.equal(resolveField('contact.attributes.seats', { seats: 'number' })?.type, 'number');
    assert.deepEqual(resolveField('contact.attributes.seats', { seats: 'number' })?.operators, ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty', 'is_set']);
    assert.equal(resolveField('contact.attributes.constructor', {})?.type, 'attribute', 'no prototype lookups');
    assert.equal(resolveField('contact.attributes.'), undefined);
    assert.equal(resolveField('contact.phone'), undefined);
  });

  it('lists the ISO 639-1 languages once each, in the order of their names', () => {
    const codes = LANGUAGE_OPTIONS.map((o) => o.value);
    assert.equal(new Set(codes).size, codes.length);
    assert.ok(codes.every((c) => /^[a-z]{2}$/.test(c)));
    assert.equal(codes.length, 183);
    assert.equal(LANGUAGE_OPTIONS.find((o) => o.value === 'es')?.label, 'Spanish');
    const labels = LANGUAGE_OPTIONS.map((o) => o.label);
    assert.deepEqual(labels, [...labels].sort((a, b) => a.localeCompare(b, 'en')));
    assert.deepEqual(labels.slice(0, 3), ['Abkhazian', 'Afar', 'Afrikaans']);
  });

  it('describes every trigger and placeholder', () => {
    assert.deepEqual(TRIGGERS.filter((t) => t.timed).map((t) => t.event), ['conversation.unassigned_for', 'conversation.unanswered_for']);
    assert.ok(TEMPLATE_VARIABLES.some((v) => v.name === 'rule.name'));
  });
});
