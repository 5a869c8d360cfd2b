import type { AssignAction } from '@baton/protocol';
import { anyStepHasEligible, canTakeMore, planAssign } from '@baton/rules';
import { repeat, type Clock } from '../clock.js';
import type { Deps } from '../deps.js';
import type { OutboxRecord } from '../outbox/changes.js';
import { findConversation, updateConversation } from '../storage/conversations.js';
import { toConversation } from '../storage/mappers.js';
import { clearDueChecks, deleteWait, dueWorkspaces, hasWaits, setNextCheck, waitsOf } from '../storage/routing-waits.js';
import { findVersion, findWorkflow } from '../storage/workflows.js';
import type { Storage } from '../storage/db.js';
import { runBackgroundChange } from './change-runner.js';
import { versionDefinition } from './live-workflows.js';
import { assignTo } from './workflow-runner.js';
import { routingAgents, routingTeamNames } from './workflows.js';
import { logFailure } from '../failure-log.js';

/*
 * The routing queue (DESIGN §6): conversations a workflow could not assign wait in `routing_waits`
 * and are placed, oldest first, as soon as their assign action can place them: when an agent
 * comes online or drops below capacity (changes the runner sees in the outbox), or when a step
 * times out or a preference drops (`next_check_at`, polled on the injected clock). Every time is
 * counted from the stored `waiting_since`, so a restart resets nothing. A wait whose action has
 * nobody in any step is not polled (`next_check_at` null): only such a change can place it.
 *
 * Each placement is its own unit of work under the workspace lock: the conversation is assigned
 * only if it is still open and unassigned, and its wait is deleted in the same unit, so running a
 * drain twice (two nodes, a replay) never assigns twice. A snoozed conversation keeps its wait and
 * is passed over until it wakes; a resolved or assigned one leaves the queue.
 */

/**
 * Changes after which the queue may place something: someone may have become eligible
 * (availability, capacity, skills, teams, load), or a waiting conversation woke.
 */
export function mayFreeAgents(record: OutboxRecord): boolean {
  switch (record.type) {
    case 'agent.updated':
    case 'agent.created':
    case 'conversation.resolved':
    case 'conversation.unassigned':
      return true;
    case 'team.updated':
      return record.payload.data.added.length > 0;
    case 'conversation.assigned':
      // A reassignment lowers the previous assignee's load; a first assignment only adds load.
      return record.payload.data.from !== null;
    case 'conversation.snoozed':
      // Open load counts open conversations only (Mine), so snoozing lowers the assignee's.
      return record.payload.conversation.assigneeId !== null;
    case 'conversation.woke':
      return wokeWaiting(record.payload.conversation);
    case 'message.created':
      // The customer writing wakes a snoozed conversation inside the message's own change.
      return record.payload.items.some((i) => i.kind === 'event' && i.type === 'woke') && wokeWaiting(record.payload.conversation);
    default:
      return false;
  }
}

/** A woken conversation that kept its place in the queue while snoozed: it may be placed now. */
const wokeWaiting = (c: { assigneeId: string | null; waitingSince: string | null }) => c.assigneeId === null && c.waitingSince !== null;

/** Places what can be placed in the workspace's queue, oldest first; returns how many were assigned. */
export async function drainQueue(deps: Deps, workspaceId: string): Promise<number> {
  if (!(await hasWaits(deps.storage.db, workspaceId))) return 0;
  let assigned = 0;
  // One placement per unit (one outbox row each); stop when a pass places nobody.
  while (await placeOldest(deps, workspaceId)) assigned += 1;
  return assigned;
}

/** Walks the queue oldest first and assigns the first conversation that can be placed now. */
async function placeOldest(deps: Deps, workspaceId: string): Promise<boolean> {
  return runBackgroundChange(deps, workspaceId, async (change) => {
    await change.lock();
    const agents = await routingAgents(change.trx, workspaceId);
    // Nobody can take anything (all away, or all at capacity): the queue stays as it is, unread.
    // Without this every change that might free someone walked every waiting conversation. A wait
    // due now (a step timed out) can place nothing before someone frees up, which drains the queue
    // and plans it again: it stops being polled, or the timer would drain here every 5 s for ever.
    if (!agents.some(canTakeMore)) {
      await clearDueChecks(change.trx, workspaceId, change.now);
      return false;
    }
    const waits = await waitsOf(change.trx, workspaceId);
    if (waits.length === 0) return false;
    const actions = new Map<string, { action: AssignAction; name: string } | null>();
    let teamNames: Map<string, string> | undefined;
    /** Per action: whether any of its steps has someone eligible now (else its waits are passed over). */
    const open = new Map<string, boolean>();
    for (const wait of waits) {
      const key = `${wait.workflow_id}:${wait.version}:${wait.action_index}`;
      if (!actions.has(key)) actions.set(key, await actionOf(change.trx, workspaceId, wait.workflow_id, Number(wait.version), Number(wait.action_index)));
      const known = actions.get(key);
      if (known) {
        if (!open.has(key)) open.set(key, anyStepHasEligible(known.action, agents));
        if (!open.get(key)) {
          // Nobody in any step: neither a timeout nor a preference dropping can place it, only a
          // change that drains the queue (and plans it again then). Polled, it was walked every 5 s.
          if (wait.next_check_at !== null) await setNextCheck(change.trx, workspaceId, wait.conversation_id, null);
          continue;
        }
      }
      const row = await findConversation(change.trx, workspaceId, wait.conversation_id);
      if (!row || row.status === 'resolved' || row.assignee_id !== null) {
        await deleteWait(change.trx, workspaceId, wait.conversation_id);
        continue;
      }
      if (row.status === 'snoozed') {
        // It keeps its place (and its waitingSince) while snoozed, and is placed once it wakes: the
        // wake drains the queue (`mayFreeAgents`), so until then there is nothing to poll for.
        if (wait.next_check_at !== null) await setNextCheck(change.trx, workspaceId, wait.conversation_id, null);
        continue;
      }
      const found = actions.get(key);
      if (!found) {
        // The workflow was deleted: nothing will place it; it stays unassigned for people to take.
        await deleteWait(change.trx, workspaceId, wait.conversation_id);
        continue;
      }
      const waitingSince = Number(row.waiting_since ?? wait.waiting_since);
      teamNames ??= await routingTeamNames(change.trx, workspaceId);
      const decision = planAssign(found.action, agents, { now: change.now, waitingSince, assigneeId: null, teamNames });
      if (decision.kind === 'assign') {
        // Waiting, whatever the row says: assignTo then deletes the queue row it is placed from.
        const c = { ...row, waiting_since: waitingSince };
        const rule = { workflowId: wait.workflow_id, name: found.name, version: Number(wait.version) };
        const done = await assignTo(change, agents, c, rule, null, { action: found.action, index: Number(wait.action_index) }, decision, { fromQueue: true, waitedMs: change.now - waitingSince });
        if (!done) return true; // the slot moved under us: the next pass plans again with fresh agents
        const saved = await updateConversation(change, row, { assignee_id: c.assignee_id, waiting_since: null, ...(c.team_id !== row.team_id ? { team_id: c.team_id } : {}) });
        if (!saved) throw new Error(`conversation ${row.id} changed under the workspace lock`);
        await change.publish('conversation.assigned', { conversation: toConversation(saved), data: { from: null, to: done.agentId } });
        return true;
      }
      const next = decision.kind === 'wait' ? decision.until : null;
      if ((wait.next_check_at === null ? null : Number(wait.next_check_at)) !== next) await setNextCheck(change.trx, workspaceId, wait.conversation_id, next);
    }
    return false;
  });
}

async function actionOf(db: Storage['db'], workspaceId: string, workflowId: string, version: number, index: number) {
  if (!(await findWorkflow(db, workspaceId, workflowId))) return null;
  const row = await findVersion(db, workspaceId, workflowId, version);
  if (!row) return null;
  const definition = versionDefinition(workflowId, version, row.definition);
  const action = definition.actions[index];
  return action?.type === 'assign' ? { action, name: definition.name } : null;
}

/** Polls, on the injected clock, for waits whose step times out (or preference drops) by now. */
export class RoutingQueueTimer {
  private schedule: { stop(): void } | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: Pick<Deps, 'storage' | 'clock'> & { drain: (workspaceId: string) => Promise<number> },
    private readonly clock: Clock,
    private readonly everyMs = 5_000,
    private readonly onError: (error: unknown) => void = (error) => logFailure('routing queue check', error),
  ) {}

  start(): void {
    this.schedule ??= repeat(this.clock, this.everyMs, () => this.check(), this.onError);
  }

  stop(): void {
    this.schedule?.stop();
    this.schedule = null;
  }

  /** Drains every workspace with a wait due now; one check at a time. */
  check(): Promise<void> {
    return (this.running ??= (async () => {
      for (const workspaceId of await dueWorkspaces(this.deps.storage.db, this.clock.now())) await this.deps.drain(workspaceId);
    })().finally(() => (this.running = null)));
  }

  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }
}
