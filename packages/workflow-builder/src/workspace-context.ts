import { createContext } from '@lit/context';
import type { Agent, Team } from '@baton/protocol';

/** What the builder's parts pick from: the workspace's teams and agents (with their open load), and who is signed in. */
export interface Workspace {
  teams: Team[];
  agents: (Agent & { openAssigned?: number })[];
  me: Agent | null;
  /** The workspace's IANA time zone, which `time.*` conditions use. */
  timeZone?: string;
  /** The tags the rules name, suggested by tag inputs after the workspace's in use (which the editor asks the server for). */
  tags?: string[];
}

export const workspaceContext = createContext<Workspace>(Symbol('baton/workflow-workspace'));
