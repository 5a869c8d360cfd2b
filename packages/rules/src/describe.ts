/**
 * Conditions as sentences, for the builder's preview and the run log:
 * "channel is SMS or WhatsApp and (contact language is Spanish or contact tags include spanish)".
 * Built from the registry's labels only; it never fails, even on a tree the validator rejects
 * (unknown fields read as written), because a broken rule still needs to be shown.
 */
import { groupTooDeepAt } from '@baton/protocol/nesting';
import { resolveField, operatorLabel, type FieldDef, type OperatorName } from '@baton/protocol/rule-fields';
import type { ConditionNode, RuleCondition } from '@baton/protocol/rules';

/**
 * The functions that take a tree nobody may have validated (its sentence here, the static
 * analysis) recurse once per group, and a tree pasted into the builder may nest thousands deep.
 * Past this many groups they answer without walking it (`groupTooDeepAt` measures without
 * recursion): far past anything that validates (`MAX_GROUP_DEPTH`), far short of the stack.
 */
export const MAX_WALK_DEPTH = 64;

/** What a sentence may name besides the registry's labels: the workspace's teams, for `conversation.team`. */
export interface DescribeOptions {
  teams?: readonly { id: string; name: string }[];
}

function valueText(field: FieldDef | undefined, value: unknown, options: DescribeOptions): string {
  if (typeof value === 'string') {
    // An id the workspace does not know reads as written, so a stale rule still shows what it tests.
    if (field?.valuesFrom === 'teams') return options.teams?.find((t) => t.id === value)?.name ?? value;
    const option = field?.values?.find((o) => o.value === value.toLowerCase());
    if (option) return option.label;
    return field && (field.type === 'string' || field.type === 'text' || field.type === 'attribute') ? JSON.stringify(value) : value;
  }
  return String(value);
}

/**
 * No value at all: null, nothing but spaces, an empty list. `is_empty` holds for these, and a
 * sentence says "none".
 */
export function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

/** A seen value longer than this (a message body) is cut short with an ellipsis. */
const MAX_SEEN_LENGTH = 80;
const cut = (text: string) => (text.length > MAX_SEEN_LENGTH ? `${text.slice(0, MAX_SEEN_LENGTH - 1)}…` : text);

/**
 * The value a condition saw, in its sentence's words ("contact language is Spanish — was
 * Portuguese"): "none" when empty, a listed value by its label, a team by name, a list joined with
 * commas, a text quoted, anything long cut short.
 */
export function describeSeen(fieldName: string, actual: unknown, options: DescribeOptions = {}): string {
  if (isEmptyValue(actual)) return 'none';
  const field = resolveField(fieldName);
  if (Array.isArray(actual)) return cut(actual.map((v) => valueText(field, v, options)).join(', '));
  if (actual !== null && typeof actual === 'object') return cut(JSON.stringify(actual));
  return cut(valueText(field, actual, options));
}

function joinList(items: readonly string[], last: 'or' | 'and' | 'nor'): string {
  if (items.length <= 1) return items[0] ?? '(nothing)';
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

/** One condition as a sentence ("contact language is Spanish", "team is Billing" given the teams). */
export function describeCondition(condition: RuleCondition, options: DescribeOptions = {}): string {
  const field = resolveField(condition.field);
  const name = field?.label ?? condition.field;
  const op = condition.op as OperatorName;
  const value = condition.value;
  const list = Array.isArray(value) ? value.map((v) => valueText(field, v, options)) : [];
  const one = valueText(field, value, options);
  const plural = field?.type === 'tags';
  switch (op) {
    case 'eq': return `${name} is ${one}`;
    case 'neq': return `${name} is not ${one}`;
    case 'in': return `${name} is ${joinList(list, 'or')}`;
    case 'not_in': return list.length <= 1 ? `${name} is not ${joinList(list, 'or')}` : `${name} is neither ${joinList(list, 'nor')}`;
    case 'contains_any':
      if (field?.type === 'text') return `${name} contains ${list.length > 1 ? 'any of ' : ''}${joinList(list, 'or')}`;
      return `${name} ${plural ? 'include' : 'includes'} ${joinList(list, 'or')}`;
    case 'contains_all':
      if (field?.type === 'text') return `${name} contains ${joinList(list, 'and')}`;
      return `${name} ${plural ? 'include' : 'includes'} ${joinList(list, 'and')}`;
    case 'contains_none':
      if (field?.type === 'text') return `${name} contains none of ${joinList(list, 'or')}`;
      return `${name} ${plural ? 'include' : 'includes'} none of ${joinList(list, 'or')}`;
    case 'between': return `${name} is between ${list[0] ?? '?'} and ${list[1] ?? '?'}`;
    case 'matches': return `${name} matches /${typeof value === 'string' ? value : '?'}/`;
    case 'is_empty':
    case 'is_set':
      return `${name} ${operatorLabel(op, field?.type ?? 'string')}`;
    default:
      return `${name} ${operatorLabel(op, field?.type ?? 'string')} ${one}`;
  }
}

/** A condition tree as a sentence; nested groups in parentheses. */
export function describeConditions(node: ConditionNode | undefined, options: DescribeOptions = {}): string {
  if (node === undefined) return 'always';
  // Not walked: the sentence would be unreadable anyway, and the walk would overflow the stack.
  if (groupTooDeepAt(node, MAX_WALK_DEPTH) !== null) return `conditions nested more than ${MAX_WALK_DEPTH} groups deep`;
  return describeNode(node, true, options);
}

function describeNode(node: ConditionNode, top: boolean, options: DescribeOptions): string {
  if ('all' in node || 'any' in node) {
    const children = 'all' in node ? node.all : node.any;
    if (children.length === 0) return 'all' in node ? 'always' : 'never';
    if (children.length === 1) return describeNode(children[0]!, top, options);
    const text = children.map((c) => describeNode(c, false, options)).join('all' in node ? ' and ' : ' or ');
    return top ? text : `(${text})`;
  }
  if ('not' in node) {
    const inner = describeNode(node.not, false, options);
    return `not ${inner.startsWith('(') ? inner : `(${inner})`}`;
  }
  return describeCondition(node, options);
}
