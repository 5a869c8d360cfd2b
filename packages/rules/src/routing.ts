/**
 * Who gets a conversation: eligibility, the two strategies, and the walk down an assign action's
 * steps. Pure functions over a snapshot of agents taken by the caller (the server reads it in the
 * same transaction that assigns), so a decision can be replayed and explained exactly.
 *
 * Time is always passed in (`now`, `waitingSince`, `lastAssignedAt`: epoch ms, ISO strings or
 * Dates) and reported in epoch ms (`until`, `closesAt`, `dropsAt`); nothing here reads the clock. Every step's timeout counts from `waitingSince`, so planning again after a restart gives
 * the same answer as planning before it.
 */
import type {
  AssignAction,
  AssignDecision,
  AssignStep,
  AssignStrategy,
  Exclusion,
  PreferenceState,
  RoutingAgent,
  StepTrace,
} from '@baton/protocol/rules';

export type { RoutingAgent };

/** An instant as callers hold it: epoch milliseconds, an ISO-8601 string (as the API has them) or a Date. */
export type Instant = number | string | Date;

/** Epoch milliseconds of an instant; a string that is no timestamp is a caller bug, not "never". */
export function toMillis(t: Instant): number {
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(t)}`);
  return ms;
}

export interface RoutingTime {
  /** The moment of the decision. */
  now: Instant;
  /** Since when the conversation has waited for an agent: the start of the first step. */
  waitingSince: Instant;
}

export interface Eligibility {
  /** The agents the strategy picks from (after the preference, if it applies). */
  eligible: RoutingAgent[];
  /** Every other member of the pool, with why. */
  excluded: Exclusion[];
  preference: PreferenceState | null;
}

const nameOf = (agent: RoutingAgent) => agent.name ?? agent.id;
const hasAll = (agent: RoutingAgent, skills: readonly string[]) => skills.every((s) => agent.skills.includes(s));

/** Members of a step's pool; listed ids that are not in the snapshot come back as `missing`. */
function poolMembers(step: AssignStep, agents: readonly RoutingAgent[]): { members: RoutingAgent[]; missing: string[] } {
  const pool = step.pool;
  if ('team' in pool) return { members: agents.filter((a) => a.teamIds.includes(pool.team)), missing: [] };
  const byId = new Map(agents.map((a) => [a.id, a]));
  const members: RoutingAgent[] = [];
  const missing: string[] = [];
  for (const id of new Set(pool.agents)) {
    const agent = byId.get(id);
    if (agent) members.push(agent);
    else missing.push(id);
  }
  return { members, missing };
}

/** Why an agent may not take any conversation now (deactivated, away, at capacity), or null if they may. */
function stateExclusion(agent: RoutingAgent): Exclusion | null {
  const name = nameOf(agent);
  if (!agent.active) return { agentId: agent.id, code: 'deactivated', message: `${name} deactivated` };
  if (agent.availability !== 'online') return { agentId: agent.id, code: 'unavailable', message: `${name} ${agent.availability}` };
  if (agent.openAssigned >= agent.capacity) {
    return { agentId: agent.id, code: 'at_capacity', message: `${name} at capacity ${agent.openAssigned}/${agent.capacity}` };
  }
  return null;
}

/** Why an agent of the pool may not take a conversation now, or null if they may. Order = what the run log names first. */
export function exclusionOf(agent: RoutingAgent, step: AssignStep): Exclusion | null {
  const state = stateExclusion(agent);
  if (state) return state;
  const lacking = (step.require?.skills ?? []).filter((s) => !agent.skills.includes(s));
  if (lacking.length > 0) return { agentId: agent.id, code: 'missing_skill', message: `${nameOf(agent)} lacks skill ${lacking.join(', ')}` };
  return null;
}

/**
 * Eligible agents of a step: in the pool, active, online, below capacity, with every required
 * skill, and not `assigneeId` (a reassignment hands the conversation to someone else). Then the
 * preference: with `prefer.skills`, agents having them all go first; with `dropAfterSec`, only they
 * are candidates until the conversation has waited that long (the step holds when none is
 * available), after which everyone eligible counts again. Every other pool member is listed with
 * the reason, for the run log.
 */
export function eligibleAgents(step: AssignStep, snapshot: readonly RoutingAgent[], time: RoutingTime, assigneeId: string | null = null): Eligibility {
  const { members, missing } = poolMembers(step, snapshot);
  const excluded: Exclusion[] = missing.map((id) => ({ agentId: id, code: 'unknown_agent', message: `${id} is not an agent of this workspace` }));
  const eligible: RoutingAgent[] = [];
  for (const agent of members) {
    // Named first: whatever else holds for them, they are the one it is taken from.
    const reason: Exclusion | null =
      agent.id === assigneeId ? { agentId: agent.id, code: 'current_assignee', message: `${nameOf(agent)} is already assigned` } : exclusionOf(agent, step);
    if (reason) excluded.push(reason);
    else eligible.push(agent);
  }
  const prefer = step.prefer;
  if (!prefer) return { eligible, excluded, preference: null };

  const dropsAt = prefer.dropAfterSec === undefined ? null : toMillis(time.waitingSince) + prefer.dropAfterSec * 1000;
  if (dropsAt !== null && toMillis(time.now) >= dropsAt) {
    return { eligible, excluded, preference: { skills: prefer.skills, status: 'dropped', dropsAt } };
  }
  const preferred = eligible.filter((a) => hasAll(a, prefer.skills));
  const notPreferred = (a: RoutingAgent): Exclusion => ({
    agentId: a.id,
    code: 'not_preferred',
    message: `${nameOf(a)} lacks preferred skill ${prefer.skills.filter((s) => !a.skills.includes(s)).join(', ')}`,
  });
  if (preferred.length > 0) {
    const others = eligible.filter((a) => !preferred.includes(a)).map(notPreferred);
    return { eligible: preferred, excluded: [...excluded, ...others], preference: { skills: prefer.skills, status: 'applied', dropsAt } };
  }
  if (dropsAt === null) return { eligible, excluded, preference: { skills: prefer.skills, status: 'fallback', dropsAt } };
  return { eligible: [], excluded: [...excluded, ...eligible.map(notPreferred)], preference: { skills: prefer.skills, status: 'holding', dropsAt } };
}

/** Whether an agent could take one more conversation now, skills aside (active, online, below capacity). */
export function canTakeMore(agent: RoutingAgent): boolean {
  return stateExclusion(agent) === null;
}

/**
 * Whether any step of `action` has an agent who could take a conversation now (in the pool,
 * active, online, below capacity, with the required skills). When none has, no conversation
 * waiting for this action can be placed, however long it has waited: step timeouts only move it
 * between these steps and preferences only narrow a step. The routing queue uses it to pass over
 * a blocked action's waits without reading them one by one.
 */
export function anyStepHasEligible(action: AssignAction, snapshot: readonly RoutingAgent[]): boolean {
  return action.steps.some((step) => poolMembers(step, snapshot).members.some((agent) => exclusionOf(agent, step) === null));
}

// Never assigned sorts first; then oldest assignment; ties by id so the choice is deterministic
// (and the same on every node of a cluster).
function byLongestAgo(a: RoutingAgent, b: RoutingAgent): number {
  const at = a.lastAssignedAt === null ? null : toMillis(a.lastAssignedAt);
  const bt = b.lastAssignedAt === null ? null : toMillis(b.lastAssignedAt);
  if (at !== bt) {
    if (at === null) return -1;
    if (bt === null) return 1;
    return at - bt;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The agent a strategy picks among eligible ones, or null if there is none.
 * - `round_robin`: assigned longest ago (never-assigned first, then by id). With `lastAssignedAt`
 *   updated on each assignment this deals conversations out in turn.
 * - `least_loaded`: fewest open assigned conversations; ties by longest ago, then by id.
 */
export function pickAgent(strategy: AssignStrategy, eligible: readonly RoutingAgent[]): RoutingAgent | null {
  let best: RoutingAgent | null = null;
  for (const agent of eligible) {
    if (best === null) { best = agent; continue; }
    const order = strategy === 'least_loaded'
      ? agent.openAssigned - best.openAssigned || byLongestAgo(agent, best)
      : byLongestAgo(agent, best);
    if (order < 0) best = agent;
  }
  return best;
}

function whyPicked(strategy: AssignStrategy, agent: RoutingAgent): string {
  const last = agent.lastAssignedAt === null ? 'never assigned before' : `last assigned ${new Date(toMillis(agent.lastAssignedAt)).toISOString()}`;
  return strategy === 'least_loaded'
    ? `fewest open (${agent.openAssigned}/${agent.capacity}), ${last}`
    : `assigned longest ago (${last})`;
}

/**
 * The team whose queue a conversation waits in when every step was skipped: the last team a step
 * names, or none when the steps name agents only. The builder words its "Otherwise" row from it.
 */
export function queueTeamOf(steps: readonly AssignStep[]): string | null {
  for (let i = steps.length - 1; i >= 0; i--) {
    const pool = steps[i]!.pool;
    if ('team' in pool) return pool.team;
  }
  return null;
}

function describeStep(step: AssignStep, index: number, snapshot: readonly RoutingAgent[], teamNames: ReadonlyMap<string, string> | undefined): string {
  const agentName = (id: string) => {
    const agent = snapshot.find((a) => a.id === id);
    return agent ? nameOf(agent) : id;
  };
  const pool = 'team' in step.pool ? `team ${teamNames?.get(step.pool.team) ?? step.pool.team}` : `agents ${step.pool.agents.map(agentName).join(', ')}`;
  const needs = step.require ? `, requires ${step.require.skills.join(', ')}` : '';
  return `step ${index + 1} (${pool}${needs}, ${step.strategy.replace('_', '-')})`;
}

export interface PlanContext extends RoutingTime {
  /**
   * The conversation's current assignee; with `onlyIfUnassigned` (the default) an assigned one is
   * left alone, and a reassignment (`onlyIfUnassigned: false`) never picks them again.
   */
  assigneeId?: string | null;
  /** Team names by id, so the plan's sentences say "team Support" rather than its id. */
  teamNames?: ReadonlyMap<string, string>;
}

/**
 * Walks an assign action's steps at `now` and decides: assign an agent (at step i), wait (at step
 * i, until a timeout or a preference drop, or until agents change), or queue (every step skipped).
 *
 * Step i holds the conversation from `waitingSince + Σ timeoutSec of the steps before it` until its
 * own timeout is added (the last step never times out). At `now`, expired steps are passed over;
 * the first open step assigns if anyone is eligible, otherwise it is skipped when it says
 * `skipIfNoneAvailable` and holds the conversation when it does not. Because the walk depends only
 * on `(waitingSince, now, snapshot)`, the caller simply plans again at `until` or when an agent's
 * availability or load changes. A skipped step takes no time from the ones after it: their
 * windows are fixed by `waitingSince`, so a skip never extends a wait.
 */
export function planAssign(action: AssignAction, snapshot: readonly RoutingAgent[], context: PlanContext): AssignDecision {
  if ((action.onlyIfUnassigned ?? true) && context.assigneeId) {
    // Named as the run log names everyone else ("maria away"); an agent the snapshot lacks (deleted) by id.
    const assignee = snapshot.find((a) => a.id === context.assigneeId);
    const who = assignee ? nameOf(assignee) : context.assigneeId;
    return { kind: 'skip', reason: 'already_assigned', summary: `already assigned to ${who}; the rule assigns only unassigned conversations`, steps: [] };
  }
  const now = toMillis(context.now);
  const waitingSince = toMillis(context.waitingSince);
  const time = { now, waitingSince };
  const steps: StepTrace[] = [];
  const notes: string[] = [];
  let closesAt = waitingSince;
  let decision: AssignDecision | null = null;

  for (const [index, step] of action.steps.entries()) {
    const last = index === action.steps.length - 1;
    // A timeout on the last step is a validation error; ignoring it here keeps the last step open.
    closesAt = !last && step.timeoutSec !== undefined ? closesAt + step.timeoutSec * 1000 : Infinity;
    const closes = closesAt === Infinity ? null : closesAt;
    if (decision) {
      steps.push({ index, status: 'not_reached', closesAt: closes, candidates: [], excluded: [], preference: null, note: 'not reached' });
      continue;
    }
    if (closes !== null && now >= closes) {
      const note = `${describeStep(step, index, snapshot, context.teamNames)} timed out at ${new Date(closes).toISOString()}`;
      steps.push({ index, status: 'expired', closesAt: closes, candidates: [], excluded: [], preference: null, note });
      notes.push(note);
      continue;
    }
    const { eligible, excluded, preference } = eligibleAgents(step, snapshot, time, context.assigneeId ?? null);
    const trace = { index, closesAt: closes, candidates: eligible.map((a) => a.id), excluded, preference };
    const reasons = excluded.map((e) => e.message).join('; ');
    const picked = pickAgent(step.strategy, eligible);
    if (picked) {
      const note = `${describeStep(step, index, snapshot, context.teamNames)}: ${nameOf(picked)}, ${whyPicked(step.strategy, picked)}${preference?.status === 'applied' ? `, has preferred ${preference.skills.join(', ')}` : ''}`;
      steps.push({ ...trace, status: 'assigned', note });
      notes.push(note);
      decision = { kind: 'assign', agentId: picked.id, stepIndex: index, strategy: step.strategy, summary: '', steps };
      continue;
    }
    const nobody = `no eligible agent${reasons ? ` (${reasons})` : ''}`;
    if (preference?.status === 'holding') {
      // Eligible agents exist but none has the preferred skills yet: hold until the preference drops.
      const until = Math.min(preference.dropsAt!, closes ?? Infinity);
      const note = `${describeStep(step, index, snapshot, context.teamNames)}: waiting for an agent with ${preference.skills.join(', ')} until ${new Date(preference.dropsAt!).toISOString()} (${reasons})`;
      steps.push({ ...trace, status: 'waiting', note });
      notes.push(note);
      decision = { kind: 'wait', stepIndex: index, until, summary: '', steps };
      continue;
    }
    if (step.skipIfNoneAvailable) {
      const note = `${describeStep(step, index, snapshot, context.teamNames)}: ${nobody}, skipped`;
      steps.push({ ...trace, status: 'skipped', note });
      notes.push(note);
      continue;
    }
    const note = `${describeStep(step, index, snapshot, context.teamNames)}: ${nobody}, waiting${closes === null ? ' in the queue' : ` until ${new Date(closes).toISOString()}`}`;
    steps.push({ ...trace, status: 'waiting', note });
    notes.push(note);
    decision = { kind: 'wait', stepIndex: index, until: closes, summary: '', steps };
  }

  const summary = notes.join('; ');
  if (decision) return { ...decision, summary };
  return { kind: 'queue', teamId: queueTeamOf(action.steps), summary: `${summary}; every step skipped: queued`, steps };
}
