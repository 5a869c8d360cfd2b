/**
 * `@baton/rules/deciding`: which conditions of a recorded trace decided it, for the sentences that
 * explain a run ("Why it did not match", the builder's replay). Nothing else of the rules comes
 * with it, so the inbox's lazy "Why it was routed this way" chunk stays small.
 */
import type { ConditionTrace } from '@baton/protocol/rules';

export type TraceLeaf = Extract<ConditionTrace, { kind: 'condition' }>;

/**
 * What kept a rule from matching, each condition with what it saw: in an `all`, the conditions
 * that failed; in an `any`, every one (none held); under a `not`, the ones that held, and for a
 * `not` of an `all` the group as one entry (they must not all hold together, each alone may).
 * Empty when it matched.
 */
export type Missed = { leaf: TraceLeaf; negated: boolean } | { together: TraceLeaf[] };

export function missedConditions(trace: ConditionTrace, negated = false): Missed[] {
  if (trace.result !== negated) return [];
  switch (trace.kind) {
    case 'condition':
      return [{ leaf: trace, negated }];
    case 'not':
      return missedConditions(trace.child, !negated);
    case 'all':
    case 'any': {
      // The children that went the same way as their group decided it; the others are left out.
      const missed = trace.children.flatMap((child) => missedConditions(child, negated));
      if (!negated || trace.kind !== 'all' || missed.length < 2) return missed;
      const leaves = missed.flatMap((m) => ('leaf' in m ? [m.leaf] : m.together));
      return [{ together: leaves }];
    }
  }
}

/**
 * What made a rule match, each condition with what it saw: the conditions that decided each group
 * the way it went (every one of an `all`, the ones of an `any` that held), and under a `not` the
 * ones that did not hold (`negated`).
 */
export function matchedConditions(trace: ConditionTrace, negated = false): { leaf: TraceLeaf; negated: boolean }[] {
  if (trace.result === negated) return [];
  switch (trace.kind) {
    case 'condition':
      return [{ leaf: trace, negated }];
    case 'not':
      return matchedConditions(trace.child, !negated);
    default:
      return trace.children.flatMap((child) => matchedConditions(child, negated));
  }
}
