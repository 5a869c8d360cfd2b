/**
 * @baton/rules: Baton's routing rules, pure and synchronous (no I/O, no clock, no Node-only APIs),
 * so the server's runner and the builder's preview run the same code. Language detection is the
 * separate `@baton/rules/language` entry: its model is large and the builder does not need it.
 */
export { compileConditions, explainConditions, inflateTrace, recordConditions, MAX_ACTUAL_CHARS, RuleError, type CheckOptions, type ConditionRecord, type LeafOutcome, type Predicate, type Problem } from './conditions.js';
export { describeCondition, describeConditions, describeSeen, type DescribeOptions } from './describe.js';
export { matchedConditions, missedConditions, type Missed } from './deciding.js';
export { analyze, disjoint, implies, type Truth, type Finding } from './analysis.js';
export { validateWorkflow, validateWorkflowSet, type ValidationContext } from './validate.js';
export { anyStepHasEligible, canTakeMore, eligibleAgents, pickAgent, planAssign, queueTeamOf, toMillis, type Eligibility, type Instant, type PlanContext, type RoutingAgent, type RoutingTime } from './routing.js';
export { renderTemplate, placeholders, type TemplateVars } from './template.js';
export { timeFacts } from './time.js';
export { fold, phrase, words } from './text.js';
export { compilePattern, type Pattern, type PatternResult } from './regex.js';
