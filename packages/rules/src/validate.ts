/**
 * `validateWorkflow` and `validateWorkflowSet`: everything wrong with a workflow before it is
 * published, each at the exact JSON path the builder jumps to.
 *
 * Errors make a workflow unpublishable: bad shape, unknown field, an operator the field does not
 * take, a value of the wrong shape, an empty group, a group nested too deep, an invalid regex, a
 * message word list past `PHRASE_LIMITS` (a save's limit only: rules saved before it still
 * compile), a timeout on the last step, and (given the workspace's roster) an unknown team or
 * agent. Warnings are things that are legal
 * but almost certainly not meant: conditions that can never match, a rule shadowed by an earlier
 * stopProcessing rule, actions that fight an earlier rule's, a pool nobody in it can serve.
 *
 * The shape check is the protocol's zod schema, except for the condition tree, which `checkTree`
 * walks itself: zod reports a bad node of a recursive union as "invalid input" at the group, and
 * an admin needs "this value, of this condition".
 */
import { resolveField, TEMPLATE_VARIABLES, triggerDef, type AttributeTypes } from '@baton/protocol/rule-fields';
import {
  WorkflowDefinition,
  type AssignAction,
  type ConditionNode,
  type RoutingAgent,
  type RuleAction,
  type RulePath,
  type WorkflowValidationError,
  type WorkflowValidationResult,
  type WorkflowValidationWarning,
} from '@baton/protocol/rules';
import { analyze, disjoint, implies } from './analysis.js';
import { checkTree } from './conditions.js';
import { eligibleAgents, exclusionOf } from './routing.js';
import { placeholders } from './template.js';

/** What the validator may know about the workspace; each part enables its own checks. */
export interface ValidationContext {
  /** Teams of the workspace: pools, set_team, notify and `conversation.team` conditions must name one of them. */
  teams?: readonly { id: string; name?: string }[];
  /** Agents as routing sees them: pools and notify must name them; pools nobody can serve are flagged. */
  agents?: readonly RoutingAgent[];
  /** Types of contact attributes, so `contact.attributes.plan gt 3` on a string attribute is an error. */
  attributeTypes?: AttributeTypes;
  /** When given with `agents`: also warn about pools with nobody eligible at this moment (epoch ms). */
  now?: number;
}

type Shaped = WorkflowDefinition;

const TEMPLATE_NAMES = new Set(TEMPLATE_VARIABLES.map((v) => v.name));

interface Collector {
  errors: WorkflowValidationError[];
  warnings: WorkflowValidationWarning[];
}

/** Validates one workflow. Paths start at the workflow (`['actions', 0, 'steps', 1, 'timeoutSec']`). */
export function validateWorkflow(json: unknown, context: ValidationContext = {}): WorkflowValidationResult {
  const out: Collector = { errors: [], warnings: [] };
  validateInto(json, context, out);
  return out;
}

function validateInto(json: unknown, context: ValidationContext, out: Collector): Shaped | undefined {
  // The shape without the conditions, which checkTree reports more precisely.
  const raw = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const { conditions: rawConditions, ...rest } = raw ?? {};
  const parsed = WorkflowDefinition.safeParse(raw ? rest : json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      out.errors.push({ path: issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k)), code: 'invalid', message: issue.message });
    }
  }
  const options = { attributeTypes: context.attributeTypes };
  let conditionsOk = true;
  if (rawConditions !== undefined) {
    const { problems } = checkTree(rawConditions, ['conditions'], options, true);
    for (const p of problems) out.errors.push({ path: p.path, code: p.code, message: p.message });
    conditionsOk = problems.length === 0;
    if (conditionsOk && context.teams) checkConditionTeams(rawConditions as ConditionNode, ['conditions'], context.teams, options, out);
  }
  if (!parsed.success) return undefined;
  const conditions = rawConditions as ConditionNode | undefined;
  const workflow: WorkflowDefinition = conditions === undefined ? parsed.data : { ...parsed.data, conditions };

  if (conditionsOk && conditions !== undefined) {
    const { truth, findings } = analyze(conditions, ['conditions'], options);
    for (const f of findings) out.warnings.push({ path: f.path, code: 'never_matches', message: f.message });
    const atRoot = findings.some((f) => f.path.length === 1);
    if (truth === 'never' && !atRoot) out.warnings.push({ path: ['conditions'], code: 'rule_never_matches', message: 'the conditions can never all be true, so this rule never runs' });
    const trigger = triggerDef(workflow.trigger.event);
    if (trigger && !trigger.hasMessage) {
      for (const path of fieldPaths(conditions, ['conditions'], 'message.body')) {
        out.warnings.push({ path: [...path, 'field'], code: 'no_message', message: `"${trigger.event}" carries no message, so message.body is always empty here` });
      }
    }
  }
  checkActions(workflow.actions, context, out);
  return workflow;
}

/**
 * A condition on a team field (`conversation.team`) must name teams of the workspace, as pools do:
 * each unknown id is an `unknown_team` at its own path (`value`, or `value[i]` in a list).
 */
function checkConditionTeams(node: ConditionNode, path: RulePath, teams: NonNullable<ValidationContext['teams']>, options: { attributeTypes?: AttributeTypes }, out: Collector): void {
  if ('not' in node) return checkConditionTeams(node.not, [...path, 'not'], teams, options, out);
  if ('all' in node || 'any' in node) {
    const [key, children] = 'all' in node ? (['all', node.all] as const) : (['any', node.any] as const);
    children.forEach((c, i) => checkConditionTeams(c, [...path, key, i], teams, options, out));
    return;
  }
  if (resolveField(node.field, options.attributeTypes)?.valuesFrom !== 'teams') return;
  const known = (id: unknown) => teams.some((t) => t.id === id);
  const report = (id: unknown, at: RulePath) => out.errors.push({ path: at, code: 'unknown_team', message: `no team "${String(id)}" in this workspace` });
  if (Array.isArray(node.value)) node.value.forEach((id, i) => known(id) || report(id, [...path, 'value', i]));
  else if (node.value !== undefined && !known(node.value)) report(node.value, [...path, 'value']);
}

function fieldPaths(node: ConditionNode, path: RulePath, field: string): RulePath[] {
  if ('field' in node) return node.field === field ? [path] : [];
  if ('not' in node) return fieldPaths(node.not, [...path, 'not'], field);
  const [key, children] = 'all' in node ? (['all', node.all] as const) : (['any', node.any] as const);
  return children.flatMap((c, i) => fieldPaths(c, [...path, key, i], field));
}

function checkActions(actions: readonly RuleAction[], context: ValidationContext, out: Collector): void {
  const teamIds = context.teams && new Set(context.teams.map((t) => t.id));
  const agentIds = context.agents && new Set(context.agents.map((a) => a.id));
  const checkTeam = (id: string, path: RulePath) => {
    if (teamIds && !teamIds.has(id)) out.errors.push({ path, code: 'unknown_team', message: `no team "${id}" in this workspace` });
  };
  const checkAgent = (id: string, path: RulePath) => {
    if (agentIds && !agentIds.has(id)) out.errors.push({ path, code: 'unknown_agent', message: `no agent "${id}" in this workspace` });
  };
  const seen = new Map<string, number>();
  actions.forEach((action, i) => {
    const path: RulePath = ['actions', i];
    const first = seen.get(action.type);
    // Several tags or notes are fine; a second assign, team or priority overrides the first in the same run.
    if (first !== undefined && (action.type === 'assign' || action.type === 'set_team' || action.type === 'set_priority')) {
      out.warnings.push({ path, code: 'duplicate_action', message: `a second "${action.type}" in the same rule: the first (actions[${first}]) is overridden` });
    }
    if (first === undefined) seen.set(action.type, i);
    switch (action.type) {
      case 'assign': checkAssign(action, path, context, out, checkTeam, checkAgent); break;
      case 'set_team': {
        checkTeam(action.team, [...path, 'team']);
        const other = teamMovedByAssign(actions, i, action.team, context);
        if (other) out.warnings.push({ path, code: 'conflicting_action', message: other });
        break;
      }
      case 'notify':
        if ('agent' in action.to) checkAgent(action.to.agent, [...path, 'to', 'agent']);
        else checkTeam(action.to.team, [...path, 'to', 'team']);
        break;
      case 'add_note':
        for (const name of placeholders(action.body)) {
          if (!TEMPLATE_NAMES.has(name)) {
            out.warnings.push({ path: [...path, 'body'], code: 'unknown_placeholder', message: `{{${name}}} is not a known placeholder and will show as written (known: ${[...TEMPLATE_NAMES].join(', ')})` });
          }
        }
        break;
      case 'remove_tag': {
        const added = new Set(actions.flatMap((a) => (a.type === 'add_tag' ? a.tags.map((t) => t.toLowerCase()) : [])));
        const both = action.tags.filter((t) => added.has(t.toLowerCase()));
        if (both.length > 0) out.warnings.push({ path, code: 'conflicting_action', message: `adds and removes ${both.join(', ')} in the same rule` });
        break;
      }
    }
  });
}

/**
 * An assignment from a team's pool puts the conversation in that team (the runner does, as a manual
 * assign with a `teamId` does), so a `set_team` to another team in the same rule is undone by an
 * assign after it, or undoes the one before it.
 */
function teamMovedByAssign(actions: readonly RuleAction[], setAt: number, team: string, context: ValidationContext): string | null {
  const nameOf = (id: string) => context.teams?.find((t) => t.id === id)?.name ?? id;
  for (const [j, action] of actions.entries()) {
    if (action.type !== 'assign') continue;
    const pools = [...new Set(action.steps.flatMap((s) => ('team' in s.pool && s.pool.team !== team ? [s.pool.team] : [])))];
    if (pools.length === 0) continue;
    const from = pools.map(nameOf).join(' or ');
    return j > setAt
      ? `actions[${j}] assigns from ${from}'s pool, which puts the conversation in that team: this team (${nameOf(team)}) does not stay`
      : `this moves the conversation to ${nameOf(team)} after actions[${j}] assigned it from ${from}'s pool (which had put it in that team)`;
  }
  return null;
}

function checkAssign(
  action: AssignAction,
  path: RulePath,
  context: ValidationContext,
  out: Collector,
  checkTeam: (id: string, path: RulePath) => void,
  checkAgent: (id: string, path: RulePath) => void,
): void {
  let deadline = 0; // seconds after waitingSince when the current step closes
  action.steps.forEach((step, k) => {
    const stepPath: RulePath = [...path, 'steps', k];
    const last = k === action.steps.length - 1;
    if (last && step.timeoutSec !== undefined) {
      out.errors.push({
        path: [...stepPath, 'timeoutSec'],
        code: 'timeout_on_last_step',
        message: 'the last step has nothing to hand over to; remove timeoutSec (the conversation waits in the queue) or add a step after it',
      });
    }
    if (k > 0) {
      const before = action.steps[k - 1]!;
      if (before.timeoutSec === undefined && !before.skipIfNoneAvailable) {
        out.warnings.push({ path: stepPath, code: 'unreachable_step', message: `step ${k} waits until someone is available (it hands over after no time and does not skip when nobody is available), so this step is never reached` });
      }
    }
    deadline += step.timeoutSec ?? Infinity;
    if (step.prefer?.dropAfterSec !== undefined && !last && step.prefer.dropAfterSec >= deadline) {
      out.warnings.push({
        path: [...stepPath, 'prefer', 'dropAfterSec'],
        code: 'preference_outlasts_step',
        message: `the step hands over after ${deadline}s of waiting, before the preference drops at ${step.prefer.dropAfterSec}s`,
      });
    }
    if ('team' in step.pool) checkTeam(step.pool.team, [...stepPath, 'pool', 'team']);
    else step.pool.agents.forEach((id, j) => checkAgent(id, [...stepPath, 'pool', 'agents', j]));
    if (context.agents) checkPool(step, stepPath, context, out);
  });
}

function checkPool(step: AssignAction['steps'][number], stepPath: RulePath, context: ValidationContext, out: Collector): void {
  const agents = context.agents!;
  const members = 'team' in step.pool ? agents.filter((a) => a.teamIds.includes((step.pool as { team: string }).team)) : agents.filter((a) => (step.pool as { agents: string[] }).agents.includes(a.id));
  // Could anyone ever serve this step? Availability and load change during the day; deactivation
  // and skills do not, so those alone decide "never".
  const reasons: string[] = [];
  const possible = members.filter((a) => {
    const reason = exclusionOf({ ...a, availability: 'online', openAssigned: 0, capacity: Math.max(a.capacity, 1) }, step);
    if (reason) reasons.push(reason.message);
    return !reason;
  });
  if (possible.length === 0) {
    const why = members.length === 0 ? 'the pool has no members' : reasons.join('; ');
    out.warnings.push({ path: [...stepPath, 'pool'], code: 'pool_empty', message: `no agent can ever be assigned by this step: ${why}` });
    return;
  }
  if (context.now !== undefined) {
    const now = context.now;
    const { eligible, excluded } = eligibleAgents({ ...step, prefer: undefined }, agents, { now, waitingSince: now });
    if (eligible.length === 0) {
      out.warnings.push({ path: [...stepPath, 'pool'], code: 'pool_none_available', message: `nobody in this pool is eligible right now: ${excluded.map((e) => e.message).join('; ')}` });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sets of workflows

const triggerKey = (w: Shaped) => ('minutes' in w.trigger ? `${w.trigger.event}/${w.trigger.minutes}` : w.trigger.event);
// By name: an admin reads these beside the rule list, where the order shows, not the priority number.
const label = (w: Shaped) => `"${w.name}"`;

/**
 * Validates the workflows of a workspace together: each one as `validateWorkflow` does (paths
 * start with its index in `workflows`), plus, per trigger in run order (priority, highest first;
 * ties keep the given order), rules shadowed by an earlier stopProcessing rule and actions that
 * conflict with an earlier rule's.
 */
export function validateWorkflowSet(workflows: readonly unknown[], context: ValidationContext = {}): WorkflowValidationResult {
  const out: Collector = { errors: [], warnings: [] };
  const valid: { index: number; workflow: Shaped; conditions: ConditionNode | undefined }[] = [];
  workflows.forEach((json, index) => {
    const one: Collector = { errors: [], warnings: [] };
    const workflow = validateInto(json, context, one);
    out.errors.push(...one.errors.map((e) => ({ ...e, path: [index, ...e.path] })));
    out.warnings.push(...one.warnings.map((w) => ({ ...w, path: [index, ...w.path] })));
    if (workflow && one.errors.length === 0) valid.push({ index, workflow, conditions: workflow.conditions });
  });
  const options = { attributeTypes: context.attributeTypes };
  const teamName = (id: string) => context.teams?.find((t) => t.id === id)?.name ?? id;
  const enabled = valid.filter((v) => v.workflow.enabled !== false);
  const ordered = [...enabled].sort((a, b) => (b.workflow.priority ?? 0) - (a.workflow.priority ?? 0));
  ordered.forEach((later, position) => {
    const earlier = ordered.slice(0, position).filter((e) => triggerKey(e.workflow) === triggerKey(later.workflow));
    const shadow = earlier.find((e) => e.workflow.stopProcessing === true && implies(later.conditions, e.conditions, options));
    if (shadow) {
      out.warnings.push({
        path: [later.index],
        code: 'shadowed',
        message: `never runs: ${label(shadow.workflow)} runs first on every conversation this rule matches and stops processing`,
      });
      return;
    }
    for (const e of earlier) {
      if (e.workflow.stopProcessing === true) continue; // when it matched, this rule does not run
      if (disjoint(e.conditions, later.conditions, options)) continue;
      later.workflow.actions.forEach((action, j) => {
        const message = conflict(e.workflow, action, teamName);
        if (message) out.warnings.push({ path: [later.index, 'actions', j], code: 'conflicting_action', message });
      });
    }
  });
  return out;
}

function conflict(earlier: Shaped, action: RuleAction, teamName: (id: string) => string): string | null {
  const before = earlier.actions;
  switch (action.type) {
    case 'assign': {
      if (!before.some((a) => a.type === 'assign')) return null;
      return (action.onlyIfUnassigned ?? true)
        ? `${label(earlier)} also assigns and runs first; this assign acts only when it left the conversation unassigned`
        : `${label(earlier)} also assigns and runs first; this assign (onlyIfUnassigned: false) overrides it`;
    }
    case 'set_priority': {
      const other = before.find((a) => a.type === 'set_priority' && a.priority !== action.priority);
      return other && other.type === 'set_priority' ? `${label(earlier)} sets priority ${other.priority}; this rule then sets ${action.priority}` : null;
    }
    case 'set_team': {
      const other = before.find((a) => a.type === 'set_team' && a.team !== action.team);
      return other && other.type === 'set_team' ? `${label(earlier)} sets team ${teamName(other.team)}; this rule then sets ${teamName(action.team)}` : null;
    }
    case 'add_tag':
    case 'remove_tag': {
      const opposite = action.type === 'add_tag' ? 'remove_tag' : 'add_tag';
      const theirs = new Set(before.flatMap((a) => (a.type === opposite ? a.tags.map((t) => t.toLowerCase()) : [])));
      const both = action.tags.filter((t) => theirs.has(t.toLowerCase()));
      if (both.length === 0) return null;
      return `${label(earlier)} ${opposite === 'add_tag' ? 'adds' : 'removes'} ${both.join(', ')}; this rule then ${action.type === 'add_tag' ? 'adds it back' : 'removes it'}`;
    }
    default:
      return null;
  }
}
