import { z } from 'zod';
import { Availability, Id, Priority, Tag } from './domain.js';
import { groupTooDeepAt, MAX_GROUP_DEPTH } from './nesting.js';
import {
  ATTRIBUTE_FIELD_PATTERN,
  OPERATOR_NAMES,
  PHRASE_LIMITS,
  PRIORITY_VALUES,
  resolveField,
  RULE_FIELD_NAMES,
  TRIGGER_EVENTS,
  WEEKDAYS,
} from './rule-fields.js';

export * from './rule-fields.js';

/*
 * Routing rules (DESIGN §6) as zod schemas: the workflow JSON an admin builds, the facts a rule is
 * evaluated against, and what `@baton/rules` reports back (condition traces, validation results,
 * assignment decisions), so the server's OpenAPI document and the builder share one contract.
 *
 * These schemas check *shape* only. Whether an operator suits a field, a value suits an operator,
 * a team exists or a regex compiles is `validateWorkflow` in `@baton/rules`, which reports every
 * problem at its exact JSON path; a server accepting a workflow runs both.
 */

// The registry repeats the priority list without zod; this fails to compile if the two differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _prioritiesMatch: Same<(typeof PRIORITY_VALUES)[number], z.infer<typeof Priority>> = true;
void _prioritiesMatch;

// ---------------------------------------------------------------------------------------------
// Conditions

export const RuleFieldName = z
  .union([z.enum(RULE_FIELD_NAMES as [string, ...string[]]), z.string().regex(ATTRIBUTE_FIELD_PATTERN)])
  .meta({ description: 'A field of the registry, or `contact.attributes.<key>`' });
export const RuleOperator = z.enum(OPERATOR_NAMES);

const ValueString = z.string().max(1000);
const ConditionScalar = z.union([ValueString, z.number(), z.boolean()]);
export const ConditionValue = z.union([ConditionScalar, z.array(z.union([ValueString, z.number()])).max(200)]);

export const RuleCondition = z
  .strictObject({
    field: RuleFieldName,
    op: RuleOperator,
    /** Shape depends on the operator (one value, a list, `[low, high]`, a pattern, or none). */
    value: ConditionValue.optional(),
  })
  .superRefine((c, ctx) => {
    // A word list meets every inbound message: PHRASE_LIMITS. Words per phrase need the rules'
    // word splitting, so validateWorkflow checks those (and these, at the same paths).
    if (!Array.isArray(c.value) || resolveField(c.field)?.type !== 'text') return;
    if (c.value.length > PHRASE_LIMITS.phrases) {
      ctx.addIssue({ code: 'too_big', origin: 'array', maximum: PHRASE_LIMITS.phrases, inclusive: true, path: ['value'], message: `at most ${PHRASE_LIMITS.phrases} words or phrases` });
    }
    c.value.forEach((v, i) => {
      if (typeof v === 'string' && v.length > PHRASE_LIMITS.characters) {
        ctx.addIssue({ code: 'too_big', origin: 'string', maximum: PHRASE_LIMITS.characters, inclusive: true, path: ['value', i], message: `a word or phrase is at most ${PHRASE_LIMITS.characters} characters` });
      }
    });
  })
  .meta({ id: 'RuleCondition' });
export type RuleCondition = z.infer<typeof RuleCondition>;

/** A condition tree: a condition, or a group: `all` (and), `any` (or), `not`. */
export type ConditionNode = RuleCondition | { all: ConditionNode[] } | { any: ConditionNode[] } | { not: ConditionNode };

// Groups are bounded here so a hostile body cannot make a huge tree. Depth cannot be: zod recurses
// once per group before any check of its own runs, so parse with `parseWorkflowDefinition`, which
// measures the depth first, whenever the tree may be nested thousands deep.
export const ConditionNode: z.ZodType<ConditionNode> = z.lazy(() =>
  z.union([
    RuleCondition,
    z.strictObject({ all: z.array(ConditionNode).max(50) }),
    z.strictObject({ any: z.array(ConditionNode).max(50) }),
    z.strictObject({ not: ConditionNode }),
  ]),
).meta({ id: 'ConditionNode' });

// ---------------------------------------------------------------------------------------------
// Trigger

const Minutes = z.number().int().min(1).max(7 * 24 * 60);
export const RuleTrigger = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('conversation.created') }),
  z.strictObject({ event: z.literal('message.received') }),
  z.strictObject({ event: z.literal('conversation.reopened') }),
  z.strictObject({ event: z.literal('conversation.unassigned_for'), minutes: Minutes }),
  z.strictObject({ event: z.literal('conversation.unanswered_for'), minutes: Minutes }),
]);
export type RuleTrigger = z.infer<typeof RuleTrigger>;
const _triggersMatch: Same<RuleTrigger['event'], (typeof TRIGGER_EVENTS)[number]> = true;
void _triggersMatch;

// ---------------------------------------------------------------------------------------------
// Actions

/** A skill's one spelling is lower case, as agents' skills are stored (agents.ts), so "ES" matches "es". */
const Skill = z.string().trim().min(1).max(64).toLowerCase();
const Skills = z.array(Skill).min(1).max(20);
/** As a conversation's tag: the rule's spelling is stored in lower case (`normalizeTag`). */
const RuleTag = Tag;

/** Who a step may assign to: the members of a team, or listed agents (one agent: "assign to Tom"). */
export const AssignPool = z.union([
  z.strictObject({ team: Id }),
  z.strictObject({ agents: z.array(Id).min(1).max(100) }),
]);
export type AssignPool = z.infer<typeof AssignPool>;

export const AssignStrategy = z.enum(['round_robin', 'least_loaded']);
export type AssignStrategy = z.infer<typeof AssignStrategy>;

export const AssignStep = z.strictObject({
  pool: AssignPool,
  /** Only agents with every one of these skills are eligible. */
  require: z.strictObject({ skills: Skills }).optional(),
  /**
   * Agents with every one of these skills go first. With `dropAfterSec`, only they are picked until
   * the conversation has waited that long; without it, others are picked at once when none of them is
   * available.
   */
  prefer: z.strictObject({ skills: Skills, dropAfterSec: z.number().int().min(0).max(7 * 86400).optional() }).optional(),
  strategy: AssignStrategy,
  /** Seconds this step holds the conversation before the next step is tried; not allowed on the last step. */
  timeoutSec: z.number().int().min(1).max(7 * 86400).optional(),
  /** Go straight to the next step when no agent of this step is eligible now (default false: wait here). */
  skipIfNoneAvailable: z.boolean().optional(),
});
export type AssignStep = z.infer<typeof AssignStep>;

export const AssignAction = z.strictObject({
  type: z.literal('assign'),
  /** Leave conversations that already have an assignee alone (default true). */
  onlyIfUnassigned: z.boolean().optional(),
  steps: z.array(AssignStep).min(1).max(10),
  /** What happens when every step was skipped: wait in the queue (the default and, for now, the only choice). */
  onExhausted: z.discriminatedUnion('type', [z.strictObject({ type: z.literal('queue') })]).optional(),
});
export type AssignAction = z.infer<typeof AssignAction>;

export const RuleAction = z.discriminatedUnion('type', [
  AssignAction,
  z.strictObject({ type: z.literal('set_team'), team: Id }),
  z.strictObject({ type: z.literal('add_tag'), tags: z.array(RuleTag).min(1).max(20) }),
  z.strictObject({ type: z.literal('remove_tag'), tags: z.array(RuleTag).min(1).max(20) }),
  z.strictObject({ type: z.literal('set_priority'), priority: Priority }),
  /** An internal note; `{{rule.name}}`-style placeholders (TEMPLATE_VARIABLES) are filled in. */
  z.strictObject({ type: z.literal('add_note'), body: z.string().trim().min(1).max(5000) }),
  z.strictObject({ type: z.literal('notify'), to: z.union([z.strictObject({ agent: Id }), z.strictObject({ team: Id })]) }),
]);
export type RuleAction = z.infer<typeof RuleAction>;
export type RuleActionType = RuleAction['type'];

// ---------------------------------------------------------------------------------------------
// Workflow

/**
 * One routing rule. Rules of the same trigger run in `priority` order, highest first (ties: the
 * order they were created); `stopProcessing` ends the pass when this rule matched.
 */
export const WorkflowDefinition = z
  .strictObject({
    name: z.string().trim().min(1).max(120),
    /** Default true. */
    enabled: z.boolean().optional(),
    /** Higher runs first; default 0. */
    priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    /** Default false. */
    stopProcessing: z.boolean().optional(),
    trigger: RuleTrigger,
    /** Absent (or an empty `all`) matches every conversation. */
    conditions: ConditionNode.optional(),
    actions: z.array(RuleAction).min(1).max(20),
  })
  .meta({ id: 'WorkflowDefinition' });
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;

/**
 * `WorkflowDefinition.safeParse`, safe on conditions of any depth: a tree whose groups nest deeper
 * than `MAX_GROUP_DEPTH` fails with one issue at the first such group, found without recursion,
 * and never reaches zod's recursive `ConditionNode` (which would overflow the stack some thousands
 * of levels down). The validator reports the same group as `too_deep`.
 */
export function parseWorkflowDefinition(json: unknown): z.ZodSafeParseResult<WorkflowDefinition> {
  const conditions = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as { conditions?: unknown }).conditions : undefined;
  const tooDeep = conditions === undefined ? null : groupTooDeepAt(conditions);
  if (tooDeep === null) return WorkflowDefinition.safeParse(json);
  const issue = { code: 'custom' as const, path: ['conditions', ...tooDeep], message: `groups nest at most ${MAX_GROUP_DEPTH} deep`, input: undefined };
  return { success: false, error: new z.ZodError([issue]) as z.ZodError<WorkflowDefinition> };
}

// ---------------------------------------------------------------------------------------------
// Facts: what conditions read. The server builds them from the conversation, its contact, the
// message that fired the trigger and the clock in the workspace's time zone.

const AttributeValue = z.union([z.string(), z.number(), z.boolean()]);
export const RuleFacts = z.object({
  conversation: z.object({
    channel: z.string(),
    source: z.string().nullable(),
    subject: z.string().nullable(),
    tags: z.array(z.string()),
    priority: Priority,
    language: z.string().nullable(),
    /** The team's id; null when the conversation is in no team (and when a sample written before the field leaves it out). */
    team: z.string().nullable().default(null),
  }),
  contact: z.object({
    name: z.string(),
    email: z.string().nullable(),
    language: z.string().nullable(),
    tags: z.array(z.string()),
    attributes: z.record(z.string(), AttributeValue),
  }),
  /** Null for triggers without a message (`*_for`). */
  message: z.object({ body: z.string() }).nullable(),
  time: z.object({ weekday: z.enum(WEEKDAYS), hour: z.number().int().min(0).max(23) }),
});
export type RuleFacts = z.infer<typeof RuleFacts>;

// ---------------------------------------------------------------------------------------------
// What @baton/rules reports

/** A JSON path into the workflow (or, for a set, starting with the workflow's index). */
export const RulePath = z.array(z.union([z.string(), z.number()]));
export type RulePath = z.infer<typeof RulePath>;

export const ConditionTraceLeaf = z.object({
  kind: z.literal('condition'),
  path: RulePath,
  field: z.string(),
  /** The condition's `op`. */
  operator: z.string(),
  expected: z.unknown(),
  /** The fact's value as the condition saw it, so a near miss shows why. */
  actual: z.unknown(),
  result: z.boolean(),
  /** For list operators: the values that were found (e.g. the words of the message that matched). */
  matched: z.array(z.union([z.string(), z.number()])).optional(),
  /** The condition as a sentence ("contact language is Spanish"). */
  text: z.string(),
});
export type ConditionTrace =
  | z.infer<typeof ConditionTraceLeaf>
  | { kind: 'all' | 'any'; path: RulePath; result: boolean; children: ConditionTrace[] }
  | { kind: 'not'; path: RulePath; result: boolean; child: ConditionTrace };
export const ConditionTrace: z.ZodType<ConditionTrace> = z.lazy(() =>
  z.union([
    ConditionTraceLeaf,
    z.object({ kind: z.enum(['all', 'any']), path: RulePath, result: z.boolean(), children: z.array(ConditionTrace) }),
    z.object({ kind: z.literal('not'), path: RulePath, result: z.boolean(), child: ConditionTrace }),
  ]),
).meta({ id: 'ConditionTrace' });

export const VALIDATION_ERROR_CODES = [
  'invalid', // shape: wrong type, missing or unknown key (zod's message)
  'unknown_field',
  'operator_not_allowed',
  'invalid_value',
  'empty_group',
  'too_deep',
  'invalid_regex',
  'unknown_team',
  'unknown_agent',
  'timeout_on_last_step',
] as const;
export const VALIDATION_WARNING_CODES = [
  'never_matches', // this condition or group can never be true
  'rule_never_matches', // … and so the whole rule never runs
  'shadowed', // an earlier rule with stopProcessing always matches first
  'conflicting_action', // an earlier rule on the same trigger may do the opposite
  'pool_empty', // no active agent of the pool has the required skills
  'pool_none_available', // nobody of the pool is eligible right now
  'unreachable_step', // an earlier step waits forever
  'preference_outlasts_step', // dropAfterSec is never reached while the step holds the conversation
  'no_message', // message.body on a trigger without a message
  'unknown_placeholder', // {{…}} not in TEMPLATE_VARIABLES
  'duplicate_action', // e.g. two assign actions in one rule
] as const;

export const WorkflowValidationError = z.object({ path: RulePath, code: z.enum(VALIDATION_ERROR_CODES), message: z.string() });
export const WorkflowValidationWarning = z.object({ path: RulePath, code: z.enum(VALIDATION_WARNING_CODES), message: z.string() });
export const WorkflowValidationResult = z.object({ errors: z.array(WorkflowValidationError), warnings: z.array(WorkflowValidationWarning) });
export type WorkflowValidationError = z.infer<typeof WorkflowValidationError>;
export type WorkflowValidationWarning = z.infer<typeof WorkflowValidationWarning>;
export type WorkflowValidationResult = z.infer<typeof WorkflowValidationResult>;

/** An agent as routing sees it at one moment. */
export const RoutingAgent = z.object({
  id: Id,
  /** For explanations ("maria away"); the id when absent. */
  name: z.string().optional(),
  active: z.boolean(),
  availability: Availability,
  openAssigned: z.number().int().min(0),
  capacity: z.number().int().min(0),
  skills: z.array(z.string()),
  /**
   * When routing last assigned them a conversation (persisted, so round-robin survives restarts):
   * epoch milliseconds or an ISO-8601 timestamp; null if never.
   */
  lastAssignedAt: z.union([z.number(), z.iso.datetime({ offset: true })]).nullable(),
  teamIds: z.array(Id),
});
export type RoutingAgent = z.infer<typeof RoutingAgent>;

export const EXCLUSION_CODES = ['unknown_agent', 'current_assignee', 'deactivated', 'unavailable', 'at_capacity', 'missing_skill', 'not_preferred'] as const;
export const Exclusion = z.object({ agentId: z.string(), code: z.enum(EXCLUSION_CODES), message: z.string() });
export type Exclusion = z.infer<typeof Exclusion>;

export const PreferenceState = z.object({
  skills: z.array(z.string()),
  /**
   * - `applied`: some preferred agents are eligible and only they are candidates;
   * - `holding`: none is, and the step waits for one until `dropsAt`;
   * - `fallback`: none is and there is no `dropAfterSec`, so everyone eligible is a candidate;
   * - `dropped`: the conversation waited `dropAfterSec`, so the preference no longer counts.
   */
  status: z.enum(['applied', 'holding', 'fallback', 'dropped']),
  dropsAt: z.number().nullable(),
});
export type PreferenceState = z.infer<typeof PreferenceState>;

export const StepTrace = z.object({
  index: z.number().int(),
  /**
   * - `expired`: its timeout passed; `skipped`: nobody eligible and `skipIfNoneAvailable`;
   * - `assigned`: it picked the agent; `waiting`: it holds the conversation;
   * - `not_reached`: an earlier step assigned or holds the conversation.
   */
  status: z.enum(['expired', 'skipped', 'assigned', 'waiting', 'not_reached']),
  /** When the step stops holding the conversation (epoch ms), null if it never times out. */
  closesAt: z.number().nullable(),
  candidates: z.array(z.string()),
  excluded: z.array(Exclusion),
  preference: PreferenceState.nullable(),
  note: z.string(),
});
export type StepTrace = z.infer<typeof StepTrace>;

export const AssignDecision = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('assign'), agentId: z.string(), stepIndex: z.number().int(), strategy: AssignStrategy, summary: z.string(), steps: z.array(StepTrace) }),
  /** Nobody yet: plan again at `until` (epoch ms) or when an agent's availability or load changes; `until` null = only then. */
  z.object({ kind: z.literal('wait'), stepIndex: z.number().int(), until: z.number().nullable(), summary: z.string(), steps: z.array(StepTrace) }),
  /** Every step was skipped: the conversation waits in the queue (of `teamId`, the last team pool, if any). */
  z.object({ kind: z.literal('queue'), teamId: z.string().nullable(), summary: z.string(), steps: z.array(StepTrace) }),
  /** `onlyIfUnassigned` and the conversation has an assignee. */
  z.object({ kind: z.literal('skip'), reason: z.literal('already_assigned'), summary: z.string(), steps: z.array(StepTrace) }),
]);
export type AssignDecision = z.infer<typeof AssignDecision>;
