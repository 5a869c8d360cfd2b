/**
 * Static checks on valid condition trees, for the validator's warnings: can a tree never match,
 * does it always match, does one tree imply another (an earlier stopProcessing rule shadows a later
 * one), can two trees both match (actions that conflict).
 *
 * Every answer is three-way (`always` / `never` / `maybe`) and errs toward `maybe`: a warning that a
 * rule is dead when it is not would teach admins to ignore warnings, so each rule below is sound
 * (it only says `never` or "implies" when that is certain) and makes no claim it cannot prove.
 *
 * The main tool is exact: where a field's possible values are finite (a closed enum, the 24 hours,
 * the values an `eq`/`in` allows), the conditions on that field are simply run on each candidate
 * value with the same tests the evaluator uses. Open fields fall back to interval arithmetic
 * (numbers) and set reasoning (tags and words).
 */
import { groupTooDeepAt } from '@baton/protocol/nesting';
import { resolveField, type FieldDef } from '@baton/protocol/rule-fields';
import type { ConditionNode, RuleCondition, RulePath } from '@baton/protocol/rules';
import { prepareLeaf, type CheckOptions, type Leaf } from './conditions.js';
import { describeCondition, MAX_WALK_DEPTH } from './describe.js';
import { fold, hasPhrase, phrase } from './text.js';

export type Truth = 'always' | 'never' | 'maybe';

/** A node that can never be true by itself (not merely because a child cannot). */
export interface Finding {
  path: RulePath;
  message: string;
}

const isLeafNode = (n: ConditionNode): n is RuleCondition => 'field' in n;

interface LeafInfo {
  node: RuleCondition;
  path: RulePath;
  leaf: Leaf;
}

function leafInfo(node: RuleCondition, path: RulePath, options: CheckOptions): LeafInfo | undefined {
  const { leaf } = prepareLeaf(node, path, options);
  return leaf && { node, path, leaf };
}

/** The values a field can take, when there are few enough to try them all. */
function finiteDomain(field: FieldDef): unknown[] | undefined {
  if (field.type === 'enum' && field.values && !field.openValues) {
    const values: unknown[] = field.values.map((o) => o.value);
    if (field.nullable) values.push(null);
    return values;
  }
  if (field.type === 'number' && field.integer && field.min !== undefined && field.max !== undefined && field.max - field.min <= 1000) {
    const values: unknown[] = [];
    for (let v = field.min; v <= field.max; v++) values.push(v);
    if (field.nullable) values.push(null);
    return values;
  }
  if (field.type === 'boolean') return field.nullable ? [true, false, null] : [true, false];
  return undefined;
}

const listOf = (info: LeafInfo): unknown[] => (Array.isArray(info.leaf.expected) ? info.leaf.expected : []);

function leafTruth(info: LeafInfo): Truth {
  const { field, op } = info.leaf;
  const domain = finiteDomain(field);
  if (domain) {
    const passing = domain.filter((v) => info.leaf.test(v)).length;
    return passing === 0 ? 'never' : passing === domain.length ? 'always' : 'maybe';
  }
  const list = listOf(info);
  if ((op === 'in' || op === 'contains_any') && list.length === 0) return 'never';
  if ((op === 'not_in' || op === 'contains_none' || op === 'contains_all') && list.length === 0) return 'always';
  return 'maybe';
}

// -- Conjunctions ------------------------------------------------------------------------------

interface Interval { lo: number; loOpen: boolean; hi: number; hiOpen: boolean }
const FULL: Interval = { lo: -Infinity, loOpen: false, hi: Infinity, hiOpen: false };

function intervalOf(info: LeafInfo): Interval | undefined {
  const v = info.leaf.expected;
  switch (info.leaf.op) {
    case 'gt': return typeof v === 'number' ? { ...FULL, lo: v, loOpen: true } : undefined;
    case 'gte': return typeof v === 'number' ? { ...FULL, lo: v } : undefined;
    case 'lt': return typeof v === 'number' ? { ...FULL, hi: v, hiOpen: true } : undefined;
    case 'lte': return typeof v === 'number' ? { ...FULL, hi: v } : undefined;
    case 'between': return Array.isArray(v) ? { ...FULL, lo: v[0] as number, hi: v[1] as number } : undefined;
    case 'eq': return typeof v === 'number' ? { ...FULL, lo: v, hi: v } : undefined;
    default: return undefined;
  }
}

function intersect(a: Interval, b: Interval): Interval {
  const lo = a.lo > b.lo ? a : a.lo < b.lo ? b : { lo: a.lo, loOpen: a.loOpen || b.loOpen };
  const hi = a.hi < b.hi ? a : a.hi > b.hi ? b : { hi: a.hi, hiOpen: a.hiOpen || b.hiOpen };
  return { lo: lo.lo, loOpen: lo.loOpen, hi: hi.hi, hiOpen: hi.hiOpen };
}

const isEmptyInterval = (i: Interval) => i.lo > i.hi || (i.lo === i.hi && (i.loOpen || i.hiOpen));
const contains = (outer: Interval, inner: Interval) =>
  (outer.lo < inner.lo || (outer.lo === inner.lo && (!outer.loOpen || inner.loOpen))) &&
  (outer.hi > inner.hi || (outer.hi === inner.hi && (!outer.hiOpen || inner.hiOpen)));

/** A phrase's identity for set reasoning: folded tag, or a body phrase's words. */
function keysOf(info: LeafInfo): string[][] {
  return listOf(info).map((v) => (info.leaf.field.type === 'text' ? phrase(String(v)) : [fold(String(v))]));
}

/** Whether the words of `inner` occur within `outer` (tags: equal). */
function within(outer: string[], inner: string[]): boolean {
  return hasPhrase({ list: outer, set: new Set(outer) }, inner);
}

/** Whether conditions on one field, all required at once, can never hold together. */
function conflicting(infos: LeafInfo[]): boolean {
  const field = infos[0]!.leaf.field;
  const tests = infos.map((i) => i.leaf.test);
  const passesAll = (v: unknown) => tests.every((t) => t(v));

  if (field.type === 'tags' || field.type === 'text') {
    const required: string[][] = [];
    const anyOf: string[][][] = [];
    const forbidden: string[][] = [];
    let empty = false;
    let set = false;
    for (const info of infos) {
      const keys = keysOf(info);
      switch (info.leaf.op) {
        case 'contains_all': required.push(...keys); break;
        case 'contains_any': if (keys.length === 1) required.push(keys[0]!); else anyOf.push(keys); break;
        case 'contains_none': forbidden.push(...keys); break;
        case 'is_empty': empty = true; break;
        case 'is_set': set = true; break;
      }
    }
    if (empty && (set || required.length > 0 || anyOf.length > 0)) return true;
    if (required.some((r) => forbidden.some((f) => within(r, f)))) return true;
    if (anyOf.some((options) => options.every((o) => forbidden.some((f) => within(o, f))))) return true;
    return false;
  }

  // Scalars. Candidates: what eq/in/is_empty allow, or the whole domain when it is finite.
  let candidates: unknown[] | undefined = finiteDomain(field);
  for (const info of infos) {
    const { op, expected } = info.leaf;
    const allowed = op === 'eq' ? [expected] : op === 'in' ? listOf(info) : op === 'is_empty' ? [null] : undefined;
    if (allowed) candidates = candidates ? candidates.filter((c) => allowed.some((a) => info.leaf.test(a) && sameValue(a, c))) : allowed;
  }
  if (candidates) return !candidates.some(passesAll);
  // Open numbers: intersect the intervals.
  let range = FULL;
  let numeric = false;
  for (const info of infos) {
    const i = intervalOf(info);
    if (i) { range = intersect(range, i); numeric = true; }
  }
  if (numeric && isEmptyInterval(range)) return true;
  return false;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return fold(a) === fold(b);
  return a === b;
}

/** The conjuncts of a node as leaves: nested `all` flattened, `not leaf` turned into its negation. */
function conjunctLeaves(node: ConditionNode, path: RulePath, options: CheckOptions, out: LeafInfo[]): void {
  if ('all' in node) {
    node.all.forEach((c, i) => conjunctLeaves(c, [...path, 'all', i], options, out));
    return;
  }
  if ('not' in node && isLeafNode(node.not)) {
    const negated = negate(node.not);
    const info = negated && leafInfo(negated, [...path, 'not'], options);
    if (info) out.push(info);
    return;
  }
  if (isLeafNode(node)) {
    const info = leafInfo(node, path, options);
    if (info) out.push(info);
  }
}

function negate(c: RuleCondition): RuleCondition | undefined {
  const map: Record<string, RuleCondition['op']> = {
    eq: 'neq', neq: 'eq', in: 'not_in', not_in: 'in', contains_any: 'contains_none', contains_none: 'contains_any', is_empty: 'is_set', is_set: 'is_empty',
  };
  const op = map[c.op];
  return op ? { ...c, op } : undefined;
}

// -- Trees -------------------------------------------------------------------------------------

/**
 * Whether a valid tree always, never or maybe matches, with the nodes that are dead by themselves
 * (a leaf that can never hold, an `all` whose conditions contradict each other, a `not` of
 * something always true).
 */
export function analyze(node: ConditionNode | undefined, path: RulePath = [], options: CheckOptions = {}): { truth: Truth; findings: Finding[] } {
  const findings: Finding[] = [];
  const visit = (n: ConditionNode, p: RulePath): Truth => {
    if (isLeafNode(n)) {
      const info = leafInfo(n, p, options);
      if (!info) return 'maybe';
      const truth = leafTruth(info);
      if (truth === 'never') findings.push({ path: p, message: `"${describeCondition(n)}" can never be true` });
      return truth;
    }
    if ('not' in n) {
      const inner = visit(n.not, [...p, 'not']);
      if (inner === 'always') findings.push({ path: p, message: 'can never be true: what it negates is always true' });
      return inner === 'always' ? 'never' : inner === 'never' ? 'always' : 'maybe';
    }
    if ('any' in n) {
      const truths = n.any.map((c, i) => visit(c, [...p, 'any', i]));
      if (truths.includes('always')) return 'always';
      return truths.every((t) => t === 'never') ? 'never' : 'maybe';
    }
    const truths = n.all.map((c, i) => visit(c, [...p, 'all', i]));
    if (truths.includes('never')) return 'never';
    if (truths.every((t) => t === 'always')) return 'always';
    const leaves: LeafInfo[] = [];
    conjunctLeaves(n, p, options, leaves);
    const byField = new Map<string, LeafInfo[]>();
    for (const l of leaves) byField.set(l.leaf.field.name, [...(byField.get(l.leaf.field.name) ?? []), l]);
    for (const [name, infos] of byField) {
      if (infos.length > 1 && conflicting(infos)) {
        findings.push({
          path: p,
          message: `can never be true: ${resolveField(name, options.attributeTypes)?.label ?? name} cannot satisfy all of ${infos.map((i) => `"${describeCondition(i.node)}"`).join(', ')}`,
        });
        return 'never';
      }
    }
    return 'maybe';
  };
  if (node === undefined) return { truth: 'always', findings };
  // Too deep to walk: nothing proven, which is the sound answer.
  if (tooDeepToWalk(node)) return { truth: 'maybe', findings };
  return { truth: visit(node, path), findings };
}

const tooDeepToWalk = (node: ConditionNode | undefined) => node !== undefined && groupTooDeepAt(node, MAX_WALK_DEPTH) !== null;

/** Whether two valid trees can never both match the same facts. */
export function disjoint(a: ConditionNode | undefined, b: ConditionNode | undefined, options: CheckOptions = {}): boolean {
  const parts = [a, b].filter((n): n is ConditionNode => n !== undefined);
  if (parts.length === 0) return false;
  return analyze({ all: parts }, [], options).truth === 'never';
}

// -- Implication -------------------------------------------------------------------------------

function canonical(node: ConditionNode): string {
  if (isLeafNode(node)) {
    const v = node.value;
    const value = Array.isArray(v) ? [...new Set(v.map((x) => (typeof x === 'string' ? fold(x) : x)))].sort() : typeof v === 'string' ? fold(v) : v;
    return JSON.stringify([node.field, node.op, value ?? null]);
  }
  if ('not' in node) return `not(${canonical(node.not)})`;
  const [key, children] = 'all' in node ? ['all', node.all] : ['any', node.any];
  return `${key}(${children.map(canonical).sort().join(',')})`;
}

function leafImplies(b: LeafInfo, a: LeafInfo): boolean {
  if (b.leaf.field.name !== a.leaf.field.name) return false;
  const field = a.leaf.field;
  const domain = finiteDomain(field);
  if (domain) {
    // Exact: every value that satisfies b satisfies a.
    return domain.every((v) => !b.leaf.test(v) || a.leaf.test(v));
  }
  const bop = b.leaf.op;
  // b pins the value to a finite list: check a on each of them.
  if (bop === 'eq' || bop === 'in') return listOrOne(b).every((v) => a.leaf.test(v));
  if (a.leaf.op === 'is_set' && bop !== 'neq' && bop !== 'not_in' && bop !== 'contains_none' && bop !== 'is_empty' && bop !== 'is_set' && bop !== 'matches') {
    return !(Array.isArray(b.leaf.expected) && b.leaf.expected.length === 0 && bop === 'contains_all');
  }
  if (a.leaf.op === 'is_set' && bop === 'is_set') return true;
  if (a.leaf.op === 'is_empty' && bop === 'is_empty') return true;
  const bi = intervalOf(b);
  const ai = intervalOf(a);
  if (bi && ai && a.leaf.op !== 'eq') return contains(ai, bi);
  if (field.type === 'tags' || field.type === 'text') {
    const bk = keysOf(b);
    const ak = keysOf(a);
    const has = (list: string[][], k: string[]) => list.some((x) => within(x, k));
    const same = (list: string[][], k: string[]) => list.some((x) => x.join(' ') === k.join(' '));
    const bAll = bop === 'contains_all' || (bop === 'contains_any' && bk.length === 1);
    if (bAll && a.leaf.op === 'contains_all') return ak.every((k) => has(bk, k));
    if (bAll && a.leaf.op === 'contains_any') return ak.some((k) => has(bk, k));
    if (bop === 'contains_any' && a.leaf.op === 'contains_any') return bk.every((k) => same(ak, k));
    if (bop === 'contains_none' && a.leaf.op === 'contains_none') return ak.every((k) => same(bk, k));
  }
  return false;
}

function listOrOne(info: LeafInfo): unknown[] {
  return info.leaf.op === 'eq' ? [info.leaf.expected] : listOf(info);
}

function conjuncts(node: ConditionNode | undefined): ConditionNode[] {
  if (node === undefined) return [];
  if ('all' in node) return node.all.flatMap((c) => conjuncts(c));
  return [node];
}

/**
 * Whether every facts that match `b` also match `a` (sound, not complete: false means "not
 * proven"). Used for shadowing: a later rule whose conditions imply an earlier stopProcessing
 * rule's conditions never runs.
 */
export function implies(b: ConditionNode | undefined, a: ConditionNode | undefined, options: CheckOptions = {}): boolean {
  if (analyze(a, [], options).truth === 'always') return true;
  if (tooDeepToWalk(a) || tooDeepToWalk(b)) return false;
  const bs = conjuncts(b);
  const nodeImplies = (x: ConditionNode, y: ConditionNode): boolean => {
    if (canonical(x) === canonical(y)) return true;
    if ('any' in y && y.any.some((c) => nodeImplies(x, c))) return true;
    if (isLeafNode(x) && isLeafNode(y)) {
      const xi = leafInfo(x, [], options);
      const yi = leafInfo(y, [], options);
      return !!xi && !!yi && leafImplies(xi, yi);
    }
    return false;
  };
  return conjuncts(a).every((ac) => bs.some((bc) => nodeImplies(bc, ac)));
}
