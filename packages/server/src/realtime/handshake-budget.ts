import type { Clock } from '../clock.js';
import { KeyedBuckets, type Allowance } from '../token-bucket.js';

/**
 * Socket handshakes an agent may make: 30 at once, then one every 2 seconds. Each handshake reads
 * the credential, may replay up to 500 changes and sends the agent's counts; a script reconnecting
 * in a loop would spend that as fast as the server answers. People reconnect a few times a minute
 * at worst (a flapping network, ten tabs after a server restart), well inside it.
 */
export const HANDSHAKES_PER_AGENT: Allowance = { burst: 30, perSecond: 0.5 };

/**
 * Socket handshakes a workspace may make, all its agents together: an API key can mint tokens for
 * every agent, so the per-agent budget alone does not bound a tenant. `burst` at once lets a team
 * that size back in after a restart; the whole burst again takes 40 s. 2,000 by default
 * (`BATON_MAX_HANDSHAKES_PER_WORKSPACE`), so 50 a second.
 */
export function handshakesPerWorkspace(burst = 2000): Allowance {
  return { burst, perSecond: burst / 40 };
}
export const HANDSHAKES_PER_WORKSPACE: Allowance = handshakesPerWorkspace();

export interface HandshakeAllowances {
  perAgent?: Allowance;
  perWorkspace?: Allowance;
}

/**
 * The handshakes this node admits, per agent and per workspace, on the server's clock. A refused
 * handshake takes nothing from either budget, so a client retrying when told to gets in. Each node
 * counts its own handshakes: across nodes the bound is per node.
 */
export class HandshakeBudget {
  private readonly agents: KeyedBuckets;
  private readonly workspaces: KeyedBuckets;

  constructor(clock: Clock, allowances: HandshakeAllowances = {}) {
    this.agents = new KeyedBuckets(clock, allowances.perAgent ?? HANDSHAKES_PER_AGENT);
    this.workspaces = new KeyedBuckets(clock, allowances.perWorkspace ?? HANDSHAKES_PER_WORKSPACE);
  }

  /** 0 when the handshake may go on (and is counted); otherwise the milliseconds until it may. */
  admit(workspaceId: string, agentId: string): number {
    const agent = this.agents.of(`${workspaceId}:${agentId}`);
    const workspace = this.workspaces.of(workspaceId);
    const waitMs = Math.max(agent.waitMs(), workspace.waitMs());
    if (waitMs > 0) return waitMs;
    agent.take();
    workspace.take();
    return 0;
  }
}
