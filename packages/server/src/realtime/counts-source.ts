import type { Counts } from '@baton/protocol';
import type { OutboxRecord } from '../outbox/changes.js';

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
