import type { PresenceState } from '@baton/protocol';
import type { Clock, TimerHandle } from '../clock.js';

/** How long a `presence:typing` keeps an agent shown as typing after their last keystroke event. */
export const TYPING_TTL_MS = 6000;

interface Entry {
  agentId: string;
  /** The socket's workspace, which is the conversation's: handed to listeners with each change. */
  workspaceId: string;
  typing: TimerHandle | null;
}

export type PresenceListener = (conversationId: string, workspaceId: string, state: PresenceState) => void;

/**
 * Who is viewing or typing in which conversation, per socket, on this node. Feeds the collision
 * warning ("Ben is viewing", "Ben is typing a reply"). Typing lapses on the injected clock.
 */
export class PresenceBoard {
  private byConversation = new Map<string, Map<string, Entry>>();
  private listeners = new Set<PresenceListener>();

  constructor(private readonly clock: Clock) {}

  /** Calls `listener` on every change; returns the unsubscribe. */
  subscribe(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the agent has the conversation open right now (then email/push would only interrupt). */
  isViewing(agentId: string, conversationId: string): boolean {
    for (const entry of this.byConversation.get(conversationId)?.values() ?? []) if (entry.agentId === agentId) return true;
    return false;
  }

  view(socketId: string, agentId: string, workspaceId: string, conversationId: string): PresenceState {
    this.entry(socketId, agentId, workspaceId, conversationId);
    return this.changed(conversationId, workspaceId);
  }

  leave(socketId: string, conversationId: string): void {
    const sockets = this.byConversation.get(conversationId);
    const entry = sockets?.get(socketId);
    if (!sockets || !entry) return;
    if (entry.typing) this.clock.clearTimeout(entry.typing);
    sockets.delete(socketId);
    if (sockets.size === 0) this.byConversation.delete(conversationId);
    this.changed(conversationId, entry.workspaceId);
  }

  typing(socketId: string, agentId: string, workspaceId: string, conversationId: string): PresenceState {
    const entry = this.entry(socketId, agentId, workspaceId, conversationId);
    if (entry.typing) this.clock.clearTimeout(entry.typing);
    entry.typing = this.clock.setTimeout(() => {
      entry.typing = null;
      this.changed(conversationId, workspaceId);
    }, TYPING_TTL_MS);
    return this.changed(conversationId, workspaceId);
  }

  /** The agent sent what they were typing (a reply or a note): they stop typing there at once, not 6 s later. */
  sent(agentId: string, conversationId: string): void {
    let workspaceId: string | null = null;
    for (const entry of this.byConversation.get(conversationId)?.values() ?? []) {
      if (entry.agentId !== agentId || !entry.typing) continue;
      this.clock.clearTimeout(entry.typing);
      entry.typing = null;
      workspaceId = entry.workspaceId;
    }
    if (workspaceId) this.changed(conversationId, workspaceId);
  }

  state(conversationId: string): PresenceState {
    const entries = [...(this.byConversation.get(conversationId)?.values() ?? [])];
    const unique = (xs: string[]) => [...new Set(xs)].sort();
    return {
      conversationId,
      viewing: unique(entries.map((e) => e.agentId)),
      typing: unique(entries.filter((e) => e.typing).map((e) => e.agentId)),
    };
  }

  private entry(socketId: string, agentId: string, workspaceId: string, conversationId: string): Entry {
    const sockets = this.byConversation.get(conversationId) ?? new Map<string, Entry>();
    this.byConversation.set(conversationId, sockets);
    let entry = sockets.get(socketId);
    if (!entry) sockets.set(socketId, (entry = { agentId, workspaceId, typing: null }));
    return entry;
  }

  private changed(conversationId: string, workspaceId: string): PresenceState {
    const state = this.state(conversationId);
    for (const listener of this.listeners) listener(conversationId, workspaceId, state);
    return state;
  }
}
