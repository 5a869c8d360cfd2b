/**
 * Condition traces (what `explainConditions` recorded, from a run or a dry run) as the editor
 * shows them: per condition its sentence, whether it held, and the value it saw, so a near miss
 * reads "contact language is Spanish — was Portuguese".
 */
import type { ConditionTrace } from '@baton/protocol';
import { describeSeen, type DescribeOptions } from '@baton/rules';
import type { TraceLeaf } from '@baton/rules/deciding';
import { pathKey } from './definition.js';

export type { TraceLeaf };

export function leaves(trace: ConditionTrace | null | undefined): TraceLeaf[] {
  if (!trace) return [];
  if (trace.kind === 'condition') return [trace];
  if (trace.kind === 'not') return leaves(trace.child);
  return trace.children.flatMap(leaves);
}

/**
 * The leaves by the key of their condition's path, as the editor's row keys have it. Trace paths
 * start inside the tree (`["all", 0]`); the editor's start at the definition (`conditions.all.0`).
 */
export function leavesByKey(trace: ConditionTrace | null | undefined): Map<string, TraceLeaf> {
  return new Map(leaves(trace).map((l) => [pathKey(l.path[0] === 'conditions' ? l.path : ['conditions', ...l.path]), l]));
}

/** `names` lets the seen value name the workspace's teams. */
export function leafText(l: TraceLeaf, names: DescribeOptions = {}): string {
  return `${l.result ? '✓' : '✗'} ${l.text} — was ${describeSeen(l.field, l.actual, names)}`;
}
