import type { AssignAction } from '@baton/protocol';
import { AUTO_AWAY_MIN_SEC } from '@baton/protocol';
import { REQUEUE_REASONS, type ServerUnassignReason } from '@baton/protocol/constants';
import { repeat, type Clock } from '../clock.js';
import type { Deps } from '../deps.js';
import type { OutboxRecord } from '../outbox/changes.js';
import { autoAwayCandidates, findAgent, markSeen, openAssignedTo, updateAgentRow } from '../storage/agents.js';
import type { Change } from '../storage/change.js';
import { findConversation, updateConversation } from '../storage/conversations.js';
import { toAgent, toConversation } from '../storage/mappers.js';
import { upsertWait } from '../storage/routing-waits.js';
import type { AwayPolicyValue, ConversationRow } from '../storage/schema.js';
import { findTeam } from '../storage/teams.js';
import { latestAssignment } from '../storage/timeline.js';
import { findRunDetail, readRunDetail } from '../storage/workflow-runs.js';
import { findVersion, findWorkflow } from '../storage/workflows.js';
import { findWorkspace } from '../storage/workspaces.js';
import { runBackgroundChange, runChange } from './change-runner.js';
import { versionDefinition } from './live-workflows.js';
import { logFailure } from '../failure-log.js';

/*
 * Agent availability (DESIGN §6, issue 9).
 *
 * Auto-away. An online agent with no connected socket for the workspace's `autoAwayAfterSec`
 * becomes away, and comes back online on reconnecting only if the server made them away. "No
 * socket since" is stored: each node refreshes `last_seen_at` of the agents with a socket on it
 * (a heartbeat every 20 s, on the injected clock) and sets it when an agent's last socket here
 * closes, so a restart, or a node that died with the sockets, still ends in away on time. The poll
 * reads, through the `(availability, last_seen_at)` index, only online agents not seen for a
 * minute. An agent that never connected (driven by the host through the API) is left alone.
 *
 * The away policy, applied by the rules runner in event order (so before the queue drains and
 * before the triggers of the message that follows): `unassign_now` unassigns an agent's open
 * conversations when they stop being online; `unassign_on_inbound` unassigns one when its customer
 * writes while its agent is away or offline (or deactivated). Either way the conversation goes back
 * to the routing queue of the rule whose assignment is its latest (the assign action that made it,
 * from now), so the queue places it oldest first; one that a person assigned, even after a rule,
 * just becomes unassigned, for rules and people to pick up.
 */

const HEARTBEAT_MS = 20_000;
const BATCH = 100;

export class Availability {
  /** Sockets per `workspace:agent` on this node. */
  private readonly sockets = new Map<string, number>();
  private readonly pending = new Set<Promise<unknown>>();
  private schedule: { stop(): void } | null = null;
  private running: Promise<number> | null = null;
  /** Set on shutdown: the sockets closing then are not agents leaving (a restart or a dead node is the heartbeat's job). */
  private stopped = false;

  constructor(
    private readonly deps: Deps,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = (error) => logFailure('availability check', error),
  ) {}

  start(): void {
    this.schedule ??= repeat(this.clock, HEARTBEAT_MS, () => this.check(), this.onError);
  }

  stop(): void {
    this.stopped = true;
    this.schedule?.stop();
    this.schedule = null;
  }

  /** Whether the agent has a socket open on this node. */
  hasSocket(workspaceId: string, agentId: string): boolean {
    return this.sockets.has(`${workspaceId}:${agentId}`);
  }

  /** A socket of the agent passed the handshake here. */
  socketOpened(workspaceId: string, agentId: string): void {
    if (this.stopped) return;
    const key = `${workspaceId}:${agentId}`;
    const n = (this.sockets.get(key) ?? 0) + 1;
    this.sockets.set(key, n);
    if (n === 1) this.track(connected(this.deps, workspaceId, agentId));
  }

  /** A socket of the agent closed here. */
  socketClosed(workspaceId: string, agentId: string): void {
    if (this.stopped) return;
    const key = `${workspaceId}:${agentId}`;
    const n = (this.sockets.get(key) ?? 1) - 1;
    if (n > 0) {
      this.sockets.set(key, n);
      return;
    }
    this.sockets.delete(key);
    this.track(runBackgroundChange(this.deps, workspaceId, async (change) => markSeen(change.trx, workspaceId, [agentId], change.now)));
  }

  /** The heartbeat for agents connected here, then auto-away for the others; resolves with how many went away. One at a time. */
  check(): Promise<number> {
    return (this.running ??= this.pass().finally(() => (this.running = null)));
  }

  /** Resolves once the connection writes and the check under way are done. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await this.running?.catch(() => {});
  }

  private track(work: Promise<unknown>): void {
    const p = work.catch(this.onError).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async pass(): Promise<number> {
    const now = this.clock.now();
    const byWorkspace = new Map<string, string[]>();
    for (const key of this.sockets.keys()) {
      const [workspaceId, agentId] = key.split(':') as [string, string];
      byWorkspace.set(workspaceId, [...(byWorkspace.get(workspaceId) ?? []), agentId]);
    }
    for (const [workspaceId, agentIds] of byWorkspace) {
      try {
        await runBackgroundChange(this.deps, workspaceId, async (change) => markSeen(change.trx, workspaceId, agentIds, change.now));
      } catch (error) {
        this.onError(new Error(`availability: the heartbeat of workspace ${workspaceId} failed; will retry`, { cause: error }));
      }
    }
    let away = 0;
    // Only agents due by their own workspace's delay are read (the query compares it), so a page
    // is never filled by another tenant's agents who are not due. Pages go on while they make
    // agents away; a page where nobody went (sockets here, races) ends the check until the next.
    for (;;) {
      const candidates = await autoAwayCandidates(this.deps.storage.db, now, now - AUTO_AWAY_MIN_SEC * 1000, BATCH);
      let moved = 0;
      for (const c of candidates) {
        if (this.sockets.has(`${c.workspace_id}:${c.id}`)) continue;
        try {
          if (await autoAway(this.deps, c.workspace_id, c.id)) moved += 1;
        } catch (error) {
          // One workspace's failure is reported and retried at the next check; the others still go away on time.
          this.onError(new Error(`availability: auto-away of agent ${c.id} in workspace ${c.workspace_id} failed; will retry`, { cause: error }));
        }
      }
      away += moved;
      if (candidates.length < BATCH || moved === 0) return away;
    }
  }
}

/** First socket here: seen now, and back online if the server had made them away. */
function connected(deps: Deps, workspaceId: string, agentId: string): Promise<void> {
  return runChange(deps, workspaceId, async (change) => {
    await change.lock();
    const row = await findAgent(change.trx, workspaceId, agentId);
    if (!row) return;
    const back = Number(row.auto_away) === 1 && row.availability === 'away' && Number(row.active) === 1;
    const updated = await updateAgentRow(change.trx, workspaceId, agentId, back ? { last_seen_at: change.now, availability: 'online', auto_away: 0 } : { last_seen_at: change.now, auto_away: 0 });
    if (back && updated) await change.publish('agent.updated', { data: { agent: toAgent(updated), availabilityFrom: 'away' } });
  });
}

/** Makes an online agent away for want of a socket, if that still holds under the lock. */
function autoAway(deps: Deps, workspaceId: string, agentId: string): Promise<boolean> {
  return runBackgroundChange(deps, workspaceId, async (change) => {
    await change.lock();
    const [row, workspace] = await Promise.all([findAgent(change.trx, workspaceId, agentId), findWorkspace(change.trx, workspaceId)]);
    if (!row || !workspace || row.availability !== 'online' || Number(row.active) !== 1 || row.last_seen_at === null) return false;
    if (Number(row.last_seen_at) + Number(workspace.auto_away_after_sec) * 1000 > change.now) return false;
    const updated = await updateAgentRow(change.trx, workspaceId, agentId, { availability: 'away', auto_away: 1 });
    await change.publish('agent.updated', { data: { agent: toAgent(updated!), availabilityFrom: 'online' } });
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// The away policy (run by the rules runner, services/workflow-runner.ts)

/**
 * `unassign_now`: an agent who stopped being online, or was deactivated, loses their open
 * conversations (snoozed ones too) to the queue. Deactivating an online agent makes them offline (services/agents.ts),
 * so it comes here as going away does; a deactivated agent can no longer sign in to work them.
 */
export async function awayPolicyOnAgentChange(deps: Deps, record: Extract<OutboxRecord, { type: 'agent.updated' }>): Promise<void> {
  const { agent, availabilityFrom } = record.payload.data;
  const wentAway = availabilityFrom === 'online' && agent.availability !== 'online';
  if (!wentAway && agent.active !== false) return;
  const workspace = await findWorkspace(deps.storage.db, record.workspaceId);
  if (workspace?.away_policy !== 'unassign_now') return;
  for (;;) {
    const open = await openAssignedTo(deps.storage.db, record.workspaceId, agent.id, BATCH);
    let moved = 0;
    for (const { id } of open) if (await unassignFromAway(deps, record.workspaceId, id, agent.id, 'unassign_now')) moved += 1;
    if (open.length < BATCH || moved === 0) return;
  }
}

/** The workspace's away policy, read once per runner batch (`cache`). */
export async function awayPolicyOf(deps: Deps, workspaceId: string, cache: Map<string, AwayPolicyValue>): Promise<AwayPolicyValue> {
  let policy = cache.get(workspaceId);
  if (!policy) {
    policy = (await findWorkspace(deps.storage.db, workspaceId))?.away_policy ?? 'keep';
    cache.set(workspaceId, policy);
  }
  return policy;
}

/** `unassign_on_inbound`: the customer wrote while their agent is away or offline. */
export async function awayPolicyOnInbound(deps: Deps, record: OutboxRecord): Promise<boolean> {
  if (record.type !== 'message.created' || record.payload.data.direction !== 'inbound') return false;
  const assignee = record.payload.conversation.assigneeId;
  if (!assignee) return false;
  const agent = await findAgent(deps.storage.db, record.workspaceId, assignee);
  if (!agent || isWorking(agent)) return false;
  return unassignFromAway(deps, record.workspaceId, record.payload.conversation.id, assignee, 'unassign_on_inbound');
}

/**
 * Unassigns the conversation from an agent who is not online, under the policy, and puts it back in
 * the queue of the rule that last assigned it. Checked again under the lock (still theirs, still
 * open, they are still not online, the policy still says so), so a replay or a race does nothing.
 */
function unassignFromAway(deps: Deps, workspaceId: string, conversationId: string, agentId: string, policy: AwayPolicyValue): Promise<boolean> {
  return runBackgroundChange(deps, workspaceId, async (change) => {
    await change.lock();
    const [row, agent, workspace] = await Promise.all([
      findConversation(change.trx, workspaceId, conversationId),
      findAgent(change.trx, workspaceId, agentId),
      findWorkspace(change.trx, workspaceId),
    ]);
    // Snoozed is still open to the API and wakes with its agent: it goes too, and waits in the
    // queue while snoozed (as a waiting conversation that is snoozed does).
    if (!row || row.status === 'resolved' || row.assignee_id !== agentId || !agent || isWorking(agent) || workspace?.away_policy !== policy) return false;
    await unassignIn(change, row, agent, Number(agent.active) !== 1 ? 'deactivated' : agent.availability === 'away' ? 'away' : 'offline', policy);
    return true;
  });
}

/** Online and active: the away policy leaves their conversations alone. A deactivated agent can work none. */
const isWorking = (agent: { availability: string; active: number }) => agent.availability === 'online' && Number(agent.active) === 1;

/** Why an agent's conversation is taken from them: they stopped being online, or were deactivated. */
type UnassignReason = 'away' | 'offline' | 'deactivated';

/**
 * In the caller's unit of work: unassigns the open conversation `row` from `agent` (`reason`, under
 * `policy` when the away policy did it), and requeues it when a rule assigned it last.
 */
async function unassignIn(change: Change, row: ConversationRow, agent: { id: string; username: string }, reason: UnassignReason, policy?: AwayPolicyValue): Promise<void> {
  const actor = { type: 'system' as const, id: null };
  const code: ServerUnassignReason = `agent_${reason}`;
  await change.append(row.id, {
    kind: 'event',
    type: 'unassigned',
    actor,
    data: { from: agent.id, to: null, teamId: row.team_id, reason: code, ...(policy ? { policy } : {}), text: `Unassigned from ${agent.username}: ${reason}` },
  });
  const queued = await requeue(change, row, reason);
  const saved = await updateConversation(change, row, {
    assignee_id: null,
    waiting_since: queued?.waitingSince ?? null,
    ...(queued && queued.teamId !== null && queued.teamId !== row.team_id ? { team_id: queued.teamId } : {}),
  });
  if (!saved) throw new Error(`conversation ${row.id} changed under the workspace lock`);
  await change.publish('conversation.unassigned', { conversation: toConversation(saved), data: { from: agent.id, to: null } });
}

/**
 * Back in the queue of the rule that assigned it, from now, when that rule's assignment is still
 * the latest (one a person assigned afterwards is theirs: it just becomes unassigned, for rules and
 * people to pick up). The wait is the assign action that did it, and, as when a rule queues it
 * (workflow-runner.ts `enqueue`), waiting in a team's queue puts the conversation in that team
 * (`teamFrom` on the event). Null when it is not requeued.
 */
async function requeue(change: Change, c: ConversationRow, reason: UnassignReason): Promise<{ waitingSince: number; teamId: string | null } | null> {
  const ws = change.workspaceId;
  const last = await latestAssignment(change.trx, ws, c.id);
  if (!last || last.actor_type !== 'workflow' || !last.actor_id || !last.data) return null;
  const workflowId = last.actor_id;
  const data = JSON.parse(last.data) as AssignedData;
  if (typeof data.version !== 'number' || !(await findWorkflow(change.trx, ws, workflowId))) return null;
  const version = await findVersion(change.trx, ws, workflowId, data.version);
  if (!version) return null;
  const definition = versionDefinition(workflowId, data.version, version.definition);
  const index = await assigningAction(change, definition.actions, data);
  if (index === null) return null;
  const action = definition.actions[index] as AssignAction;
  const teamId = ([...action.steps].reverse().find((s) => 'team' in s.pool)?.pool as { team: string } | undefined)?.team ?? null;
  await upsertWait(change.trx, {
    workspace_id: ws,
    conversation_id: c.id,
    workflow_id: workflowId,
    version: data.version,
    action_index: index,
    team_id: teamId,
    waiting_since: change.now,
    next_check_at: null,
  });
  const team = teamId ? await findTeam(change.trx, ws, teamId) : undefined;
  const moved = teamId !== null && teamId !== c.team_id;
  await change.append(c.id, {
    kind: 'event',
    type: 'queued',
    actor: { type: 'workflow', id: workflowId },
    data: {
      teamId,
      ...(moved ? { teamFrom: c.team_id } : {}),
      teamName: team?.name ?? null,
      workflowId,
      workflowName: definition.name,
      version: data.version,
      reason: reason === 'deactivated' ? REQUEUE_REASONS.deactivated : REQUEUE_REASONS.away,
      text: team ? `Waiting for ${team.name}` : 'Waiting for an agent',
    },
  });
  return { waitingSince: change.now, teamId };
}

/** What a rule's `assigned` event holds that says which of its actions assigned (workflow-runner.ts `assignTo`). */
interface AssignedData {
  version?: number;
  runId?: string | null;
  actionIndex?: number;
}

/**
 * Which assign action of the rule's version made the assignment: the event's own `actionIndex`
 * (written since session 10, runner and queue alike); for an older event, the run's record (the last assign action it marks done: a later one in the
 * same run would have reassigned); else, for an assignment from the queue, which names no run, the
 * version's only assign action. With several and nothing to tell them apart, the first.
 */
async function assigningAction(change: Change, actions: readonly { type: string }[], data: AssignedData): Promise<number | null> {
  const isAssign = (i: number | undefined): i is number => i !== undefined && actions[i]?.type === 'assign';
  if (isAssign(data.actionIndex)) return data.actionIndex;
  if (data.runId) {
    const detail = await findRunDetail(change.trx, change.workspaceId, data.runId);
    const done = detail ? readRunDetail(detail).actions.filter((a) => a.type === 'assign' && a.status === 'done').map((a) => a.index) : [];
    const index = done[done.length - 1];
    if (isAssign(index)) return index;
  }
  const index = actions.findIndex((a) => a.type === 'assign');
  return index < 0 ? null : index;
}
