import type { Counts } from '@baton/protocol';
import type { Deps } from '../deps.js';
import type { OutboxRecord } from '../outbox/changes.js';
import { viewCounts } from '../services/conversations.js';

/** Counts to send one agent (to their agent room), as of a change of their workspace. */
export interface CountsUpdate {
  workspaceId: string;
  agentId: string;
  seq: number;
  counts: Counts;
}

/**
 * Where the socket layer gets view counts. The fan-out asks `afterBatch` after each relay batch and
 * sends what it returns; a socket gets `forAgent` once, after `ready`. An implementation may keep
 * per-agent state (what was last sent); `forget` says an agent has no socket left on this node.
 */
export interface CountsSource {
  /** The agent's counts now; they count as sent. */
  forAgent(workspaceId: string, agentId: string): Promise<Counts>;
  /** After a batch of committed changes: the counts that moved, for agents online on this node. */
  afterBatch(records: readonly OutboxRecord[], onlineAgentsOf: (workspaceId: string) => Iterable<string>): Promise<CountsUpdate[]>;
  forget(workspaceId: string, agentId: string): void;
}

/**
 * Counts by query: after every batch, each online agent of every workspace the batch touched gets
 * `viewCounts` (six capped `COUNT(*)`s), sent only when it differs from what they last got. The
 * cost is per online agent, not per affected agent (DESIGN §7a asks for the latter): maintained
 * counters (realtime/live-counts.ts, separate work) replace this class behind the same interface.
 */
export class QueriedCounts implements CountsSource {
  /** What each agent was last sent, as JSON, keyed `workspace:agent`. */
  private readonly lastSent = new Map<string, string>();

  constructor(private readonly deps: Deps) {}

  async forAgent(workspaceId: string, agentId: string): Promise<Counts> {
    const counts = await viewCounts(this.deps, workspaceId, agentId);
    this.lastSent.set(`${workspaceId}:${agentId}`, JSON.stringify(counts));
    return counts;
  }

  async afterBatch(records: readonly OutboxRecord[], onlineAgentsOf: (workspaceId: string) => Iterable<string>): Promise<CountsUpdate[]> {
    // Counts depend on who is asking (Mine, Mentioned, Unread), so each agent gets their own, once
    // per batch, at the batch's last seq of their workspace.
    const lastSeq = new Map<string, number>();
    for (const record of records) lastSeq.set(record.workspaceId, record.seq);
    const updates: CountsUpdate[] = [];
    for (const [workspaceId, seq] of lastSeq) {
      for (const agentId of onlineAgentsOf(workspaceId)) {
        const counts = await viewCounts(this.deps, workspaceId, agentId);
        const key = `${workspaceId}:${agentId}`;
        const json = JSON.stringify(counts);
        if (this.lastSent.get(key) === json) continue;
        this.lastSent.set(key, json);
        updates.push({ workspaceId, agentId, seq, counts });
      }
    }
    return updates;
  }

  forget(workspaceId: string, agentId: string): void {
    this.lastSent.delete(`${workspaceId}:${agentId}`);
  }
}
