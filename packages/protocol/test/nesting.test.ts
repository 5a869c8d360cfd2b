import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupTooDeepAt, jsonTooDeepAt, MAX_GROUP_DEPTH, MAX_JSON_DEPTH, parseWorkflowDefinition, WorkflowDefinition } from '../src/index.js';

// Hostile nesting (session 9): measured without recursion, so a body nested thousands deep is
// refused with a path instead of overflowing the stack of whatever reads it next.

const leaf = { field: 'contact.language', op: 'eq', value: 'es' };
/** `levels` groups around `leaf`, alternating `not` and `all` from the inside out. */
function nested(levels: number): unknown {
  let tree: unknown = leaf;
  for (let i = 0; i < levels; i++) tree = i % 2 === 0 ? { not: tree } : { all: [tree] };
  return tree;
}
const rule = (conditions: unknown) => ({ name: 'Deep', trigger: { event: 'conversation.created' }, conditions, actions: [{ type: 'add_tag', tags: ['x'] }] });

/** `levels` arrays, one inside the other. */
function arrays(levels: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < levels; i++) v = [v];
  return v;
}

describe('jsonTooDeepAt', () => {
  it('counts the value itself as level 1 and answers with the path of the first container past the limit', () => {
    const body = { a: { b: [1, { c: 2 }] }, d: 'x' };
    assert.equal(jsonTooDeepAt(body, 4), null, 'four levels: the body, a, b and its object');
    assert.deepEqual(jsonTooDeepAt(body, 3), ['a', 'b', 1]);
    assert.equal(jsonTooDeepAt('text', 0), null, 'a scalar is no container');
    assert.equal(jsonTooDeepAt(arrays(MAX_JSON_DEPTH)), null);
    assert.equal(jsonTooDeepAt(arrays(MAX_JSON_DEPTH + 1))?.length, MAX_JSON_DEPTH);
  });

  it('answers for a value nested far deeper than the stack allows a recursive reader', () => {
    const deep = arrays(200_000);
    assert.throws(() => JSON.stringify(deep), RangeError, 'the reason for the guard: recursive readers overflow');
    assert.deepEqual(jsonTooDeepAt(deep), new Array(MAX_JSON_DEPTH).fill(0));
  });
});

describe('groupTooDeepAt', () => {
  it(`lets groups nest ${MAX_GROUP_DEPTH} deep and points at the first group past that, as the validator's paths do`, () => {
    assert.equal(groupTooDeepAt(nested(MAX_GROUP_DEPTH)), null);
    // Nine groups from the outside in: not, all, not, all, … The ninth is the one the path ends at.
    assert.deepEqual(groupTooDeepAt(nested(MAX_GROUP_DEPTH + 1)), ['not', 'all', 0, 'not', 'all', 0, 'not', 'all', 0, 'not', 'all', 0]);
    assert.deepEqual(groupTooDeepAt({ all: [leaf, { any: [{ not: { all: [leaf] } }] }] }, 2), ['all', 1, 'any', 0]);
    assert.equal(groupTooDeepAt(leaf), null);
  });

  it('walks into anything a recursive schema would walk into, even malformed groups', () => {
    // An extra key does not stop zod's union from parsing the `not` inside; neither does it stop the walk.
    assert.deepEqual(groupTooDeepAt({ not: { not: leaf, extra: 1 } }, 1), ['not']);
    // A list that is not a list is no group: nothing recurses into `"all": 5`.
    assert.equal(groupTooDeepAt({ all: 5 }, 0), null);
  });
});

describe('parseWorkflowDefinition', () => {
  it('parses as WorkflowDefinition does', () => {
    const ok = rule(nested(MAX_GROUP_DEPTH));
    assert.deepEqual(parseWorkflowDefinition(ok), WorkflowDefinition.safeParse(ok));
    const bad = { ...rule(leaf), name: 5 };
    assert.deepEqual(parseWorkflowDefinition(bad).error?.issues, WorkflowDefinition.safeParse(bad).error?.issues);
  });

  it('refuses conditions nested 10,000 deep with one issue at the first group too deep, where the bare schema overflows the stack', () => {
    const hostile = rule(nested(10_000));
    assert.throws(() => WorkflowDefinition.safeParse(hostile), RangeError, 'the reason for the guard');
    const parsed = parseWorkflowDefinition(hostile);
    assert.equal(parsed.success, false);
    const issues = parsed.error!.issues;
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.message, `groups nest at most ${MAX_GROUP_DEPTH} deep`);
    assert.deepEqual(issues[0]!.path.slice(0, 4), ['conditions', 'all', 0, 'not']);
    assert.equal(issues[0]!.path.filter((k) => k === 'all' || k === 'not').length, MAX_GROUP_DEPTH);
  });
});
