import type { Counts } from '@baton/protocol';
import type { OutboxRecord } from '../outbox/changes.js';
import type { Db } from '../storage/db.js';
import type { CountsSource, CountsUpdate } from './counts-source.js';
import { countsOf, NO_AGENT_COUNTERS, readCounters, type AgentCounters, type WorkspaceCounters } from '../storage/view-counters.js';

/** Counter values and the workspace seq they are as of: a value never replaces a newer one. */
interface Known<T> {
  seq: number;
  values: T;
}

interface AgentEntry extends Known<AgentCounters> {
  /** What the agent was last sent, so unchanged counts are not sent again. */
  sent: Counts | null;
}

interface WorkspaceEntry {
  counters: Known<WorkspaceCounters>;
  agents: Map<string, AgentEntry>;
}

const EMPTY_WORKSPACE: WorkspaceCounters = Object.freeze({ open: 0, unassigned: 0, resolved: 0, openInbound: 0, snoozed: 0 });

const sameCounts = (a: Counts, b: Counts) =>
  a.mine === b.mine && a.unassigned === b.unassigned && a.mentioned === b.mentioned && a.unread === b.unread && a.all === b.all && a.resolved === b.resolved && a.snoozed === b.snoozed;

/**
 * Every online agent's view counts, kept in memory by the socket fan-out (realtime/fan-out.ts).
 *
 * An agent's counts follow from their workspace's counters and their own (storage/view-counters.ts).
 * Both are read once when the agent connects; after that, each committed change's outbox row
 * carries the counters it moved, as they are after it (the workspace's always, an agent's when the
 * change moved them), so after a batch of changes every online agent's counts are computed here with
 * no query, and sent only to those whose counts moved. A change costs the fan-out work for the
 * workspace's online agents in memory, and database work for nobody.
 *
 * Values carry the workspace seq they are as of and never replace newer ones: a counter read at
 * connect time may already include changes the fan-out has not reached, and those rows then bring
 * nothing older. Rows written before the counters existed (no `counters` in the payload) make the
 * fan-out read the counters of that workspace's online agents from the database instead.
 */
export class LiveCounts implements CountsSource {
  private readonly workspaces = new Map<string, WorkspaceEntry>();

  constructor(private readonly db: Db) {}

  /** The agent's counts now (one read of the database), remembered as what the caller sends them. */
  async forAgent(workspaceId: string, agentId: string): Promise<Counts> {
    const { workspace, agent } = await this.load(workspaceId, agentId);
    const counts = countsOf(workspace.counters.values, agent.values);
    agent.sent = counts;
    return counts;
  }

  /**
   * After the fan-out has handed a batch of committed changes to sockets: the counts of each online
   * agent (of the workspaces the batch touched) whose counts moved, tagged with the seq of the
   * workspace's last change in the batch. `onlineAgentsOf` lists who is connected to a workspace.
   */
  async afterBatch(records: readonly OutboxRecord[], onlineAgentsOf: (workspaceId: string) => Iterable<string>): Promise<CountsUpdate[]> {
    const lastSeq = new Map<string, number>();
    const legacy = new Set<string>();
    for (const record of records) {
      lastSeq.set(record.workspaceId, record.seq);
      const entry = this.workspaces.get(record.workspaceId);
      if (!entry) continue; // nobody of that workspace has counts here yet; a first load reads them
      const counters = record.payload.counters;
      if (!counters) {
        legacy.add(record.workspaceId);
        continue;
      }
      advance(entry.counters, record.seq, counters.workspace);
      for (const agentId in counters.agents) {
        const agent = entry.agents.get(agentId);
        if (agent) advance(agent, record.seq, counters.agents[agentId]!);
      }
    }
    const updates: CountsUpdate[] = [];
    for (const [workspaceId, seq] of lastSeq) {
      for (const agentId of onlineAgentsOf(workspaceId)) {
        let entry = this.workspaces.get(workspaceId);
        let agent = entry?.agents.get(agentId);
        if (!entry || !agent || legacy.has(workspaceId)) ({ workspace: entry, agent } = await this.load(workspaceId, agentId));
        const counts = countsOf(entry.counters.values, agent.values);
        if (agent.sent && sameCounts(agent.sent, counts)) continue;
        agent.sent = counts;
        updates.push({ workspaceId, agentId, seq, counts });
      }
    }
    return updates;
  }

  /** Stops keeping an agent's counts (their last socket here has gone). */
  forget(workspaceId: string, agentId: string): void {
    const entry = this.workspaces.get(workspaceId);
    if (!entry) return;
    entry.agents.delete(agentId);
    if (entry.agents.size === 0) this.workspaces.delete(workspaceId);
  }

  /** Reads an agent's counters and their workspace's, keeping whichever of each is newer. */
  private async load(workspaceId: string, agentId: string): Promise<{ workspace: WorkspaceEntry; agent: AgentEntry }> {
    const stored = await readCounters(this.db, workspaceId, agentId);
    const seq = stored?.seq ?? 0;
    let workspace = this.workspaces.get(workspaceId);
    if (!workspace) this.workspaces.set(workspaceId, (workspace = { counters: { seq, values: stored?.workspace ?? EMPTY_WORKSPACE }, agents: new Map() }));
    else advance(workspace.counters, seq, stored?.workspace ?? EMPTY_WORKSPACE);
    let agent = workspace.agents.get(agentId);
    if (!agent) workspace.agents.set(agentId, (agent = { seq, values: stored?.agent ?? NO_AGENT_COUNTERS, sent: null }));
    else advance(agent, seq, stored?.agent ?? NO_AGENT_COUNTERS);
    return { workspace, agent };
  }
}

function advance<T>(known: Known<T>, seq: number, values: T): void {
  if (seq < known.seq) return;
  known.seq = seq;
  known.values = values;
}
