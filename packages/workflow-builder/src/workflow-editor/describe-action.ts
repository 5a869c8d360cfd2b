/**
 * Actions as sentences ("Assign round-robin in Bilingual (skill es), then least loaded in
 * Support"), for row labels and the conflict screen's "Review changes", which compares two
 * versions sentence by sentence: one line per condition and per action, so the difference is
 * shown at the level of single conditions.
 */
import type { AssignStep, ConditionNode, RuleAction, WorkflowDefinition } from '@baton/protocol';
import { PRIORITY_OPTIONS, triggerDef } from '@baton/protocol/rule-fields';
import { describeConditions } from '@baton/rules';
import { canonicalJson, childrenOf, groupKind, isGroup } from '../model/definition.js';
import type { Workspace } from '../workspace-context.js';

/** A step's strategy in words, or null for a pool of one agent: there is nobody to choose among. */
export function strategyWords(step: AssignStep): string | null {
  if ('agents' in step.pool && step.pool.agents.length === 1) return null;
  return step.strategy === 'round_robin' ? 'round-robin' : 'least loaded';
}

export function describeAction(action: RuleAction, ws: Workspace): string {
  const team = (id: string) => ws.teams.find((t) => t.id === id)?.name ?? 'an unknown team';
  const agent = (id: string) => ws.agents.find((a) => a.id === id)?.name ?? 'an unknown agent';
  switch (action.type) {
    case 'assign':
      return `Assign ${action.steps
        .map((s) => {
          const pool = 'team' in s.pool ? `in ${team(s.pool.team)}` : `to ${s.pool.agents.map(agent).join(', ')}`;
          const skills = s.require?.skills.length ? ` (skill ${s.require.skills.join(', ')})` : '';
          const strategy = strategyWords(s);
          return `${strategy ? `${strategy} ` : ''}${pool}${skills}`;
        })
        .join(', then ')}, else queue`;
    case 'set_team':
      return `Set team ${team(action.team)}`;
    case 'add_tag':
      return `Add tags ${action.tags.join(', ') || '(none yet)'}`;
    case 'remove_tag':
      return `Remove tags ${action.tags.join(', ') || '(none yet)'}`;
    case 'set_priority':
      return `Set priority ${PRIORITY_OPTIONS.find((p) => p.value === action.priority)?.label ?? action.priority}`;
    case 'add_note':
      return `Add note “${action.body}”`;
    case 'notify':
      return `Notify ${'agent' in action.to ? agent(action.to.agent) : team(action.to.team)}`;
  }
}

/** Every condition as a line with its place ("any of › contact language is Spanish"). */
function conditionLines(node: ConditionNode | undefined, prefix: string, out: string[], ws: Workspace) {
  if (!node) return;
  if (!isGroup(node)) {
    out.push(`${prefix}${describeConditions(node, ws)}`);
    return;
  }
  const kind = groupKind(node)!;
  const label = kind === 'all' ? 'all of' : kind === 'any' ? 'any of' : 'not';
  for (const child of childrenOf(node)) conditionLines(child, `${prefix}${label} › `, out, ws);
}

function lines(def: WorkflowDefinition, ws: Workspace): string[] {
  const out: string[] = [];
  out.push(`Name: ${def.name}`);
  const trigger = triggerDef(def.trigger.event);
  out.push(`When ${trigger?.label ?? def.trigger.event}${'minutes' in def.trigger ? ` for ${def.trigger.minutes} minutes` : ''}`);
  out.push(def.enabled === false ? 'Disabled' : 'Enabled');
  // The list's order is the priority: a move shows as this line changing.
  out.push(`Place in the order: priority ${def.priority ?? 0}`);
  if (def.stopProcessing) out.push('Stops later rules');
  conditionLines(def.conditions, 'If ', out, ws);
  def.actions.forEach((a, i) => out.push(`Then ${i + 1}: ${describeAction(a, ws)}`));
  return out;
}

/** What only one side has, line by line. */
export function diffLines(theirs: WorkflowDefinition, mine: WorkflowDefinition, ws: Workspace): { theirs: string[]; mine: string[] } {
  const a = lines(theirs, ws);
  const b = lines(mine, ws);
  return { theirs: a.filter((l) => !b.includes(l)), mine: b.filter((l) => !a.includes(l)) };
}

const json = canonicalJson;

/**
 * What a published version changed from the one before it, in the words of the editor's parts
 * ("moved in the order; actions changed"), so History tells a reorder (which publishes every rule
 * that moved) from an edit without opening each diff. "first version" when there is none before.
 */
export function versionChanges(before: WorkflowDefinition | undefined, after: WorkflowDefinition): string {
  if (!before) return 'first version';
  const changes: string[] = [];
  if (before.name !== after.name) changes.push('renamed');
  if (json(before.trigger) !== json(after.trigger)) changes.push('trigger changed');
  if ((before.enabled ?? true) !== (after.enabled ?? true)) changes.push(after.enabled === false ? 'disabled' : 'enabled');
  if ((before.priority ?? 0) !== (after.priority ?? 0)) changes.push('moved in the order');
  if (!!before.stopProcessing !== !!after.stopProcessing) changes.push(after.stopProcessing ? 'stops later rules' : 'no longer stops later rules');
  if (json(before.conditions) !== json(after.conditions)) changes.push('conditions changed');
  if (json(before.actions) !== json(after.actions)) changes.push('actions changed');
  return changes.join('; ') || 'no change';
}
