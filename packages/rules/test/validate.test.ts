import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PHRASE_LIMITS, type ConditionNode, type WorkflowValidationResult } from '@baton/protocol';
import { compileConditions, validateWorkflow, validateWorkflowSet, type ValidationContext } from '../src/index.js';
import { agent, SEED_RULES } from './support.js';

const base = {
  name: 'rule',
  trigger: { event: 'conversation.created' },
  actions: [{ type: 'add_tag', tags: ['x'] }],
};
const withConditions = (conditions: unknown) => ({ ...base, conditions });
const assign = (steps: unknown[], extra: object = {}) => ({ ...base, actions: [{ type: 'assign', steps, ...extra }] });
const rr = (pool: object, extra: object = {}) => ({ pool, strategy: 'round_robin', ...extra });

const errorsOf = (r: WorkflowValidationResult) => r.errors.map((e) => [e.code, e.path]);
const warningsOf = (r: WorkflowValidationResult) => r.warnings.map((w) => [w.code, w.path]);

const context: ValidationContext = {
  teams: [{ id: 'support' }, { id: 'bilingual' }],
  agents: [
    agent('ana', { teamIds: ['support', 'bilingual'] }),
    agent('maria', { skills: ['es'], availability: 'away', teamIds: ['bilingual'] }),
    agent('tom', { skills: ['technical', 'senior'], active: false, teamIds: ['support'] }),
    agent('luis', { openAssigned: 25, capacity: 25, teamIds: ['support'] }),
  ],
  now: Date.parse('2026-12-01T10:00:00Z'),
};

describe('validateWorkflow: errors at their JSON path', () => {
  it('accepts the seed rules with no errors or warnings, with and without the roster', () => {
    for (const rule of SEED_RULES) {
      assert.deepEqual(validateWorkflow(rule), { errors: [], warnings: [] }, rule.name);
    }
    const roster: ValidationContext = { ...context, agents: [...context.agents!, agent('marta', { skills: ['es'], teamIds: ['bilingual'] }), agent('sam', { skills: ['technical', 'senior'] })] };
    for (const rule of SEED_RULES) assert.deepEqual(validateWorkflow(rule, roster), { errors: [], warnings: [] }, rule.name);
  });

  it('shape: missing name, unknown key, bad trigger, no actions', () => {
    const r = validateWorkflow({ trigger: { event: 'conversation.snoozed' }, actions: [], colour: 'red' });
    const paths = r.errors.map((e) => e.path.join('.'));
    assert.ok(paths.includes('name'), paths.join(' | '));
    assert.ok(paths.includes('trigger.event') || paths.includes('trigger'), paths.join(' | '));
    assert.ok(paths.includes('actions'), paths.join(' | '));
    assert.ok(r.errors.some((e) => e.path.length === 0 && /colour/.test(e.message)), JSON.stringify(r.errors));
    assert.ok(r.errors.every((e) => e.code === 'invalid'));
  });

  it('a timed trigger needs its minutes', () => {
    assert.deepEqual(errorsOf(validateWorkflow({ ...base, trigger: { event: 'conversation.unassigned_for' } })), [['invalid', ['trigger', 'minutes']]]);
    assert.deepEqual(validateWorkflow({ ...base, trigger: { event: 'conversation.unassigned_for', minutes: 15 } }).errors, []);
  });

  it('unknown field', () => {
    const r = validateWorkflow(withConditions({ all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { field: 'contact.plan', op: 'eq', value: 'x' }] }));
    assert.deepEqual(errorsOf(r), [['unknown_field', ['conditions', 'all', 1, 'field']]]);
    assert.match(r.errors[0]!.message, /contact\.plan/);
  });

  it('operator not allowed for the field type, naming the ones it takes', () => {
    const r = validateWorkflow(withConditions({ any: [{ field: 'conversation.channel', op: 'gt', value: 3 }] }));
    assert.deepEqual(errorsOf(r), [['operator_not_allowed', ['conditions', 'any', 0, 'op']]]);
    assert.match(r.errors[0]!.message, /takes eq, neq, in, not_in/);
    assert.deepEqual(errorsOf(validateWorkflow(withConditions({ field: 'contact.tags', op: 'eq', value: 'vip' }))), [['operator_not_allowed', ['conditions', 'op']]]);
    assert.deepEqual(errorsOf(validateWorkflow(withConditions({ field: 'message.body', op: 'contains', value: 'x' }))), [['operator_not_allowed', ['conditions', 'op']]]);
  });

  it('declared attribute types narrow the operators', () => {
    const tree = withConditions({ field: 'contact.attributes.plan', op: 'gt', value: 3 });
    assert.deepEqual(validateWorkflow(tree).errors, []);
    assert.deepEqual(errorsOf(validateWorkflow(tree, { attributeTypes: { plan: 'string' } })), [['operator_not_allowed', ['conditions', 'op']]]);
  });

  it('bad value shapes: list vs one, element types, enum values, bounds, low above high, no words', () => {
    const cases: [unknown, unknown[]][] = [
      [{ field: 'conversation.channel', op: 'in', value: 'sms' }, ['conditions', 'value']],
      [{ field: 'conversation.channel', op: 'eq', value: ['sms'] }, ['conditions', 'value']],
      [{ field: 'conversation.priority', op: 'in', value: ['high', 'mega'] }, ['conditions', 'value', 1]],
      [{ field: 'contact.language', op: 'eq', value: 'spanish' }, ['conditions', 'value']],
      [{ field: 'time.weekday', op: 'eq', value: 'funday' }, ['conditions', 'value']],
      [{ field: 'time.hour', op: 'eq', value: 24 }, ['conditions', 'value']],
      [{ field: 'time.hour', op: 'gte', value: 9.5 }, ['conditions', 'value']],
      [{ field: 'time.hour', op: 'between', value: [17, 9] }, ['conditions', 'value']],
      [{ field: 'time.hour', op: 'between', value: [9] }, ['conditions', 'value']],
      [{ field: 'contact.tags', op: 'contains_any', value: ['ok', ''] }, ['conditions', 'value', 1]],
      [{ field: 'message.body', op: 'contains_any', value: ['refund', '!!!'] }, ['conditions', 'value', 1]],
      [{ field: 'contact.email', op: 'is_empty', value: 'x' }, ['conditions', 'value']],
      [{ field: 'conversation.subject', op: 'contains' }, ['conditions', 'value']],
      [{ field: 'contact.attributes.vip', op: 'eq', value: ['x'] }, ['conditions', 'value']],
    ];
    for (const [condition, path] of cases) {
      assert.deepEqual(errorsOf(validateWorkflow(withConditions(condition))), [['invalid_value', path]], JSON.stringify(condition));
    }
  });

  it('word lists within PHRASE_LIMITS: phrases per condition, characters and words per phrase; earlier rules past them still compile', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    const body = (op: string, value: string[]) => ({ field: 'message.body', op, value });
    const atLimits = [...Array.from({ length: PHRASE_LIMITS.phrases - 2 }, (_, i) => `word${i}`), words(PHRASE_LIMITS.words), 'x'.repeat(PHRASE_LIMITS.characters)];
    assert.deepEqual(validateWorkflow(withConditions(body('contains_any', atLimits))).errors, []);
    const cases: [unknown, unknown[], string][] = [
      [body('contains_any', [...atLimits, 'one more']), ['conditions', 'value'], `at most ${PHRASE_LIMITS.phrases} words or phrases`],
      [body('contains_all', ['refund', words(PHRASE_LIMITS.words + 1)]), ['conditions', 'value', 1], `has more than ${PHRASE_LIMITS.words} words`],
      // Words as the body is split: punctuation and extra spaces are no words.
      [body('contains_none', ['refund', `${'x'.repeat(PHRASE_LIMITS.characters)}!`]), ['conditions', 'value', 1], `is longer than ${PHRASE_LIMITS.characters} characters`],
    ];
    for (const [condition, path, message] of cases) {
      const { errors } = validateWorkflow(withConditions(condition));
      assert.deepEqual(errors.map((e) => [e.code, e.path, e.message]), [['invalid_value', path, message]], JSON.stringify(condition).slice(0, 200));
      // Compiled as before: a rule saved before the limits keeps running.
      assert.equal(typeof compileConditions(condition as ConditionNode), 'function');
    }
    assert.deepEqual(validateWorkflow(withConditions(body('contains_any', [`${words(PHRASE_LIMITS.words)} !!! ...`]))).errors, [], 'punctuation is no word');
    // Other lists keep the general limit (200 values).
    assert.deepEqual(validateWorkflow(withConditions({ field: 'contact.tags', op: 'contains_any', value: [...atLimits, 'one more'] })).errors, []);
  });

  it('empty groups, except the blank root all', () => {
    assert.deepEqual(validateWorkflow(withConditions({ all: [] })).errors, []);
    assert.deepEqual(errorsOf(validateWorkflow(withConditions({ any: [] }))), [['empty_group', ['conditions', 'any']]]);
    assert.deepEqual(errorsOf(validateWorkflow(withConditions({ all: [{ any: [] }, { not: { all: [] } }] }))), [
      ['empty_group', ['conditions', 'all', 0, 'any']],
      ['empty_group', ['conditions', 'all', 1, 'not', 'all']],
    ]);
  });

  it('malformed nodes and groups nested too deep', () => {
    assert.deepEqual(errorsOf(validateWorkflow(withConditions({ all: [{ all: [1] }, { both: [] }] }))), [
      ['invalid', ['conditions', 'all', 0, 'all', 0]],
      ['invalid', ['conditions', 'all', 1]],
    ]);
    let deep: unknown = { field: 'time.hour', op: 'eq', value: 1 };
    for (let i = 0; i < 12; i++) deep = { not: deep };
    assert.deepEqual(validateWorkflow(withConditions(deep)).errors.map((e) => e.code), ['too_deep']);
  });

  it('invalid regex, with the engine’s reason', () => {
    const r = validateWorkflow(withConditions({ all: [{ field: 'message.body', op: 'matches', value: '(refund' }] }));
    assert.deepEqual(errorsOf(r), [['invalid_regex', ['conditions', 'all', 0, 'value']]]);
    assert.match(r.errors[0]!.message, /missing closing \)/);
    // Backreferences and lookaround are not RE2: refused at validation, not at run time.
    assert.deepEqual(validateWorkflow(withConditions({ field: 'message.body', op: 'matches', value: '(a)\\1' })).errors.map((e) => e.code), ['invalid_regex']);
    assert.deepEqual(validateWorkflow(withConditions({ field: 'message.body', op: 'matches', value: 'a(?=b)' })).errors.map((e) => e.code), ['invalid_regex']);
  });

  it('timeoutSec on the last step', () => {
    const r = validateWorkflow(assign([rr({ team: 'support' }, { timeoutSec: 60 }), rr({ team: 'support' }, { timeoutSec: 60 })]));
    assert.deepEqual(errorsOf(r), [['timeout_on_last_step', ['actions', 0, 'steps', 1, 'timeoutSec']]]);
  });

  it('unknown teams and agents, given the workspace', () => {
    const workflow = {
      ...base,
      actions: [
        { type: 'assign', steps: [rr({ team: 'sales' }, { skipIfNoneAvailable: true }), rr({ agents: ['ana', 'ghost'] })] },
        { type: 'set_team', team: 'nope' },
        { type: 'notify', to: { agent: 'ghost2' } },
        { type: 'notify', to: { team: 'support' } },
      ],
    };
    assert.deepEqual(validateWorkflow(workflow).errors, [], 'without a context nothing is known to be missing');
    assert.deepEqual(errorsOf(validateWorkflow(workflow, context)), [
      ['unknown_team', ['actions', 0, 'steps', 0, 'pool', 'team']],
      ['unknown_agent', ['actions', 0, 'steps', 1, 'pool', 'agents', 1]],
      ['unknown_team', ['actions', 1, 'team']],
      ['unknown_agent', ['actions', 2, 'to', 'agent']],
    ]);
  });
});

describe('validateWorkflow: conversation.team conditions', () => {
  const team = (op: string, value?: unknown) => ({ field: 'conversation.team', op, ...(value === undefined ? {} : { value }) });

  it('every operator of the field is accepted with known teams', () => {
    for (const c of [team('eq', 'support'), team('neq', 'support'), team('in', ['support', 'bilingual']), team('not_in', ['bilingual']), team('is_empty'), team('is_set')]) {
      assert.deepEqual(validateWorkflow(withConditions(c), context), { errors: [], warnings: [] }, JSON.stringify(c));
    }
  });

  it('an unknown team is unknown_team at its exact path, given the workspace', () => {
    const workflow = withConditions({ all: [team('eq', 'sales'), { not: team('in', ['support', 'gone', 'bilingual', 'old']) }, team('is_set')] });
    assert.deepEqual(validateWorkflow(workflow).errors, [], 'without the teams nothing is known to be missing');
    const r = validateWorkflow(workflow, context);
    assert.deepEqual(errorsOf(r), [
      ['unknown_team', ['conditions', 'all', 0, 'value']],
      ['unknown_team', ['conditions', 'all', 1, 'not', 'value', 1]],
      ['unknown_team', ['conditions', 'all', 1, 'not', 'value', 3]],
    ]);
    assert.match(r.errors[0]!.message, /"sales"/);
  });

  it('values are ids, as many as other lists take, and the operators are the enum ones', () => {
    assert.deepEqual(errorsOf(validateWorkflow(withConditions(team('eq', 'Billing team')), context)), [['invalid_value', ['conditions', 'value']]]);
    assert.deepEqual(errorsOf(validateWorkflow(withConditions(team('in', ['support', 7])), context)), [['invalid_value', ['conditions', 'value', 1]]]);
    assert.deepEqual(errorsOf(validateWorkflow(withConditions(team('contains', 'sup')), context)), [['operator_not_allowed', ['conditions', 'op']]]);
    assert.deepEqual(errorsOf(validateWorkflow(withConditions(team('eq')), context)), [['invalid_value', ['conditions', 'value']]]);
  });

  it('contradictions on the team are never_matches, as on other enums', () => {
    const never = (conditions: unknown) => validateWorkflow(withConditions(conditions), context).warnings.map((w) => [w.code, w.path]);
    assert.deepEqual(never({ all: [team('eq', 'support'), team('eq', 'bilingual')] }), [['never_matches', ['conditions']]]);
    assert.deepEqual(never({ all: [team('in', ['support']), team('is_empty')] }), [['never_matches', ['conditions']]]);
    assert.deepEqual(never({ all: [team('eq', 'support'), team('not_in', ['support', 'bilingual'])] }), [['never_matches', ['conditions']]]);
    assert.deepEqual(never({ all: [team('eq', 'support'), team('neq', 'bilingual')] }), []);
  });

  it('shadowing and conflicts follow the team: a rule that stops on Support shadows a narrower Support rule, not a Bilingual one', () => {
    const rule = (name: string, priority: number, extra: object = {}) => ({ ...base, name, priority, ...extra });
    const r = validateWorkflowSet([
      rule('support stops', 10, { stopProcessing: true, conditions: team('in', ['support']), actions: [{ type: 'set_priority', priority: 'high' }] }),
      rule('support sms', 5, { conditions: { all: [team('eq', 'support'), { field: 'conversation.channel', op: 'eq', value: 'sms' }] } }),
      rule('bilingual', 5, { conditions: team('eq', 'bilingual'), actions: [{ type: 'set_priority', priority: 'low' }] }),
      rule('anything', 4, { actions: [{ type: 'set_priority', priority: 'low' }] }),
    ], context);
    assert.deepEqual(warningsOf(r), [['shadowed', [1]]]);
    const disjoint = validateWorkflowSet([
      rule('support', 10, { conditions: team('eq', 'support'), actions: [{ type: 'set_priority', priority: 'high' }] }),
      rule('bilingual', 5, { conditions: team('eq', 'bilingual'), actions: [{ type: 'set_priority', priority: 'low' }] }),
      rule('no team', 4, { conditions: team('is_empty'), actions: [{ type: 'set_priority', priority: 'urgent' }] }),
    ], context);
    assert.deepEqual(disjoint.warnings, [], 'rules on different teams (or none) never meet, so their priorities do not conflict');
  });
});

describe('validateWorkflow: warnings', () => {
  it('conditions that can never match, at the group that contradicts itself', () => {
    const r = validateWorkflow(withConditions({
      any: [
        { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { field: 'conversation.channel', op: 'eq', value: 'email' }] },
        { field: 'contact.language', op: 'in', value: [] },
      ],
    }));
    assert.deepEqual(warningsOf(r), [
      ['never_matches', ['conditions', 'any', 0]],
      ['never_matches', ['conditions', 'any', 1]],
      ['rule_never_matches', ['conditions']],
    ]);
    assert.match(r.warnings[0]!.message, /channel/);
  });

  it('more contradictions: hours, tags, words, a negated always', () => {
    const never = (conditions: unknown) => validateWorkflow(withConditions(conditions)).warnings.map((w) => w.code);
    assert.deepEqual(never({ all: [{ field: 'time.hour', op: 'gte', value: 18 }, { field: 'time.hour', op: 'lt', value: 9 }] }), ['never_matches']);
    assert.deepEqual(never({ field: 'time.hour', op: 'gt', value: 23 }), ['never_matches']);
    assert.deepEqual(never({ all: [{ field: 'contact.tags', op: 'contains_all', value: ['vip', 'spam'] }, { not: { field: 'contact.tags', op: 'contains_any', value: ['spam'] } }] }), ['never_matches']);
    assert.deepEqual(never({ all: [{ field: 'message.body', op: 'contains_any', value: ['money back'] }, { field: 'message.body', op: 'contains_none', value: ['money'] }] }), ['never_matches']);
    assert.deepEqual(never({ not: { field: 'conversation.priority', op: 'in', value: ['low', 'normal', 'high', 'urgent'] } }), ['never_matches']);
    // Not contradictions: different fields, overlapping lists, an open-ended range.
    assert.deepEqual(never({ all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { field: 'contact.language', op: 'eq', value: 'es' }] }), []);
    assert.deepEqual(never({ all: [{ field: 'conversation.channel', op: 'in', value: ['sms', 'email'] }, { field: 'conversation.channel', op: 'neq', value: 'sms' }] }), []);
    assert.deepEqual(never({ all: [{ field: 'time.hour', op: 'gte', value: 9 }, { field: 'time.hour', op: 'lte', value: 9 }] }), []);
  });

  it('message.body on a trigger without a message', () => {
    const r = validateWorkflow({ ...withConditions({ all: [{ field: 'message.body', op: 'contains_any', value: ['refund'] }] }), trigger: { event: 'conversation.unanswered_for', minutes: 30 } });
    assert.deepEqual(warningsOf(r), [['no_message', ['conditions', 'all', 0, 'field']]]);
  });

  it('steps that can never be reached, and preferences that outlast their step', () => {
    const r = validateWorkflow(assign([
      rr({ team: 'support' }, { prefer: { skills: ['es'], dropAfterSec: 300 }, timeoutSec: 120 }),
      rr({ team: 'support' }),
      rr({ team: 'bilingual' }),
    ]));
    assert.deepEqual(warningsOf(r), [
      ['preference_outlasts_step', ['actions', 0, 'steps', 0, 'prefer', 'dropAfterSec']],
      ['unreachable_step', ['actions', 0, 'steps', 2]],
    ]);
  });

  it('pools nobody can ever serve, and pools with nobody available now', () => {
    const r = validateWorkflow(assign([
      rr({ team: 'support' }, { require: { skills: ['technical'] }, skipIfNoneAvailable: true }),
      rr({ team: 'bilingual' }, { require: { skills: ['es'] }, skipIfNoneAvailable: true }),
      rr({ agents: ['luis'] }),
    ]), context);
    assert.deepEqual(warningsOf(r), [
      ['pool_empty', ['actions', 0, 'steps', 0, 'pool']],
      ['pool_none_available', ['actions', 0, 'steps', 1, 'pool']],
      ['pool_none_available', ['actions', 0, 'steps', 2, 'pool']],
    ]);
    assert.match(r.warnings[0]!.message, /tom deactivated/);
    assert.match(r.warnings[1]!.message, /maria away/);
    assert.match(r.warnings[2]!.message, /luis at capacity 25\/25/);
    // Without `now`, availability is not judged: only what can never change is.
    assert.deepEqual(warningsOf(validateWorkflow(assign([rr({ agents: ['luis'] })]), { ...context, now: undefined })), []);
  });

  it('unknown placeholders in notes, duplicate and self-contradicting actions', () => {
    const r = validateWorkflow({
      ...base,
      actions: [
        { type: 'add_note', body: 'Routed by {{rule.name}} for {{contact.nmae}}' },
        { type: 'set_priority', priority: 'high' },
        { type: 'add_tag', tags: ['vip'] },
        { type: 'set_priority', priority: 'low' },
        { type: 'remove_tag', tags: ['VIP'] },
      ],
    });
    assert.deepEqual(warningsOf(r), [
      ['unknown_placeholder', ['actions', 0, 'body']],
      ['duplicate_action', ['actions', 3]],
      ['conflicting_action', ['actions', 4]],
    ]);
    assert.match(r.warnings[0]!.message, /contact\.nmae/);
  });

  it("a set_team that an assign from another team's pool undoes, or that undoes it", () => {
    const teams = [{ id: 'support', name: 'Support' }, { id: 'billing', name: 'Billing' }];
    const assignFrom = (team: string) => ({ type: 'assign', steps: [{ pool: { team }, strategy: 'round_robin' }] });
    const before = validateWorkflow({ ...base, actions: [{ type: 'set_team', team: 'billing' }, assignFrom('support')] }, { teams });
    assert.deepEqual(warningsOf(before), [['conflicting_action', ['actions', 0]]]);
    assert.match(before.warnings[0]!.message, /assigns from Support's pool.*\(Billing\) does not stay/);
    const after = validateWorkflow({ ...base, actions: [assignFrom('support'), { type: 'set_team', team: 'billing' }] }, { teams });
    assert.match(after.warnings[0]!.message, /moves the conversation to Billing after actions\[0\] assigned it from Support's pool/);
    // The same team, or an agents pool: nothing to undo.
    assert.deepEqual(warningsOf(validateWorkflow({ ...base, actions: [{ type: 'set_team', team: 'support' }, assignFrom('support')] }, { teams })), []);
    const toTom = { type: 'assign', steps: [{ pool: { agents: ['tom'] }, strategy: 'round_robin' }] };
    assert.deepEqual(warningsOf(validateWorkflow({ ...base, actions: [{ type: 'set_team', team: 'billing' }, toTom] }, { teams })), []);
  });
});

describe('validateWorkflowSet', () => {
  const rule = (name: string, priority: number, extra: object = {}) => ({ ...base, name, priority, ...extra });
  const spanish = { field: 'contact.language', op: 'eq', value: 'es' };

  it('prefixes each workflow’s problems with its index', () => {
    const r = validateWorkflowSet([base, withConditions({ any: [] })]);
    assert.deepEqual(errorsOf(r), [['empty_group', [1, 'conditions', 'any']]]);
  });

  it('the seed set is clean', () => {
    assert.deepEqual(validateWorkflowSet(SEED_RULES), { errors: [], warnings: [] });
  });

  it('a rule shadowed by an earlier stopProcessing rule of the same trigger', () => {
    const r = validateWorkflowSet([
      rule('catch-all', 10, { stopProcessing: true }),
      rule('spanish', 5, { conditions: spanish }),
      rule('on reopen', 5, { trigger: { event: 'conversation.reopened' } }),
      rule('runs first', 20, { conditions: spanish }),
    ]);
    assert.deepEqual(warningsOf(r), [['shadowed', [1]]]);
    assert.match(r.warnings[0]!.message, /"catch-all" runs first/);
  });

  it('shadowing by implication: a narrower rule after a broader one that stops', () => {
    const r = validateWorkflowSet([
      rule('sms or whatsapp', 10, { stopProcessing: true, conditions: { field: 'conversation.channel', op: 'in', value: ['sms', 'whatsapp'] } }),
      rule('spanish sms', 5, { conditions: { all: [spanish, { field: 'conversation.channel', op: 'eq', value: 'sms' }] } }),
      rule('spanish email', 5, { conditions: { all: [spanish, { field: 'conversation.channel', op: 'eq', value: 'email' }] } }),
    ]);
    assert.deepEqual(warningsOf(r), [['shadowed', [1]]]);
  });

  it('disabled rules neither shadow nor are reported', () => {
    const r = validateWorkflowSet([rule('off', 10, { stopProcessing: true, enabled: false }), rule('on', 5)]);
    assert.deepEqual(r.warnings, []);
  });

  it('conflicting actions with an earlier rule that may match the same conversation', () => {
    const r = validateWorkflowSet([
      rule('urgent vip', 10, { actions: [{ type: 'set_priority', priority: 'urgent' }, { type: 'add_tag', tags: ['vip'] }, { type: 'assign', steps: [rr({ team: 'support' })] }] }),
      rule('calm down', 5, { actions: [{ type: 'set_priority', priority: 'low' }, { type: 'remove_tag', tags: ['vip'] }, { type: 'assign', steps: [rr({ team: 'bilingual' })] }] }),
      rule('same priority', 4, { actions: [{ type: 'set_priority', priority: 'urgent' }] }),
    ]);
    assert.deepEqual(warningsOf(r), [
      ['conflicting_action', [1, 'actions', 0]],
      ['conflicting_action', [1, 'actions', 1]],
      ['conflicting_action', [1, 'actions', 2]],
      ['conflicting_action', [2, 'actions', 0]],
    ]);
    assert.match(r.warnings[0]!.message, /"urgent vip" sets priority urgent; this rule then sets low/);
    // Teams by name, as the admin knows them.
    const teams = validateWorkflowSet(
      [rule('to billing', 10, { actions: [{ type: 'set_team', team: 'team_b' }] }), rule('to support', 5, { actions: [{ type: 'set_team', team: 'team_s' }] })],
      { teams: [{ id: 'team_b', name: 'Billing' }, { id: 'team_s', name: 'Support' }] },
    );
    assert.equal(teams.warnings[0]!.message, '"to billing" sets team Billing; this rule then sets Support');
  });

  it('rules that cannot match the same conversation do not conflict', () => {
    const r = validateWorkflowSet([
      rule('sms', 10, { conditions: { field: 'conversation.channel', op: 'eq', value: 'sms' }, actions: [{ type: 'set_priority', priority: 'high' }] }),
      rule('email', 5, { conditions: { field: 'conversation.channel', op: 'eq', value: 'email' }, actions: [{ type: 'set_priority', priority: 'low' }] }),
    ]);
    assert.deepEqual(r.warnings, []);
  });
});
