/**
 * Condition trees: checking a tree, compiling it to closures, and explaining one evaluation.
 *
 * A condition is compiled once into a `Leaf`: a reader for its field and a test with the expected
 * value already prepared (folded strings, a Set for lists, the words of each phrase, the compiled
 * RE2 pattern). `compileConditions` chains the tests with `&&`/`||`; `explainConditions` runs the
 * same reader and test per node and records what they saw, so the two cannot disagree.
 *
 * Semantics the operators share (docs/rules.md repeats them for admins):
 * - all text comparisons ignore case and accents (`fold`); `message.body` word operators are also
 *   word-bounded; `matches` runs on the body as written;
 * - negative operators are exact negations (`neq` = not `eq`, `not_in` = not `in`,
 *   `contains_none` = not `contains_any`, `is_set` = not `is_empty`), so a missing value "is not
 *   Spanish" and "includes none of spam";
 * - a value of the wrong type (a number attribute compared with a string) never equals anything.
 */
import {
  OPERATORS,
  PHRASE_LIMITS,
  resolveField,
  type AttributeTypes,
  type FieldDef,
  type OperatorName,
} from '@baton/protocol/rule-fields';
import { MAX_GROUP_DEPTH } from '@baton/protocol/nesting';
import type { ConditionNode, ConditionTrace, RuleCondition, RuleFacts, RulePath } from '@baton/protocol/rules';
import { describeCondition, isEmptyValue, type DescribeOptions } from './describe.js';
import { compilePattern } from './regex.js';
import { fold, phrase, phraseMatcher, PhraseSet, tokens } from './text.js';

/** Deepest nesting of groups accepted (the protocol's `MAX_GROUP_DEPTH`); deeper trees are unreadable and risk the stack. */
export const MAX_DEPTH = MAX_GROUP_DEPTH;
/** Most conditions and groups in one tree. */
export const MAX_NODES = 500;
/** Most children of one group, values in one list, and characters in one value (as the schema says). */
export const MAX_GROUP = 50;
export const MAX_LIST = 200;
export const MAX_VALUE_LENGTH = 1000;
/** The protocol's `Id` (domain.ts), for fields whose values are record ids. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Up to this many phrases, `contains_all` runs one compiled matcher per phrase (a scan of the body each); past it, one pass of the automaton. */
const FEW_PHRASES = 4;

export interface Problem {
  path: RulePath;
  code: 'invalid' | 'unknown_field' | 'operator_not_allowed' | 'invalid_value' | 'empty_group' | 'too_deep' | 'invalid_regex';
  message: string;
}

/** Thrown by `compileConditions` for a tree `validateWorkflow` would reject. */
export class RuleError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`invalid conditions: ${problems.map((p) => `${p.path.join('.') || '(root)'}: ${p.message}`).join('; ')}`);
    this.name = 'RuleError';
  }
}

export interface CheckOptions {
  /** Types of the workspace's contact attributes; an undeclared attribute accepts any scalar operator. */
  attributeTypes?: AttributeTypes;
}

// ---------------------------------------------------------------------------------------------
// Reading facts

type Reader = (facts: RuleFacts) => unknown;

// One reader per registry field; `conditions.test.ts` checks that every RULE_FIELDS entry has one.
export const READERS: Readonly<Record<string, Reader>> = {
  'conversation.channel': (f) => f.conversation?.channel,
  'conversation.source': (f) => f.conversation?.source,
  'conversation.subject': (f) => f.conversation?.subject,
  'conversation.tags': (f) => f.conversation?.tags,
  'conversation.priority': (f) => f.conversation?.priority,
  'conversation.language': (f) => f.conversation?.language,
  'conversation.team': (f) => f.conversation?.team,
  'contact.name': (f) => f.contact?.name,
  'contact.email': (f) => f.contact?.email,
  'contact.language': (f) => f.contact?.language,
  'contact.tags': (f) => f.contact?.tags,
  'message.body': (f) => f.message?.body,
  'time.weekday': (f) => f.time?.weekday,
  'time.hour': (f) => f.time?.hour,
};

function readerFor(field: FieldDef): Reader {
  const fixed = READERS[field.name];
  if (fixed) return fixed;
  const key = field.name.slice('contact.attributes.'.length);
  // Own properties only: `contact.attributes.constructor` must not reach Object.prototype.
  return (f) => {
    const attributes = f.contact?.attributes;
    return attributes && Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// Leaves

export interface Leaf {
  readonly field: FieldDef;
  readonly op: OperatorName;
  readonly expected: unknown;
  readonly read: Reader;
  readonly test: (actual: unknown) => boolean;
  /** For list operators: which expected values the actual value holds (for traces). */
  readonly matched?: (actual: unknown) => (string | number)[];
}

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const norm = (v: unknown): unknown => (typeof v === 'string' ? fold(v) : v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function foldedSet(v: unknown): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(v)) for (const t of v) if (typeof t === 'string') out.add(fold(t));
  return out;
}

/** What element type a value of the field has, for checking values (attributes: whatever the operator takes). */
function elementKind(field: FieldDef, op: OperatorName): 'string' | 'number' | 'boolean' | 'scalar' | 'string_or_number' {
  switch (field.type) {
    case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'attribute':
      if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte' || op === 'between') return 'number';
      if (op === 'contains' || op === 'starts_with' || op === 'ends_with') return 'string';
      if (op === 'in' || op === 'not_in') return 'string_or_number';
      return 'scalar';
    default: return 'string';
  }
}

/** Checks one value of a condition; returns a message when it does not fit. */
function checkElement(field: FieldDef, op: OperatorName, v: unknown): string | null {
  const kind = elementKind(field, op);
  if (kind === 'number') {
    if (!isNumber(v)) return 'must be a number';
    if (field.integer && !Number.isInteger(v)) return 'must be a whole number';
    // Bounds matter for equality and ranges; `hour > 30` is legal but can never match (a warning).
    if ((op === 'eq' || op === 'neq' || op === 'between') && ((field.min !== undefined && v < field.min) || (field.max !== undefined && v > field.max))) {
      return `must be from ${field.min} to ${field.max}`;
    }
    return null;
  }
  if (kind === 'boolean') return typeof v === 'boolean' ? null : 'must be true or false';
  if (typeof v === 'string' && v.length > MAX_VALUE_LENGTH) return `is longer than ${MAX_VALUE_LENGTH} characters`;
  if (kind === 'scalar') return isScalar(v) && !(typeof v === 'string' && v.trim() === '') ? null : 'must be a non-empty string, a number or a boolean';
  if (kind === 'string_or_number') return (typeof v === 'string' && v.trim() !== '') || isNumber(v) ? null : 'must be a non-empty string or a number';
  if (typeof v !== 'string' || v.trim() === '') return 'must be a non-empty string';
  if (v.length > MAX_VALUE_LENGTH) return `is longer than ${MAX_VALUE_LENGTH} characters`;
  if (field.type === 'enum' && field.values && !field.openValues && !field.values.some((o) => o.value === v)) {
    const choices = field.values.length > 12 ? `see docs/rules.md for the ${field.values.length} codes` : field.values.map((o) => o.value).join(', ');
    return `is not a ${field.label} (${choices})`;
  }
  if (field.type === 'text' && phrase(v).length === 0) return 'has no word to look for';
  // Record ids have the protocol's `Id` shape; whether one names a record of the workspace is the validator's question.
  if (field.valuesFrom && !ID_PATTERN.test(v)) return 'must be an id (up to 64 letters, digits, _ and -)';
  return null;
}

/**
 * Whether a word list (`message.body` contains_any/all/none) is within `PHRASE_LIMITS`: what a rule
 * may be saved with. Only the validator asks; compiling does not, so a rule saved before the limits
 * keeps running (its matching is linear in the body anyway: text.ts `PhraseSet`).
 */
function phraseLimitProblems(list: readonly unknown[], valuePath: RulePath): Problem[] {
  if (list.length > PHRASE_LIMITS.phrases) {
    return [{ path: valuePath, code: 'invalid_value', message: `at most ${PHRASE_LIMITS.phrases} words or phrases` }];
  }
  const problems: Problem[] = [];
  list.forEach((v, i) => {
    if (typeof v !== 'string') return;
    const message = v.length > PHRASE_LIMITS.characters
      ? `is longer than ${PHRASE_LIMITS.characters} characters`
      : phrase(v).length > PHRASE_LIMITS.words ? `has more than ${PHRASE_LIMITS.words} words` : null;
    if (message) problems.push({ path: [...valuePath, i], code: 'invalid_value', message });
  });
  return problems;
}

/**
 * Checks a condition and, when it is sound, prepares its leaf. Problems carry paths below `path`.
 * `saving`: also hold word lists to `PHRASE_LIMITS` (the validator's check; see `phraseLimitProblems`).
 */
export function prepareLeaf(condition: RuleCondition, path: RulePath, options: CheckOptions = {}, saving = false): { leaf?: Leaf; problems: Problem[] } {
  const problems: Problem[] = [];
  const field = resolveField(condition.field, options.attributeTypes);
  if (!field) {
    problems.push({ path: [...path, 'field'], code: 'unknown_field', message: `unknown field "${condition.field}"` });
    return { problems };
  }
  const op = condition.op;
  if (!Object.hasOwn(OPERATORS, op)) {
    problems.push({ path: [...path, 'op'], code: 'operator_not_allowed', message: `unknown operator "${op}"` });
    return { problems };
  }
  if (!field.operators.includes(op)) {
    problems.push({
      path: [...path, 'op'],
      code: 'operator_not_allowed',
      message: `${field.name} does not take "${op}"; it takes ${field.operators.join(', ')}`,
    });
    return { problems };
  }
  const value = condition.value;
  const valuePath = [...path, 'value'];
  const kind = OPERATORS[op].valueKind;
  if (kind === 'none') {
    if (value !== undefined) problems.push({ path: valuePath, code: 'invalid_value', message: `"${op}" takes no value` });
  } else if (kind === 'one' || kind === 'pattern') {
    if (Array.isArray(value)) problems.push({ path: valuePath, code: 'invalid_value', message: `"${op}" takes one value, not a list` });
    else if (value === undefined) problems.push({ path: valuePath, code: 'invalid_value', message: `"${op}" needs a value` });
    else if (kind === 'pattern') {
      if (typeof value !== 'string') problems.push({ path: valuePath, code: 'invalid_value', message: 'must be a pattern (a string)' });
      else {
        const compiled = compilePattern(value);
        if (!compiled.ok) problems.push({ path: valuePath, code: 'invalid_regex', message: compiled.message });
      }
    } else {
      const message = checkElement(field, op, value);
      if (message) problems.push({ path: valuePath, code: 'invalid_value', message });
    }
  } else if (kind === 'list') {
    if (!Array.isArray(value)) problems.push({ path: valuePath, code: 'invalid_value', message: `"${op}" takes a list of values` });
    else if (value.length > MAX_LIST) problems.push({ path: valuePath, code: 'invalid_value', message: `at most ${MAX_LIST} values` });
    else {
      value.forEach((v, i) => {
        const message = checkElement(field, op, v);
        if (message) problems.push({ path: [...valuePath, i], code: 'invalid_value', message });
      });
      if (saving && field.type === 'text' && problems.length === 0) problems.push(...phraseLimitProblems(value, valuePath));
    }
  } else if (kind === 'range') {
    if (!Array.isArray(value) || value.length !== 2) problems.push({ path: valuePath, code: 'invalid_value', message: '"between" takes [low, high]' });
    else {
      value.forEach((v, i) => {
        const message = checkElement(field, op, v);
        if (message) problems.push({ path: [...valuePath, i], code: 'invalid_value', message });
      });
      if (problems.length === 0 && (value[0] as number) > (value[1] as number)) {
        problems.push({ path: valuePath, code: 'invalid_value', message: 'low is above high' });
      }
    }
  }
  if (problems.length > 0) return { problems };
  return { leaf: buildLeaf(field, op, value), problems };
}

function buildLeaf(field: FieldDef, op: OperatorName, expected: unknown): Leaf {
  const read = readerFor(field);
  const base = { field, op, expected, read };
  const list = Array.isArray(expected) ? (expected as Scalar[]) : [];

  if (field.type === 'text') {
    const phrases = list.map((v) => ({ value: v as string, words: phrase(v as string) }));
    // One automaton over the body's words for the whole list (text.ts `PhraseSet`): linear in the
    // body whatever the list, where a scan per phrase is phrases × body.
    let set: PhraseSet | undefined;
    const phraseSet = () => (set ??= new PhraseSet(phrases.map((p) => p.words)));
    const found = (actual: unknown) => (typeof actual === 'string' ? phraseSet().found(tokens(actual)).map((i) => phrases[i]!.value) : []);
    // Compiled once per condition, for the operator that uses it: the whole list in one matcher for
    // "any" and "none"; for "all", one per phrase when they are few (plain text is answered without
    // folding or splitting it), else the automaton once.
    switch (op) {
      case 'contains_any':
      case 'contains_none': {
        const anyMatcher = phraseMatcher(phrases.map((p) => p.words));
        const anyOf = (actual: unknown) => typeof actual === 'string' && anyMatcher(actual);
        return { ...base, test: op === 'contains_any' ? anyOf : (a) => !anyOf(a), matched: found };
      }
      case 'contains_all': {
        const eachMatcher = phrases.length <= FEW_PHRASES ? phrases.map((p) => phraseMatcher([p.words])) : null;
        return {
          ...base,
          matched: found,
          test: (actual) => {
            if (typeof actual !== 'string') return phrases.length === 0;
            if (!eachMatcher) return phraseSet().every(tokens(actual));
            for (let i = 0; i < eachMatcher.length; i++) if (!eachMatcher[i]!(actual)) return false;
            return true;
          },
        };
      }
      case 'matches': {
        const compiled = compilePattern(expected as string);
        if (!compiled.ok) throw new Error(compiled.message); // unreachable: prepareLeaf checked it
        const pattern = compiled.pattern;
        return { ...base, test: (actual) => typeof actual === 'string' && pattern.test(actual) };
      }
      case 'is_empty': return { ...base, test: isEmptyValue };
      case 'is_set': return { ...base, test: (a) => !isEmptyValue(a) };
    }
  }

  if (field.type === 'tags') {
    const wanted = list.map((v) => ({ value: v as string, folded: fold(v as string) }));
    const found = (actual: unknown) => {
      const have = foldedSet(actual);
      return wanted.filter((w) => have.has(w.folded)).map((w) => w.value);
    };
    const wantedSet = new Set(wanted.map((w) => w.folded));
    // Tag lists are short: fold each tag and look it up, no Set of the actual tags per evaluation.
    const anyOf = (actual: unknown) => {
      if (!Array.isArray(actual)) return false;
      for (let i = 0; i < actual.length; i++) {
        const t = actual[i];
        if (typeof t === 'string' && wantedSet.has(fold(t))) return true;
      }
      return false;
    };
    switch (op) {
      case 'contains_any': return { ...base, test: anyOf, matched: found };
      case 'contains_none': return { ...base, test: (a) => !anyOf(a), matched: found };
      case 'contains_all': return {
        ...base,
        matched: found,
        test: (actual) => {
          const have = foldedSet(actual);
          for (let i = 0; i < wanted.length; i++) if (!have.has(wanted[i]!.folded)) return false;
          return true;
        },
      };
      case 'is_empty': return { ...base, test: isEmptyValue };
      case 'is_set': return { ...base, test: (a) => !isEmptyValue(a) };
    }
  }

  // Scalar fields: enum, string, number, boolean, attribute.
  const one = norm(expected);
  const eq = (actual: unknown) => norm(actual) === one;
  const set = new Set(list.map(norm));
  const inSet = (actual: unknown) => actual !== null && actual !== undefined && set.has(norm(actual));
  const inMatched = (actual: unknown) => (inSet(actual) ? list.filter((v) => norm(v) === norm(actual)) : []) as (string | number)[];
  const str = typeof one === 'string' ? one : '';
  const num = typeof expected === 'number' ? expected : NaN;
  switch (op) {
    case 'eq': return { ...base, test: eq };
    case 'neq': return { ...base, test: (a) => !eq(a) };
    case 'in': return { ...base, test: inSet, matched: inMatched };
    case 'not_in': return { ...base, test: (a) => !inSet(a), matched: inMatched };
    case 'contains': return { ...base, test: (a) => typeof a === 'string' && fold(a).includes(str) };
    case 'starts_with': return { ...base, test: (a) => typeof a === 'string' && fold(a).startsWith(str) };
    case 'ends_with': return { ...base, test: (a) => typeof a === 'string' && fold(a).endsWith(str) };
    case 'gt': return { ...base, test: (a) => isNumber(a) && a > num };
    case 'gte': return { ...base, test: (a) => isNumber(a) && a >= num };
    case 'lt': return { ...base, test: (a) => isNumber(a) && a < num };
    case 'lte': return { ...base, test: (a) => isNumber(a) && a <= num };
    case 'between': {
      const [low, high] = list as [number, number];
      return { ...base, test: (a) => isNumber(a) && a >= low && a <= high };
    }
    case 'is_empty': return { ...base, test: isEmptyValue };
    case 'is_set': return { ...base, test: (a) => !isEmptyValue(a) };
  }
  // prepareLeaf only builds leaves for operators the field's type lists, and every list is covered above.
  throw new Error(`no implementation of ${op} for ${field.type}`);
}

// ---------------------------------------------------------------------------------------------
// Trees

type Visited =
  | { kind: 'condition'; node: RuleCondition; path: RulePath; leaf?: Leaf }
  | { kind: 'all' | 'any'; path: RulePath; children: Visited[] }
  | { kind: 'not'; path: RulePath; child: Visited };

const CONDITION_KEYS = new Set(['field', 'op', 'value']);

/**
 * Checks a tree's structure and every condition in it, reporting each problem at its path, and
 * returns the tree with prepared leaves (usable only when there were no problems). Works on
 * unchecked JSON: this is where a workflow's conditions are validated (`saving`: with the limits
 * only a save is held to, as `prepareLeaf`).
 */
export function checkTree(node: unknown, path: RulePath, options: CheckOptions = {}, saving = false): { tree?: Visited; problems: Problem[] } {
  const problems: Problem[] = [];
  let count = 0;
  const visit = (n: unknown, p: RulePath, depth: number, root: boolean): Visited | undefined => {
    if (++count > MAX_NODES) {
      if (count === MAX_NODES + 1) problems.push({ path: p, code: 'invalid', message: `more than ${MAX_NODES} conditions and groups` });
      return undefined;
    }
    if (typeof n !== 'object' || n === null || Array.isArray(n)) {
      problems.push({ path: p, code: 'invalid', message: 'expected a condition ({ field, op, value }) or a group ({ all }, { any }, { not })' });
      return undefined;
    }
    const obj = n as Record<string, unknown>;
    const keys = Object.keys(obj);
    if ('field' in obj || 'op' in obj) {
      for (const k of keys) if (!CONDITION_KEYS.has(k)) problems.push({ path: [...p, k], code: 'invalid', message: `unknown key "${k}" in a condition` });
      if (typeof obj.field !== 'string') problems.push({ path: [...p, 'field'], code: 'invalid', message: 'field must be a string' });
      if (typeof obj.op !== 'string') problems.push({ path: [...p, 'op'], code: 'invalid', message: 'op must be a string' });
      if (typeof obj.field !== 'string' || typeof obj.op !== 'string') return undefined;
      const condition = obj as RuleCondition;
      const { leaf, problems: leafProblems } = prepareLeaf(condition, p, options, saving);
      problems.push(...leafProblems);
      return { kind: 'condition', node: condition, path: p, leaf };
    }
    if (keys.length !== 1 || !['all', 'any', 'not'].includes(keys[0]!)) {
      problems.push({ path: p, code: 'invalid', message: `a group has exactly one key: all, any or not (found ${keys.map((k) => `"${k}"`).join(', ') || 'none'})` });
      return undefined;
    }
    const key = keys[0] as 'all' | 'any' | 'not';
    if (depth >= MAX_DEPTH) {
      problems.push({ path: p, code: 'too_deep', message: `groups nest at most ${MAX_DEPTH} deep` });
      return undefined;
    }
    if (key === 'not') {
      const child = visit(obj.not, [...p, 'not'], depth + 1, false);
      return child && { kind: 'not', path: p, child };
    }
    const list = obj[key];
    if (!Array.isArray(list)) {
      problems.push({ path: [...p, key], code: 'invalid', message: `"${key}" must be a list` });
      return undefined;
    }
    // `{ all: [] }` at the top is the builder's blank rule and means "always"; anywhere else an
    // empty group is a mistake (and an empty `any` would never match).
    if (list.length === 0 && !(root && key === 'all')) {
      problems.push({ path: [...p, key], code: 'empty_group', message: `this group ("${key}") has no conditions: add one or delete the group` });
      return undefined;
    }
    if (list.length > MAX_GROUP) {
      problems.push({ path: [...p, key], code: 'invalid', message: `a group holds at most ${MAX_GROUP} conditions` });
      return undefined;
    }
    const children = list.map((c, i) => visit(c, [...p, key, i], depth + 1, false));
    if (children.some((c) => c === undefined)) return undefined;
    return { kind: key, path: p, children: children as Visited[] };
  };
  const tree = visit(node, path, 0, true);
  return { tree: problems.length === 0 ? tree : undefined, problems };
}

// ---------------------------------------------------------------------------------------------
// Compile and explain

export type Predicate = (facts: RuleFacts) => boolean;

function compileVisited(v: Visited): Predicate {
  switch (v.kind) {
    case 'condition': {
      const { read, test } = v.leaf!;
      return (facts) => test(read(facts));
    }
    case 'not': {
      const child = compileVisited(v.child);
      return (facts) => !child(facts);
    }
    case 'all':
    case 'any': {
      const fns = v.children.map(compileVisited);
      // Small groups unrolled: most rules have two or three conditions and this is the hot path.
      if (fns.length === 0) return v.kind === 'all' ? () => true : () => false;
      if (fns.length === 1) return fns[0]!;
      if (fns.length === 2) {
        const [a, b] = fns as [Predicate, Predicate];
        return v.kind === 'all' ? (f) => a(f) && b(f) : (f) => a(f) || b(f);
      }
      if (fns.length === 3) {
        const [a, b, c] = fns as [Predicate, Predicate, Predicate];
        return v.kind === 'all' ? (f) => a(f) && b(f) && c(f) : (f) => a(f) || b(f) || c(f);
      }
      const n = fns.length;
      return v.kind === 'all'
        ? (f) => { for (let i = 0; i < n; i++) if (!fns[i]!(f)) return false; return true; }
        : (f) => { for (let i = 0; i < n; i++) if (fns[i]!(f)) return true; return false; };
    }
  }
}

// Checked trees by tree object (and attribute types), so explaining the same stored rule for every
// event does not re-check and re-prepare it each time. Trees are treated as immutable values.
const checkedTrees = new WeakMap<object, Map<AttributeTypes | undefined, Visited>>();

function checked(tree: ConditionNode | undefined, options?: CheckOptions): Visited | undefined {
  if (tree === undefined) return undefined;
  const cacheable = typeof tree === 'object' && tree !== null;
  const byTypes = cacheable ? checkedTrees.get(tree) : undefined;
  const hit = byTypes?.get(options?.attributeTypes);
  if (hit) return hit;
  const { tree: visited, problems } = checkTree(tree, [], options);
  if (problems.length > 0 || !visited) throw new RuleError(problems);
  if (cacheable) {
    const map = byTypes ?? new Map<AttributeTypes | undefined, Visited>();
    map.set(options?.attributeTypes, visited);
    if (!byTypes) checkedTrees.set(tree, map);
  }
  return visited;
}

/**
 * Compiles a condition tree once into a predicate over facts. An absent tree (or an empty root
 * `all`) matches everything. Throws `RuleError` (with every problem and its path) for a tree
 * `validateWorkflow` would reject.
 */
export function compileConditions(tree: ConditionNode | undefined, options?: CheckOptions): Predicate {
  const visited = checked(tree, options);
  return visited ? compileVisited(visited) : () => true;
}

/**
 * One condition's outcome as a run log keeps it: the fact's value (null when absent), whether it
 * held (1/0), and for list operators the expected values it found. Everything else a trace shows
 * (path, field, operator, expected value, the sentence, the groups' results) follows from the tree,
 * which a run's immutable workflow version still has.
 */
export type LeafOutcome = [actual: unknown, result: 0 | 1] | [actual: unknown, result: 0 | 1, matched: (string | number)[]];

/** A tree's evaluation, reduced to its conditions' outcomes in tree order (depth first, as written). */
export interface ConditionRecord {
  result: boolean;
  leaves: LeafOutcome[];
}

/**
 * A long text (an email's body) is kept to this many characters in a trace: the log of every rule
 * that read it would otherwise copy the whole message, and `matched` already says what was found.
 */
export const MAX_ACTUAL_CHARS = 500;

/** The first `MAX_ACTUAL_CHARS` characters and "…", never half of a surrogate pair (an emoji). */
function shortened(text: string): string {
  const end = /[\uD800-\uDBFF]/.test(text[MAX_ACTUAL_CHARS - 1]!) ? MAX_ACTUAL_CHARS - 1 : MAX_ACTUAL_CHARS;
  return `${text.slice(0, end)}…`;
}

function recordVisited(v: Visited, facts: RuleFacts, leaves: LeafOutcome[]): boolean {
  switch (v.kind) {
    case 'condition': {
      const leaf = v.leaf!;
      const actual = leaf.read(facts);
      const result = leaf.test(actual);
      const stored = actual === undefined ? null : typeof actual === 'string' && actual.length > MAX_ACTUAL_CHARS ? shortened(actual) : actual;
      leaves.push(leaf.matched ? [stored, result ? 1 : 0, leaf.matched(actual)] : [stored, result ? 1 : 0]);
      return result;
    }
    case 'not':
      return !recordVisited(v.child, facts, leaves);
    case 'all':
    case 'any': {
      // Every child is evaluated, not just up to the first decisive one: a run log shows each
      // condition's actual value, so an admin sees the near misses too.
      const results = v.children.map((c) => recordVisited(c, facts, leaves));
      return v.kind === 'all' ? results.every(Boolean) : results.some(Boolean);
    }
  }
}

function inflateVisited(v: Visited, leaves: readonly LeafOutcome[], next: { at: number }, words: DescribeOptions): ConditionTrace {
  switch (v.kind) {
    case 'condition': {
      const leaf = v.leaf!;
      const outcome = leaves[next.at++];
      if (!outcome) throw new Error(`a condition record has ${leaves.length} outcomes; its tree has more conditions`);
      const trace: Extract<ConditionTrace, { kind: 'condition' }> = {
        kind: 'condition',
        path: v.path,
        field: leaf.field.name,
        operator: leaf.op,
        expected: leaf.expected,
        actual: outcome[0],
        result: outcome[1] === 1,
        text: describeCondition(v.node, words),
      };
      if (leaf.matched) trace.matched = outcome[2] ?? [];
      return trace;
    }
    case 'not': {
      const child = inflateVisited(v.child, leaves, next, words);
      return { kind: 'not', path: v.path, result: !child.result, child };
    }
    case 'all':
    case 'any': {
      const children = v.children.map((c) => inflateVisited(c, leaves, next, words));
      const result = v.kind === 'all' ? children.every((c) => c.result) : children.some((c) => c.result);
      return { kind: v.kind, path: v.path, result, children };
    }
  }
}

/**
 * Evaluates a tree against facts like `explainConditions`, keeping only what the tree cannot tell
 * again (each condition's actual value and result). The runner logs this: ~0.1 KB a rule instead
 * of a full trace's ~0.6 KB, and no sentence is built per run. `inflateTrace` gives the trace back.
 */
export function recordConditions(tree: ConditionNode | undefined, facts: RuleFacts, options?: CheckOptions): ConditionRecord {
  const visited = checked(tree, options);
  const leaves: LeafOutcome[] = [];
  return { result: visited ? recordVisited(visited, facts, leaves) : true, leaves };
}

/**
 * The full trace of a recorded evaluation, from the same tree: what `explainConditions` returned then.
 * `teams` only changes the sentences ("team is Billing"), never what was compared.
 */
export function inflateTrace(tree: ConditionNode | undefined, leaves: readonly LeafOutcome[], options?: CheckOptions & DescribeOptions): ConditionTrace {
  const visited = checked(tree, options);
  if (!visited) return { kind: 'all', path: [], result: true, children: [] };
  const next = { at: 0 };
  const trace = inflateVisited(visited, leaves, next, { teams: options?.teams });
  if (next.at !== leaves.length) throw new Error(`a condition record has ${leaves.length} outcomes; its tree has ${next.at} conditions`);
  return trace;
}

/**
 * Evaluates a tree against facts and records, per node, what it compared: field, operator,
 * expected and actual value, result (and for groups, their children). Paths are relative to the
 * tree (`['all', 1, 'any', 0]`). Absent conditions give an empty `all` that matched.
 */
export function explainConditions(tree: ConditionNode | undefined, facts: RuleFacts, options?: CheckOptions & DescribeOptions): ConditionTrace {
  return inflateTrace(tree, recordConditions(tree, facts, options).leaves, options);
}
