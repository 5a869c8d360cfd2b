/**
 * Edits of a workflow definition as pure functions: each takes a definition and returns a new
 * one, sharing every untouched branch with the old. The editor never mutates a definition, so
 * undo is "go back to the previous object" (see history.ts) and a compound edit ("wrap in
 * group") is one step because it is one function call.
 *
 * Addresses are JSON paths into the definition, the same paths the server's validator reports
 * errors at (`["conditions", "all", 1, "value", 0]`), so a 422 lands on the control that holds
 * the value without any translation.
 */
import {
  OPERATORS,
  RULE_FIELDS,
  resolveField,
  type FieldDef,
  type OperatorName,
} from '@baton/protocol/rule-fields';
import type { Agent, AssignPool, AssignStep, ConditionNode, RuleAction, RuleCondition, RulePath, Team, WorkflowDefinition } from '@baton/protocol';

export type Path = RulePath;
export type GroupKind = 'all' | 'any' | 'not';
export type ActionType = RuleAction['type'];

export const pathKey = (path: Path): string => path.join('.');

/** Objects' keys in one order, so equal JSON values print the same whatever order their keys were set in. */
const sortedKeys = (_key: string, value: unknown): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value;

/**
 * A JSON value as text that only its content decides. The server answers a definition in its
 * schema's key order while the editor adds a key where it is set (a step's `require` after its
 * `strategy`), so the plain texts of a draft and its saved copy can differ when nothing else does.
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(value ?? null, sortedKeys);

export function isGroup(node: ConditionNode): node is { all: ConditionNode[] } | { any: ConditionNode[] } | { not: ConditionNode } {
  return 'all' in node || 'any' in node || 'not' in node;
}
export function groupKind(node: ConditionNode): GroupKind | null {
  if ('all' in node) return 'all';
  if ('any' in node) return 'any';
  if ('not' in node) return 'not';
  return null;
}
/** A group's children (a `not` has one). */
export function childrenOf(node: ConditionNode): ConditionNode[] {
  if ('all' in node) return node.all;
  if ('any' in node) return node.any;
  if ('not' in node) return [node.not];
  return [];
}
/** The conditions of a tree, in order. */
export function conditionLeaves(root: ConditionNode | undefined): RuleCondition[] {
  if (!root) return [];
  return isGroup(root) ? childrenOf(root).flatMap(conditionLeaves) : [root];
}
/** The path of a group's child `i`. */
export function childPath(groupPath: Path, node: ConditionNode, i: number): Path {
  const kind = groupKind(node);
  return kind === 'not' ? [...groupPath, 'not'] : [...groupPath, kind!, i];
}

// ── Generic immutable path updates ─────────────────────────────────────────────────────────────

export function getAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** A copy of `root` with `path` set to `value` (`undefined` deletes an object key). */
export function setAt<T>(root: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const [key, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[key as number] = setAt(copy[key as number], rest, value);
    return copy as T;
  }
  const obj = { ...(root as Record<string, unknown>) };
  const next = setAt(obj[key as string], rest, value);
  if (next === undefined) delete obj[key as string];
  else obj[key as string] = next;
  return obj as T;
}

/** Inserts into the array at `arrayPath`. */
export function insertAt<T>(root: T, arrayPath: Path, index: number, value: unknown): T {
  const list = (getAt(root, arrayPath) as unknown[] | undefined) ?? [];
  const copy = list.slice();
  copy.splice(index, 0, value);
  return setAt(root, arrayPath, copy);
}

/** Removes the array element at `path` (its last key is the index). */
export function removeAt<T>(root: T, path: Path): T {
  const arrayPath = path.slice(0, -1);
  const index = path[path.length - 1] as number;
  const copy = (getAt(root, arrayPath) as unknown[]).slice();
  copy.splice(index, 1);
  return setAt(root, arrayPath, copy);
}

/** Moves the array element at `path` by `delta`; returns null when it would leave the array. */
export function moveAt<T>(root: T, path: Path, delta: number): { root: T; path: Path } | null {
  const arrayPath = path.slice(0, -1);
  const index = path[path.length - 1] as number;
  const list = getAt(root, arrayPath) as unknown[];
  const to = index + delta;
  if (to < 0 || to >= list.length) return null;
  const copy = list.slice();
  const [item] = copy.splice(index, 1);
  copy.splice(to, 0, item);
  return { root: setAt(root, arrayPath, copy), path: [...arrayPath, to] };
}

// ── Conditions ─────────────────────────────────────────────────────────────────────────────────

/** The root group: absent conditions read as an empty `all`. */
export function rootConditions(def: WorkflowDefinition): ConditionNode {
  return def.conditions ?? { all: [] };
}

export function withRoot(def: WorkflowDefinition): WorkflowDefinition {
  return def.conditions ? def : { ...def, conditions: { all: [] } };
}

/** The value an operator starts with for a field: empty, but of the right shape. */
export function defaultValue(field: FieldDef, op: OperatorName): RuleCondition['value'] {
  // A short list starts on its first choice (channel: SMS); a long one (184 languages) starts empty.
  const first = field.values && field.values.length <= 12 ? field.values[0]?.value : undefined;
  switch (OPERATORS[op].valueKind) {
    case 'none':
      return undefined;
    case 'one':
      if (field.type === 'number') return field.min ?? 0;
      if (field.type === 'boolean') return true;
      return first ?? '';
    case 'list':
      return first ? [first] : [];
    case 'range':
      return [field.min ?? 0, field.max ?? 0];
    case 'pattern':
      return '';
  }
}

export function newCondition(fieldName = RULE_FIELDS[0]!.name): RuleCondition {
  const field = resolveField(fieldName)!;
  const op = field.operators[0]!;
  const value = defaultValue(field, op);
  return value === undefined ? { field: fieldName, op } : { field: fieldName, op, value };
}

/** Keeps what still fits when the operator changes: a list's first item becomes the one value and back. */
export function convertValue(field: FieldDef, from: RuleCondition, op: OperatorName): RuleCondition['value'] {
  const kind = OPERATORS[op].valueKind;
  const old = from.value;
  const oldKind = OPERATORS[from.op as OperatorName]?.valueKind;
  if (oldKind === kind) return old;
  if (kind === 'list' && old !== undefined && !Array.isArray(old) && old !== '') return [old as string];
  if (kind === 'one' && Array.isArray(old) && old.length > 0) return old[0];
  return defaultValue(field, op);
}

/**
 * A field change keeps the operator and value when they still fit the new field (subject → email,
 * contact → conversation language), else starts from the field's first. A closed select changes
 * on each arrow key, so an admin (or a screen reader user) browsing the fields would otherwise
 * wipe the value at the first step.
 */
export function setConditionField(def: WorkflowDefinition, path: Path, fieldName: string): WorkflowDefinition {
  const from = getAt(def, path) as RuleCondition;
  const was = resolveField(from.field);
  const field = resolveField(fieldName);
  const values = [from.value].flat();
  const fits =
    was && field && was.type === field.type && was.valuesFrom === field.valuesFrom && field.operators.includes(from.op as OperatorName) &&
    (!field.values || field.openValues || values.every((v) => v === '' || field.values!.some((o) => o.value === v))) &&
    values.every((v) => typeof v !== 'number' || (v >= (field.min ?? v) && v <= (field.max ?? v)));
  return setAt(def, path, fits ? { ...from, field: fieldName } : newCondition(fieldName));
}

export function setConditionOp(def: WorkflowDefinition, path: Path, op: OperatorName): WorkflowDefinition {
  const condition = getAt(def, path) as RuleCondition;
  const field = resolveField(condition.field);
  if (!field) return setAt(def, [...path, 'op'], op);
  const value = convertValue(field, condition, op);
  const next: RuleCondition = value === undefined ? { field: condition.field, op } : { field: condition.field, op, value };
  return setAt(def, path, next);
}

/** Adds a condition (or a new group holding one) at the end of the group at `groupPath`; returns the new node's path. */
export function addToGroup(def: WorkflowDefinition, groupPath: Path, node: ConditionNode): { def: WorkflowDefinition; path: Path } {
  const d = withRoot(def);
  const group = getAt(d, groupPath) as ConditionNode;
  const kind = groupKind(group);
  if (kind === 'not') {
    // A `not` holds one node: adding to it makes its child an `all` of both.
    const inner = group as { not: ConditionNode };
    const wrapped = isGroup(inner.not) && 'all' in inner.not ? inner.not : { all: [inner.not] };
    const all = [...(wrapped as { all: ConditionNode[] }).all, node];
    return { def: setAt(d, [...groupPath, 'not'], { all }), path: [...groupPath, 'not', 'all', all.length - 1] };
  }
  const list = childrenOf(group);
  return { def: insertAt(d, [...groupPath, kind!], list.length, node), path: [...groupPath, kind!, list.length] };
}

/** Puts the node at `path` inside a new group of `kind` (one undo step). */
export function wrapInGroup(def: WorkflowDefinition, path: Path, kind: GroupKind): WorkflowDefinition {
  const node = getAt(def, path) as ConditionNode;
  const group: ConditionNode = kind === 'not' ? { not: node } : kind === 'all' ? { all: [node] } : { any: [node] };
  return setAt(def, path, group);
}

/** Replaces the group at `path` with its children, in place (one undo step). Not for the root. */
export function ungroup(def: WorkflowDefinition, path: Path): WorkflowDefinition {
  const node = getAt(def, path) as ConditionNode;
  const children = childrenOf(node);
  const parentKey = path[path.length - 1];
  if (parentKey === 'not') return setAt(def, path, children[0] ?? { all: [] });
  const arrayPath = path.slice(0, -1);
  const index = parentKey as number;
  const list = (getAt(def, arrayPath) as ConditionNode[]).slice();
  list.splice(index, 1, ...children);
  return setAt(def, arrayPath, list);
}

/** Switches a group between all / any (a `not` stays a `not`). */
export function setGroupKind(def: WorkflowDefinition, path: Path, kind: 'all' | 'any'): WorkflowDefinition {
  const node = getAt(def, path) as ConditionNode;
  const children = childrenOf(node);
  return setAt(def, path, kind === 'all' ? { all: children } : { any: children });
}

/** Removes a condition or group. The child of a `not` takes the `not` with it. */
export function removeCondition(def: WorkflowDefinition, path: Path): WorkflowDefinition {
  if (path[path.length - 1] === 'not') return removeCondition(def, path.slice(0, -1));
  return removeAt(def, path);
}

/**
 * Moves a condition or group out of its group, to just after that group (Alt+←). A group left
 * empty goes with it, in the same step. Null when the node is not in a nested all/any group.
 */
export function outdent(def: WorkflowDefinition, path: Path): { def: WorkflowDefinition; path: Path } | null {
  const index = path[path.length - 1];
  const groupPath = path.slice(0, -2);
  const groupIndex = groupPath[groupPath.length - 1];
  const parentKind = groupPath[groupPath.length - 2];
  if (typeof index !== 'number' || typeof groupIndex !== 'number' || (parentKind !== 'all' && parentKind !== 'any')) return null;
  const node = getAt(def, path) as ConditionNode;
  let next = removeAt(def, path);
  const emptied = childrenOf(getAt(next, groupPath) as ConditionNode).length === 0;
  if (emptied) next = removeAt(next, groupPath);
  const parentArray = groupPath.slice(0, -1);
  const at = emptied ? groupIndex : groupIndex + 1;
  return { def: insertAt(next, parentArray, at, node), path: [...parentArray, at] };
}

/** Moves a condition or group into the all/any group just above it, as its last child (Alt+→). */
export function indent(def: WorkflowDefinition, path: Path): { def: WorkflowDefinition; path: Path } | null {
  const index = path[path.length - 1];
  if (typeof index !== 'number' || index === 0) return null;
  const arrayPath = path.slice(0, -1);
  const previousPath = [...arrayPath, index - 1];
  const previous = getAt(def, previousPath) as ConditionNode;
  const kind = groupKind(previous);
  if (kind !== 'all' && kind !== 'any') return null;
  const node = getAt(def, path) as ConditionNode;
  const size = childrenOf(previous).length;
  const next = insertAt(removeAt(def, path), [...previousPath, kind], size, node);
  return { def: next, path: [...previousPath, kind, size] };
}

// ── Actions ────────────────────────────────────────────────────────────────────────────────────

export const ACTION_LABELS: Record<ActionType, string> = {
  assign: 'Assign',
  set_team: 'Set team',
  add_tag: 'Add tags',
  remove_tag: 'Remove tags',
  set_priority: 'Set priority',
  add_note: 'Add note',
  notify: 'Notify',
};

/** Who can be assigned in a workspace: what a new step's pool is picked from. */
export interface Roster {
  teams: readonly Pick<Team, 'id' | 'name'>[];
  agents: readonly Pick<Agent, 'id' | 'active'>[];
}

/** A pool may list at most this many agents (the protocol's limit). */
const POOL_AGENTS_MAX = 100;

/**
 * Who a new assign step picks from: the team named `teamName` (any case) or else the first team;
 * in a workspace without teams, its active agents. Null when there is nobody to assign to: a pool
 * of `{ team: "" }` would only come back from the server as a schema error.
 */
export function defaultPool(roster: Roster, teamName?: string): AssignPool | null {
  const wanted = teamName?.toLowerCase();
  const team = roster.teams.find((t) => t.name.toLowerCase() === wanted) ?? roster.teams[0];
  if (team) return { team: team.id };
  const agents = roster.agents.filter((a) => a.active).slice(0, POOL_AGENTS_MAX).map((a) => a.id);
  return agents.length ? { agents } : null;
}

export function newStep(roster: Roster): AssignStep {
  return { pool: defaultPool(roster) ?? { team: '' }, strategy: 'round_robin' };
}

/** Who a new notify action tells: the default pool's team, else the first of its agents. */
function defaultRecipient(roster: Roster): { team: string } | { agent: string } {
  const pool = defaultPool(roster);
  if (!pool) return { team: '' };
  return 'team' in pool ? pool : { agent: pool.agents[0]! };
}

export function newAction(type: ActionType, roster: Roster): RuleAction {
  switch (type) {
    case 'assign':
      return { type, steps: [newStep(roster)] };
    case 'set_team':
      return { type, team: roster.teams[0]?.id ?? '' };
    case 'add_tag':
    case 'remove_tag':
      return { type, tags: [] };
    case 'set_priority':
      return { type, priority: 'high' };
    case 'add_note':
      return { type, body: '' };
    case 'notify':
      return { type, to: defaultRecipient(roster) };
  }
}

/**
 * A definition that saves as it is (the server refuses an empty action list): assign to the
 * default pool. Null in a workspace with nobody to assign to, where no such rule can be saved.
 */
export function newDefinition(roster: Roster, name = 'New rule'): WorkflowDefinition | null {
  const pool = defaultPool(roster);
  if (!pool) return null;
  return {
    name,
    enabled: true,
    priority: 0,
    stopProcessing: false,
    trigger: { event: 'conversation.created' },
    conditions: { all: [] },
    actions: [{ type: 'assign', steps: [{ pool, strategy: 'round_robin' }] }],
  };
}

/** Removes the last step's timeout, which the validator refuses (nothing to hand over to). */
export function fixLastTimeout(steps: AssignStep[]): AssignStep[] {
  const last = steps[steps.length - 1];
  if (!last || last.timeoutSec === undefined) return steps;
  const { timeoutSec: _drop, ...rest } = last;
  return [...steps.slice(0, -1), rest];
}
