import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { groupTooDeepAt, MAX_GROUP_DEPTH, type ConditionNode } from '@baton/protocol';
import {
  analyze,
  compileConditions,
  describeConditions,
  disjoint,
  explainConditions,
  implies,
  recordConditions,
  RuleError,
  validateWorkflow,
  validateWorkflowSet,
} from '../src/index.js';
import { MAX_WALK_DEPTH } from '../src/describe.js';
import { facts } from './support.js';

// Hostile nesting (session 9): the builder runs these in the browser on whatever JSON an admin
// pastes, so a tree nested thousands deep must come back as an answer (an error at a path, a
// sentence), never as a RangeError from a stack overflow.

const leaf = { field: 'contact.language', op: 'eq', value: 'es' } as const;
function nested(levels: number, kind: 'not' | 'all' | 'mixed'): ConditionNode {
  let tree: ConditionNode = leaf;
  for (let i = 0; i < levels; i++) tree = kind === 'not' || (kind === 'mixed' && i % 2 === 0) ? { not: tree } : { all: [tree, leaf] };
  return tree;
}
const rule = (conditions: unknown) => ({ name: 'Deep', trigger: { event: 'conversation.created' }, conditions, actions: [{ type: 'add_tag', tags: ['x'] }] });
const HOSTILE = (['not', 'all', 'mixed'] as const).map((kind) => [kind, nested(10_000, kind)] as const);

describe('condition trees nested 10,000 deep', () => {
  it('validateWorkflow and validateWorkflowSet report too_deep at the first group past the limit, where the protocol\'s guard points', () => {
    for (const [kind, tree] of HOSTILE) {
      const expected = ['conditions', ...groupTooDeepAt(tree)!];
      assert.equal(expected.filter((k) => k === 'all' || k === 'not').length, MAX_GROUP_DEPTH, kind);
      assert.deepEqual(validateWorkflow(rule(tree)), { errors: [{ path: expected, code: 'too_deep', message: `groups nest at most ${MAX_GROUP_DEPTH} deep` }], warnings: [] }, kind);
      assert.deepEqual(validateWorkflowSet([rule(leaf), rule(tree)]).errors.map((e) => e.path), [[1, ...expected]], kind);
    }
  });

  it('compileConditions, explainConditions and recordConditions throw the RuleError validation would give, not a RangeError', () => {
    for (const [kind, tree] of HOSTILE) {
      for (const run of [() => compileConditions(tree), () => explainConditions(tree, facts()), () => recordConditions(tree, facts())]) {
        assert.throws(run, (e: unknown) => e instanceof RuleError && e.problems.length === 1 && e.problems[0]!.code === 'too_deep', kind);
      }
    }
  });

  it('describeConditions says the tree is too deep to read instead of walking it', () => {
    for (const [kind, tree] of HOSTILE) assert.equal(describeConditions(tree), `conditions nested more than ${MAX_WALK_DEPTH} groups deep`, kind);
    // Up to the walk's limit the sentence is written as always, however unreadable.
    assert.match(describeConditions(nested(MAX_WALK_DEPTH, 'not')), /^not \(not \(.*contact language is Spanish\)+$/);
  });

  it('the static analysis proves nothing about it (the sound answer) instead of walking it', () => {
    for (const [kind, tree] of HOSTILE) {
      assert.deepEqual(analyze(tree), { truth: 'maybe', findings: [] }, kind);
      assert.equal(implies(tree, nested(1, 'not')), false, kind);
      assert.equal(implies(leaf, tree), false, kind);
      assert.equal(disjoint(tree, leaf), false, kind);
    }
    // Up to the walk's limit the analysis still proves what it can: an even number of nots around
    // a condition that can never hold never holds either.
    let never: ConditionNode = { field: 'time.hour', op: 'gt', value: 30 };
    for (let i = 0; i < MAX_WALK_DEPTH - 2; i++) never = { not: never };
    assert.equal(analyze(never).truth, 'never');
    assert.equal(disjoint(never, leaf), true);
  });
});

describe('the validator and the protocol guard agree on depth', () => {
  it('on random trees, the first too_deep the validator reports is where groupTooDeepAt points', () => {
    const tree = fc.letrec<{ node: ConditionNode }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'large', maxDepth: 12 },
        fc.constant(leaf as ConditionNode),
        fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
        fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
        tie('node').map((not) => ({ not })),
      ),
    })).node;
    let deep = 0;
    fc.assert(fc.property(tree, (t) => {
      const guard = groupTooDeepAt(t);
      const firstTooDeep = validateWorkflow(rule(t)).errors.find((e) => e.code === 'too_deep');
      if (guard) deep++;
      assert.deepEqual(firstTooDeep?.path ?? null, guard && ['conditions', ...guard], JSON.stringify(t));
    }), { numRuns: 1000 });
    assert.ok(deep > 50, `only ${deep} trees were too deep`);
  });
});
