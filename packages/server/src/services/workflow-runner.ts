import type {
  Actor,
  AssignAction,
  AssignDecision,
  RoutingAgent,
  RuleFacts,
  RuleTrigger,
  RunAction,
  RunOutcome,
  WorkflowDefinition,
} from '@baton/protocol';
import { normalizeTags } from '@baton/protocol';
import { planAssign, recordConditions, renderTemplate, timeFacts, type TemplateVars } from '@baton/rules';
import type { Kysely } from 'kysely';
import type { Deps } from '../deps.js';
import { newId } from '../ids.js';
import type { OutboxRecord } from '../outbox/changes.js';
import type { OutboxConsumer } from '../outbox/relay.js';
import { WorkspaceFeeds } from '../outbox/workspace-feeds.js';
import { claimAssignment, findAgent, type StoredAgent } from '../storage/agents.js';
import { deleteWait, upsertWait } from '../storage/routing-waits.js';
import type { Change } from '../storage/change.js';
import { findContact } from '../storage/contacts.js';
import { findConversation, updateConversation } from '../storage/conversations.js';
import { toConversation } from '../storage/mappers.js';
import type { AwayPolicyValue, ContactRow, ConversationRow, Database, WorkflowRunRow } from '../storage/schema.js';
import { findTeam, teamMemberIds } from '../storage/teams.js';
import { eventHandled, insertRun, storedRunDetail } from '../storage/workflow-runs.js';
import { runBackgroundChange } from './change-runner.js';
import { currentLiveWorkflows, liveWorkflowsAt, type LiveWorkflow } from './live-workflows.js';
import { drainQueue, mayFreeAgents } from './routing-queue.js';
import { awayPolicyOf, awayPolicyOnAgentChange, awayPolicyOnInbound } from './availability.js';
import { routingAgents, routingTeamNames } from './workflows.js';

/*
 * The rules runner (DESIGN §6): a durable outbox consumer that runs the live workflows of a
 * trigger against the conversation a committed change touched.
 *
 * Exactly once. The relay hands every row at least once (a crash before it stores its place
 * replays the batch). Each (event, trigger) is one unit of work that writes the runs (unique per
 * outbox event and workflow) together with every change their actions make, so a replay finds the
 * runs and does nothing, and a crash before the commit leaves nothing to find and runs it all again.
 *
 * Rules run in priority order (highest first; ties in creation order), each at most once per
 * event; a matching rule with `stopProcessing` ends the pass.
 */

type Trigger = RuleTrigger['event'];

/** One trigger a committed change fires; the `*_for` ones name the `minutes` that came due. */
interface Fired {
  trigger: Trigger;
  messageId: string | null;
  minutes?: number[];
}

/** Which triggers a committed change fires (a message that reopened a conversation fires both). */
export function triggersOf(record: OutboxRecord): Fired[] {
  const items = record.payload.items;
  const reopened = items.some((i) => i.kind === 'event' && i.type === 'reopened');
  switch (record.type) {
    case 'conversation.created': {
      const first = items.find((i) => i.kind === 'message' && i.direction === 'inbound');
      return [{ trigger: 'conversation.created', messageId: first?.id ?? null }];
    }
    case 'message.created': {
      const { direction, messageId } = record.payload.data;
      const out: Fired[] = [];
      if (direction === 'inbound') out.push({ trigger: 'message.received', messageId });
      if (reopened) out.push({ trigger: 'conversation.reopened', messageId: direction === 'inbound' ? messageId : null });
      return out;
    }
    case 'conversation.reopened':
      return [{ trigger: 'conversation.reopened', messageId: null }];
    case 'conversation.timer':
      return [{ trigger: record.payload.data.trigger, messageId: null, minutes: record.payload.data.minutes }];
    default:
      return [];
  }
}

/** The rules runner's name: its stored place in the outbox (`consumer_offsets`). */
export const WORKFLOWS_CONSUMER = 'workflows';

/**
 * The runner as the relay's durable consumer: fair between workspaces (outbox/workspace-feeds.ts),
 * as everything `runBatch` keeps in order is within one workspace.
 */
export function workflowRunnerConsumer(deps: Deps): OutboxConsumer {
  return new WorkspaceFeeds({
    name: WORKFLOWS_CONSUMER,
    storage: deps.storage,
    clock: deps.clock,
    handleBatch: (records) => runBatch(deps, records),
  });
}

/** Runs a batch of committed changes; a workspace's rows are in their outbox order, and run in it. */
async function runBatch(deps: Deps, records: readonly OutboxRecord[]): Promise<void> {
  // Events are submitted in order without waiting for each commit, so their units share group
  // commits (they still run one after another, in this order, each seeing the ones before).
  // Waiting for each commit in turn held the runner to one event per commit, far behind creates.
  // Which (workspace, trigger) pairs have live workflows at all, from each workspace's live set
  // read once for the batch, so units are submitted in event order without an await between them.
  const hasLive = new Map<string, boolean>();
  const liveOf = new Map<string, readonly LiveWorkflow[]>();
  for (const record of records) {
    for (const { trigger } of triggersOf(record)) {
      const key = `${record.workspaceId}:${trigger}`;
      if (hasLive.has(key)) continue;
      let all = liveOf.get(record.workspaceId);
      if (!all) liveOf.set(record.workspaceId, (all = await currentLiveWorkflows(deps.storage, record.workspaceId)));
      hasLive.set(key, ofTrigger(all, trigger).length > 0);
    }
  }
  let pending: Promise<void>[] = [];
  const policies = new Map<string, AwayPolicyValue>();
  // One routing snapshot per workspace for the batch (see RoutingSnapshots); dropped whenever
  // the runner waits for its units and runs something else (the away policy, a queue drain).
  const snapshots = new RoutingSnapshots();
  /** Lets the submitted units commit, before the runner does something that must see them. */
  const flush = async () => {
    await Promise.all(pending);
    pending = [];
    snapshots.clear();
  };
  for (const record of records) {
    // The away policy first: what an agent who went away gives up is queued before the queue
    // drains. A deactivated agent counts as gone whatever they were (one deactivated while away
    // keeps what a person assigned them meanwhile otherwise; awayPolicyOnAgentChange decides).
    if (record.type === 'agent.updated' && (record.payload.data.availabilityFrom === 'online' || record.payload.data.agent.active === false)) {
      await flush();
      await awayPolicyOnAgentChange(deps, record);
    }
    // In event order: an agent freed before a conversation arrived goes to the older waiting ones first.
    if (mayFreeAgents(record)) {
      await flush();
      await drainQueue(deps, record.workspaceId);
    }
    if (!record.conversationId) continue;
    // A customer writing to an away agent's conversation: unassigned (and requeued) before the message's rules run.
    if (
      record.type === 'message.created' &&
      record.payload.data.direction === 'inbound' &&
      record.payload.conversation.assigneeId &&
      (await awayPolicyOf(deps, record.workspaceId, policies)) === 'unassign_on_inbound'
    ) {
      await flush();
      if (await awayPolicyOnInbound(deps, record)) await drainQueue(deps, record.workspaceId);
    }
    for (const fired of triggersOf(record)) {
      if (hasLive.get(`${record.workspaceId}:${fired.trigger}`)) pending.push(runEventUnit(deps, record, fired, snapshots));
    }
  }
  await Promise.all(pending);
}

const workflowActor = (workflowId: string): Actor => ({ type: 'workflow', id: workflowId });

/**
 * The routing snapshot (agents, their load, skills, teams) shared by the units of one batch, per
 * workspace. Reading it is three queries over every agent of the workspace, which was the largest
 * part of a run (docs/benchmarks.md); the units of a batch run one after another, and each
 * assignment updates the snapshot in memory (`assignTo`). It is a hint, not the truth: a change
 * another command made meanwhile (a manual assignment, an agent going away) is not in it, so the
 * claim itself checks, in the same conditional update that takes the round-robin slot, that the
 * agent is still active, online, below capacity, holding the step's required skills and, picked
 * from a team's pool, in that team (storage/agents.ts `claimAssignment`). A refused claim drops the
 * snapshot and the unit plans again from a fresh one.
 */
export class RoutingSnapshots {
  private readonly byWorkspace = new Map<string, RoutingAgent[]>();
  private readonly teamNamesByWorkspace = new Map<string, Map<string, string>>();

  async get(change: Change): Promise<RoutingAgent[]> {
    let agents = this.byWorkspace.get(change.workspaceId);
    if (!agents) {
      agents = await routingAgents(change.trx, change.workspaceId);
      this.byWorkspace.set(change.workspaceId, agents);
    }
    return agents;
  }

  /** Team names for the plan's sentences; a rename shows from the next batch. */
  async teamNames(change: Change): Promise<Map<string, string>> {
    let names = this.teamNamesByWorkspace.get(change.workspaceId);
    if (!names) {
      names = await routingTeamNames(change.trx, change.workspaceId);
      this.teamNamesByWorkspace.set(change.workspaceId, names);
    }
    return names;
  }

  drop(workspaceId: string): void {
    this.byWorkspace.delete(workspaceId);
  }

  clear(): void {
    this.byWorkspace.clear();
    this.teamNamesByWorkspace.clear();
  }
}

/** Runs the live workflows of one fired trigger for one committed change, in one unit of work (the caller knows there are some). */
function runEventUnit(deps: Deps, record: OutboxRecord, { trigger, messageId, minutes }: Fired, snapshots: RoutingSnapshots): Promise<void> {
  return runBackgroundChange(deps, record.workspaceId, async (change) => {
    await change.lock();
    if (await eventHandled(change.trx, record.workspaceId, record.id, trigger)) return;
    const row = await findConversation(change.trx, record.workspaceId, record.conversationId!);
    if (!row) return;
    const contact = await findContact(change.trx, record.workspaceId, row.contact_id);
    if (!contact) return;
    const message = messageId ? record.payload.items.find((i) => i.id === messageId) : undefined;
    const pass = new Pass(change, record, trigger, row, contact, message?.kind === 'message' ? message.body : null, snapshots);
    for (const wf of await liveFor(deps, record.workspaceId, trigger, change, minutes)) {
      const matched = await pass.run(wf);
      if (matched && wf.definition.stopProcessing) break;
    }
    await pass.finish();
  });
}

async function liveFor(deps: Deps, workspaceId: string, trigger: Trigger, change: Change, minutes?: number[]): Promise<LiveWorkflow[]> {
  return ofTrigger(await liveWorkflowsAt(deps.storage, change.trx, workspaceId, change.rulesStamp), trigger, minutes);
}

/** The enabled workflows of `trigger` among `all`, in priority order; for a timer event, those whose minutes came due. */
function ofTrigger(all: readonly LiveWorkflow[], trigger: Trigger, minutes?: number[]): LiveWorkflow[] {
  const live = all
    .filter((w) => w.definition.trigger.event === trigger && w.definition.enabled !== false)
    // A timer event runs the rules whose minutes came due, not every rule of its trigger.
    .filter((w) => !minutes || ('minutes' in w.definition.trigger && minutes.includes(w.definition.trigger.minutes)));
  // Stable: ties keep creation order, which `liveWorkflows` returns.
  return live.sort((a, b) => (b.definition.priority ?? 0) - (a.definition.priority ?? 0));
}

/**
 * Actions whose change is a timeline event of its own naming the rule (`assigned`, `tagged`,
 * `team_changed`, `priority_changed`, each with `workflowName`). A note is an entry of its own too,
 * but names no rule; a notification has no entry at all.
 */
const NAMED_ON_THEIR_OWN: ReadonlySet<string> = new Set(['assign', 'add_tag', 'remove_tag', 'set_team', 'set_priority']);

/** One pass over the workflows of an event: the conversation as the actions leave it, and what to write. */
class Pass {
  private current: ConversationRow;
  private assigned: { from: string | null; to: string } | null = null;
  private readonly touched: string[] = [];

  constructor(
    private readonly change: Change,
    private readonly record: OutboxRecord,
    private readonly trigger: Trigger,
    private readonly before: ConversationRow,
    private readonly contact: ContactRow,
    private readonly messageBody: string | null,
    private readonly snapshots: RoutingSnapshots,
  ) {
    this.current = { ...before };
  }

  /** The facts of `current`, built once until an action may have changed it (most rules of a pass do not match). */
  private builtFacts: RuleFacts | null = null;

  private facts(): RuleFacts {
    return (this.builtFacts ??= buildFacts(this.current, this.contact, this.messageBody, this.record.createdAt, this.change.timeZone));
  }

  /** Evaluates one workflow and applies its actions when it matches; returns whether it matched. */
  async run(wf: LiveWorkflow): Promise<boolean> {
    const record = wf.definition.conditions ? recordConditions(wf.definition.conditions, this.facts()) : null;
    const matched = record ? record.result : true;
    const actions: RunAction[] = [];
    const runId = newId('run', this.change.now);
    if (matched) {
      this.builtFacts = null;
      // Whom this rule's assign action picked, for a later add_note's {{agent.*}}.
      let assigneeId: string | null = null;
      for (const [index, action] of wf.definition.actions.entries()) {
        const done = await this.apply(wf, runId, index, action, assigneeId);
        actions.push(done.result);
        if (done.assigneeId) assigneeId = done.assigneeId;
      }
      const changed = actions.filter((a) => a.status === 'done');
      if (changed.length > 0) this.touched.push(wf.workflowId);
      // Said once: each change is a timeline event of its own, naming the rule. A rule that notified
      // someone (no entry of its own), or whose only change was a note (which names no rule; the
      // inbox signs it from the events beside it), says what it did here.
      const named = changed.some((a) => NAMED_ON_THEIR_OWN.has(a.type));
      if (changed.some((a) => a.type === 'notify') || (changed.length > 0 && !named)) {
        await this.change.append(this.current.id, {
          kind: 'event',
          type: 'rule_applied',
          actor: workflowActor(wf.workflowId),
          data: { workflowId: wf.workflowId, workflowName: wf.definition.name, version: wf.version, runId, actions: changed.map((a) => a.detail) },
        });
      }
    }
    const outcome: RunOutcome = !matched
      ? 'not_matched'
      : actions.some((a) => a.status === 'done')
        ? 'applied'
        : actions.some((a) => a.status === 'queued')
          ? 'queued'
          : actions.some((a) => a.status === 'waiting')
            ? 'waiting'
            : 'no_change';
    const row: WorkflowRunRow = {
      id: runId,
      workspace_id: this.record.workspaceId,
      workflow_id: wf.workflowId,
      version: wf.version,
      outbox_id: this.record.id,
      trigger: this.trigger,
      conversation_id: this.current.id,
      matched: matched ? 1 : 0,
      outcome,
      detail: storedRunDetail(record && record.leaves, actions),
      created_at: this.change.now,
    };
    await insertRun(this.change.trx, row);
    return matched;
  }

  private async apply(
    wf: LiveWorkflow,
    runId: string,
    index: number,
    action: WorkflowDefinition['actions'][number],
    assigneeId: string | null,
  ): Promise<{ result: RunAction; assigneeId?: string }> {
    const c = this.current;
    const base = { index, type: action.type };
    switch (action.type) {
      case 'assign':
        return this.assign(wf, runId, index, action);
      case 'set_team': {
        if (c.team_id === action.team) return { result: { ...base, status: 'no_change', detail: 'already in that team' } };
        const team = await findTeam(this.change.trx, this.record.workspaceId, action.team);
        if (!team) return { result: { ...base, status: 'skipped', detail: `team ${action.team} no longer exists` } };
        await this.change.append(c.id, { kind: 'event', type: 'team_changed', actor: workflowActor(wf.workflowId), data: { from: c.team_id, to: team.id, workflowName: wf.definition.name } });
        c.team_id = team.id;
        return { result: { ...base, status: 'done', detail: `Team set to ${team.name}` } };
      }
      case 'add_tag':
      case 'remove_tag': {
        const tags = JSON.parse(c.tags) as string[];
        const named = normalizeTags(action.tags); // a rule's `VIP` is the stored `vip`
        const next = action.type === 'add_tag' ? [...new Set([...tags, ...named])] : tags.filter((t) => !named.includes(t));
        const moved = action.type === 'add_tag' ? next.filter((t) => !tags.includes(t)) : tags.filter((t) => !next.includes(t));
        if (moved.length === 0) return { result: { ...base, status: 'no_change', detail: action.type === 'add_tag' ? 'tags already there' : 'tags not there' } };
        c.tags = JSON.stringify(next);
        await this.change.append(c.id, {
          kind: 'event',
          type: 'tagged',
          actor: workflowActor(wf.workflowId),
          data: { ...(action.type === 'add_tag' ? { added: moved, removed: [] } : { added: [], removed: moved }), workflowName: wf.definition.name },
        });
        return { result: { ...base, status: 'done', detail: `${action.type === 'add_tag' ? 'Tagged' : 'Untagged'} ${moved.join(', ')}` } };
      }
      case 'set_priority':
        if (c.priority === action.priority) return { result: { ...base, status: 'no_change', detail: `priority already ${action.priority}` } };
        await this.change.append(c.id, { kind: 'event', type: 'priority_changed', actor: workflowActor(wf.workflowId), data: { from: c.priority, to: action.priority, workflowName: wf.definition.name } });
        c.priority = action.priority;
        return { result: { ...base, status: 'done', detail: `Priority set to ${action.priority}` } };
      case 'add_note': {
        const team = c.team_id ? await findTeam(this.change.trx, this.record.workspaceId, c.team_id) : undefined;
        // Read here, not when assigning: most rules that assign write no note.
        const assignee = assigneeId ? { id: assigneeId, stored: await findAgent(this.change.trx, this.record.workspaceId, assigneeId) } : null;
        // The facts as the earlier actions left the conversation (a note may name the team they set).
        const facts = buildFacts(c, this.contact, this.messageBody, this.record.createdAt, this.change.timeZone);
        const body = renderTemplate(action.body, noteVariables(facts, { ruleName: wf.definition.name, conversationId: c.id, phone: this.contact.phone, agent: assignee, teamName: team?.name ?? null }));
        await this.change.append(c.id, { kind: 'note', body, mentions: [], author: { ...workflowActor(wf.workflowId), name: wf.definition.name } });
        return { result: { ...base, status: 'done', detail: 'Added a note' } };
      }
      case 'notify':
        return { result: await this.notify(wf, index, action) };
    }
  }

  private async assign(wf: LiveWorkflow, runId: string, index: number, action: AssignAction): Promise<{ result: RunAction; assigneeId?: string }> {
    const c = this.current;
    const base = { index, type: 'assign' };
    const rule = { workflowId: wf.workflowId, name: wf.definition.name, version: wf.version };
    // The event may be older than the state (a trigger run after a resolve, a timer): only an open
    // conversation is routed. A resolved one is left as a person left it, and never queued.
    if (c.status === 'resolved') return { result: { ...base, status: 'skipped', detail: 'conversation is resolved' } };
    const waitingSince = c.waiting_since === null ? this.record.createdAt : Number(c.waiting_since);
    if (c.status === 'snoozed' && c.assignee_id === null) {
      // Snoozed means "not now", not "not at all": it waits in the queue, which passes it over while
      // it is snoozed and places it when it wakes, as it does a waiting conversation that is snoozed.
      // Assigning it now would spend a round-robin turn and notify someone of a conversation that is
      // neither in their Mine nor in their open load.
      const teamId = queueTeam(action, 0);
      const teamName = teamId === null ? null : ((await this.snapshots.teamNames(this.change)).get(teamId) ?? teamId);
      const detail = `conversation is snoozed: waits${teamName === null ? '' : ` for ${teamName}`} until it wakes`;
      await enqueue(this.change, c, rule, runId, index, { teamId, nextCheckAt: null, reason: detail }, waitingSince);
      this.touched.push(wf.workflowId);
      return { result: { ...base, status: 'queued', detail } };
    }
    // A slot taken by another node between our read and our write: plan again with what it left.
    for (let attempt = 0; attempt < 3; attempt++) {
      const agents = await this.snapshots.get(this.change);
      const teamNames = await this.snapshots.teamNames(this.change);
      const decision = planAssign(action, agents, { now: this.change.now, waitingSince, assigneeId: c.assignee_id, teamNames });
      if (decision.kind === 'skip') return { result: { ...base, status: 'no_change', detail: decision.summary, decision } };
      if (c.status === 'snoozed') {
        // A reassignment of a snoozed conversation: its assignee keeps it (see above for why not now).
        const name = agents.find((a) => a.id === c.assignee_id)?.name ?? c.assignee_id;
        return { result: { ...base, status: 'no_change', detail: `stays with ${name}: conversation is snoozed` } };
      }
      if ((decision.kind === 'wait' || decision.kind === 'queue') && c.assignee_id !== null) {
        // A reassignment (`onlyIfUnassigned: false`) that cannot place it now: the conversation stays
        // with its agent and is not queued (a queued conversation is one nobody has). Rules of later
        // minutes may try again.
        const name = agents.find((a) => a.id === c.assignee_id)?.name ?? c.assignee_id;
        return { result: { ...base, status: 'no_change', detail: staysWith(name, action, decision, agents, teamNames), decision } };
      }
      if (decision.kind === 'wait' || decision.kind === 'queue') {
        const status = decision.kind === 'wait' ? 'waiting' : 'queued';
        const teamId = decision.kind === 'queue' ? decision.teamId : queueTeam(action, decision.stepIndex);
        await enqueue(this.change, c, rule, runId, index, { teamId, nextCheckAt: decision.kind === 'wait' ? decision.until : null, reason: decision.summary }, waitingSince);
        this.touched.push(wf.workflowId);
        return { result: { ...base, status, detail: decision.summary, decision } };
      }
      const from = c.assignee_id;
      const done = await assignTo(this.change, agents, c, rule, runId, { action, index }, decision);
      if (!done) {
        this.snapshots.drop(this.record.workspaceId);
        continue;
      }
      if (!this.assigned) this.assigned = { from, to: done.agentId };
      else this.assigned.to = done.agentId;
      return {
        result: { ...base, status: 'done', detail: `${done.text.replace(/ by rule .*? \(/, ' (')}: ${decision.summary}`, decision },
        assigneeId: done.agentId,
      };
    }
    return { result: { ...base, status: 'skipped', detail: 'round-robin slots kept moving under concurrent runs; not assigned this time' } };
  }

  /**
   * A `notify` action: an in-app notification (socket `notification:created`, the bell) to the agent
   * or to every active member of the team, naming the rule. It is DESIGN §3's `queued_timeout` type
   * (the one type no command sends, and what a `*_for` rule tells someone), with `rule` as context;
   * docs/decisions.md says why not a type of its own yet.
   */
  private async notify(wf: LiveWorkflow, index: number, action: NotifyAction): Promise<RunAction> {
    const base = { index, type: 'notify' };
    const reached = await notifyRecipients(this.change.trx, this.record.workspaceId, action.to);
    if ('skipped' in reached) return { ...base, status: 'skipped', detail: reached.skipped };
    for (const agent of reached.agents) {
      await this.change.notify(agent.id, 'queued_timeout', this.current.id, workflowActor(wf.workflowId), { rule: { workflowId: wf.workflowId, name: wf.definition.name, version: wf.version } });
    }
    return { ...base, status: 'done', detail: `Notified ${reached.usernames}` };
  }

  /** Saves the conversation as the actions left it and publishes one change for the pass. */
  async finish(): Promise<void> {
    const b = this.before;
    const c = this.current;
    const patch: Partial<ConversationRow> = {};
    if (c.assignee_id !== b.assignee_id) patch.assignee_id = c.assignee_id;
    if (c.team_id !== b.team_id) patch.team_id = c.team_id;
    if (c.tags !== b.tags) patch.tags = c.tags;
    if (c.priority !== b.priority) patch.priority = c.priority;
    if (c.waiting_since !== b.waiting_since) patch.waiting_since = c.waiting_since;
    let saved = b;
    if (Object.keys(patch).length > 0) {
      const updated = await updateConversation(this.change, b, patch);
      // The workspace lock is held since before the read, so the row cannot have moved.
      if (!updated) throw new Error(`conversation ${b.id} changed under the workspace lock`);
      saved = updated;
    }
    if (this.touched.length === 0 && !this.assigned) return;
    const conversation = toConversation(saved);
    if (this.assigned && this.assigned.to !== b.assignee_id) {
      await this.change.publish('conversation.assigned', { conversation, data: { from: b.assignee_id, to: this.assigned.to } });
    } else {
      await this.change.publish('conversation.routed', { conversation, data: { workflowIds: this.touched } });
    }
  }
}

/** The workflow version a routing decision came from. */
export interface RuleRef {
  workflowId: string;
  name: string;
  version: number;
}

/**
 * Assigns `c` (the conversation as the caller will save it) to the agent `decision` picked: takes
 * the round-robin slot with a conditional update, writes the `assigned` event and the
 * notification, and updates `c` and the snapshot. Null when another run took the slot first (plan
 * again with fresh agents). The caller saves `c` and publishes.
 */
export async function assignTo(
  change: Change,
  agents: RoutingAgent[],
  c: ConversationRow,
  rule: RuleRef,
  runId: string | null,
  { action, index }: { action: AssignAction; index: number },
  decision: Extract<AssignDecision, { kind: 'assign' }>,
  extra: Record<string, unknown> = {},
): Promise<{ agentId: string; text: string } | null> {
  const agent = agents.find((a) => a.id === decision.agentId)!;
  const seen = agent.lastAssignedAt === null ? null : Number(agent.lastAssignedAt);
  // Strictly after every assignment so far: several in one millisecond (or a clock behind another
  // node's) must still rotate, which equal times would not (ties go by id).
  const at = Math.max(change.now, ...agents.map((a) => (a.lastAssignedAt === null ? 0 : Number(a.lastAssignedAt) + 1)));
  const step = action.steps[decision.stepIndex]!;
  const skills = step.require?.skills ?? [];
  if (!(await claimAssignment(change.trx, change.workspaceId, agent.id, { seen, at, teamId: 'team' in step.pool ? step.pool.team : null, skills }))) return null;
  // Picked from a team's pool: the conversation is that team's now, as a manual assign with a
  // `teamId` makes it (the team's views and filters show it; "No team" would say otherwise).
  const teamFrom = c.team_id;
  if ('team' in step.pool) c.team_id = step.pool.team;
  const how = [...skills.map((s) => `skill ${s}`), decision.strategy === 'round_robin' ? 'round-robin' : 'least loaded'].join(', ');
  const from = c.assignee_id;
  agent.lastAssignedAt = at;
  agent.openAssigned += 1;
  if (from) {
    const previous = agents.find((a) => a.id === from);
    if (previous) previous.openAssigned = Math.max(0, previous.openAssigned - 1);
  }
  c.assignee_id = agent.id;
  // A queue row exists exactly while `waiting_since` is set (enqueue writes both, and so does every
  // path that ends a wait): a conversation that never waited has none to delete.
  if (c.waiting_since !== null) await deleteWait(change.trx, change.workspaceId, c.id);
  c.waiting_since = null;
  const actor = workflowActor(rule.workflowId);
  // "Assigned to maria by rule Spanish → bilingual (skill es, round-robin)"
  const text = `Assigned to ${agent.name ?? agent.id} by rule ${rule.name} (${how})`;
  await change.append(c.id, {
    kind: 'event',
    type: 'assigned',
    actor,
    data: {
      from,
      to: agent.id,
      teamId: c.team_id,
      ...(c.team_id !== teamFrom ? { teamFrom } : {}),
      workflowId: rule.workflowId,
      workflowName: rule.name,
      version: rule.version,
      runId,
      // Which of the version's actions assigned: the away policy requeues the conversation with it.
      actionIndex: index,
      stepIndex: decision.stepIndex,
      strategy: decision.strategy,
      skills,
      text,
      ...extra,
    },
  });
  await change.notify(agent.id, 'assigned', c.id, actor, { rule: { workflowId: rule.workflowId, name: rule.name, version: rule.version } });
  return { agentId: agent.id, text };
}

/** Where a conversation waits: the team's queue, when to plan again (null: when agents change), and why. */
interface Place {
  teamId: string | null;
  nextCheckAt: number | null;
  reason: string;
}

/**
 * Nobody can take the conversation now: it waits in the queue from `waitingSince` with the action
 * that will place it, and its timeline says so the first time ("Waiting for Bilingual").
 */
async function enqueue(change: Change, c: ConversationRow, rule: RuleRef, runId: string, index: number, place: Place, waitingSince: number): Promise<void> {
  const { teamId } = place;
  await upsertWait(change.trx, {
    workspace_id: change.workspaceId,
    conversation_id: c.id,
    workflow_id: rule.workflowId,
    version: rule.version,
    action_index: index,
    team_id: teamId,
    waiting_since: waitingSince,
    next_check_at: place.nextCheckAt,
  });
  // It waits in the team's queue, so the team's views show it while it waits, and the `queued`
  // event says so. Already waiting, it keeps its place (and its waitingSince) and is written about
  // again only when a later rule's action moved it to another team's queue: the row's team above
  // is then that team, and the conversation follows it.
  if (c.waiting_since !== null && (teamId === null || teamId === c.team_id)) return;
  c.waiting_since ??= waitingSince;
  const teamFrom = c.team_id;
  if (teamId !== null) c.team_id = teamId;
  const team = teamId ? await findTeam(change.trx, change.workspaceId, teamId) : undefined;
  await change.append(c.id, {
    kind: 'event',
    type: 'queued',
    actor: workflowActor(rule.workflowId),
    data: {
      teamId,
      ...(c.team_id !== teamFrom ? { teamFrom } : {}),
      teamName: team?.name ?? null,
      workflowId: rule.workflowId,
      workflowName: rule.name,
      version: rule.version,
      runId,
      reason: place.reason,
      text: team ? `Waiting for ${team.name}` : 'Waiting for an agent',
    },
  });
}

/**
 * Why a reassignment left the conversation where it was, from the steps the plan tried:
 * "stays with ben: nobody eligible in Support (ana away; ben is already assigned)".
 */
function staysWith(
  name: string,
  action: AssignAction,
  decision: Extract<AssignDecision, { kind: 'wait' | 'queue' }>,
  agents: readonly RoutingAgent[],
  teamNames: ReadonlyMap<string, string>,
): string {
  const tried = decision.steps.filter((s) => s.status === 'waiting' || s.status === 'skipped');
  const agentName = (id: string) => agents.find((a) => a.id === id)?.name ?? id;
  const pools = tried.map(({ index }) => {
    const pool = action.steps[index]!.pool;
    return 'team' in pool ? `in ${teamNames.get(pool.team) ?? pool.team}` : `among ${pool.agents.map(agentName).join(', ')}`;
  });
  const reasons = [...new Set(tried.flatMap((s) => s.excluded.map((e) => e.message)))];
  return `stays with ${name}: nobody eligible ${[...new Set(pools)].join(' or ')}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`;
}

/** The team a waiting step holds the conversation for (its pool's, or the last team pool's). */
function queueTeam(action: AssignAction, stepIndex: number): string | null {
  const pool = action.steps[stepIndex]?.pool;
  if (pool && 'team' in pool) return pool.team;
  const last = [...action.steps].reverse().find((s) => 'team' in s.pool)?.pool as { team: string } | undefined;
  return last?.team ?? null;
}

type NotifyAction = Extract<WorkflowDefinition['actions'][number], { type: 'notify' }>;

/**
 * Whom a `notify` action reaches now: the agent, or every member of the team, active ones only, in
 * the team's order, with their usernames as a run's detail names them ("ana, maria"); or why
 * nobody. The dry run asks it too, so what `POST /v1/workflows/test` says a rule would notify is
 * who the runner notifies.
 */
export async function notifyRecipients(db: Kysely<Database>, workspaceId: string, to: NotifyAction['to']): Promise<{ agents: StoredAgent[]; usernames: string } | { skipped: string }> {
  let ids: string[];
  if ('agent' in to) ids = [to.agent];
  else {
    if (!(await findTeam(db, workspaceId, to.team))) return { skipped: `team ${to.team} no longer exists` };
    ids = (await teamMemberIds(db, workspaceId, [to.team])).get(to.team) ?? [];
  }
  const agents: StoredAgent[] = [];
  for (const id of ids) {
    const agent = await findAgent(db, workspaceId, id);
    if (agent && Number(agent.active) === 1) agents.push(agent);
  }
  if (agents.length === 0) return { skipped: 'nobody to notify (unknown or deactivated agents, or an empty team)' };
  return { agents, usernames: agents.map((a) => a.username).sort().join(', ') };
}

/** Beside the facts, what a note's placeholders name: the rule, the conversation, the agent its assign picked, the team. */
export interface NoteNames {
  ruleName: string;
  conversationId: string | null;
  phone: string | null;
  /** Whom the rule's assign action picked (its stored row, when it still exists); null when none did. */
  agent: { id: string; stored: StoredAgent | undefined } | null;
  teamName: string | null;
}

/**
 * An `add_note` body's variables (`TEMPLATE_VARIABLES`), every one present and null when there is
 * no value: the runner's pass and the dry run fill a note the same way.
 */
export function noteVariables(facts: RuleFacts, names: NoteNames): TemplateVars {
  const { conversation: cv, contact } = facts;
  const agent = names.agent;
  return {
    rule: { name: names.ruleName },
    contact: { name: contact.name, email: contact.email, phone: names.phone, language: contact.language },
    conversation: { id: names.conversationId, channel: cv.channel, subject: cv.subject, source: cv.source, priority: cv.priority, language: cv.language },
    agent: agent ? { name: agent.stored?.name ?? agent.id, username: agent.stored?.username ?? agent.id } : { name: null, username: null },
    team: { name: names.teamName },
  };
}

/** What conditions read (DESIGN §6): the conversation, its contact, the message, the time in the workspace's zone. */
export function buildFacts(c: ConversationRow, contact: ContactRow, messageBody: string | null, at: number, timeZone: string): RuleFacts {
  return {
    conversation: {
      channel: c.channel,
      source: c.source,
      subject: c.subject,
      tags: JSON.parse(c.tags) as string[],
      priority: c.priority,
      // The contact's language wins; the stored one was detected from the customer's messages.
      language: contact.language ?? c.language,
      // As it is now: a timed trigger reads the team the conversation is in when it fires, not when it was created.
      team: c.team_id,
    },
    contact: { name: contact.name, email: contact.email, language: contact.language, tags: JSON.parse(contact.tags) as string[], attributes: JSON.parse(contact.attributes) as RuleFacts['contact']['attributes'] },
    message: messageBody === null ? null : { body: messageBody },
    time: timeFacts(at, timeZone),
  };
}
