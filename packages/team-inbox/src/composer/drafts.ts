/**
 * Unsent text, per agent, conversation and composer tab, kept in `localStorage` so it survives a
 * reload: `baton:draft:<agent>:<conversation>:<reply|note>` (agent ids are unique across
 * workspaces). The composer writes them (./draft-storage.ts, in its chunk); the list marks rows
 * that have one ("Draft"), as Front and Intercom do, and hears here when one comes or goes.
 */
export type DraftTab = 'reply' | 'note';

const changes = new EventTarget();

export const draftKey = (agentId: string, conversationId: string, tab: DraftTab): string => `baton:draft:${agentId}:${conversationId}:${tab}`;

export const DRAFT_KEY = /^baton:draft:([^:]*):([^:]*):(?:reply|note)$/;
/**
 * "<agent>:<conversation>" of every draft, read from storage once: the list asks for each row it
 * renders as it scrolls, and a set answers without touching storage.
 */
let withDrafts: Set<string> | undefined;

function drafted(): Set<string> {
  if (withDrafts) return withDrafts;
  withDrafts = new Set();
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const m = DRAFT_KEY.exec(localStorage.key(i) ?? '');
      if (m) withDrafts.add(`${m[1]}:${m[2]}`);
    }
  } catch {
    /* storage that is full or blocked (private modes) only loses drafts */
  }
  return withDrafts;
}

// Another tab of this page wrote or cleared a draft (or storage was cleared): read them again.
globalThis.addEventListener?.('storage', (e: StorageEvent) => {
  if (e.key !== null && !DRAFT_KEY.test(e.key)) return;
  withDrafts = undefined;
  changes.dispatchEvent(new Event('change'));
});

/**
 * After the composer wrote or cleared a draft (./draft-storage.ts): whether "<agent>:<conversation>"
 * has one now. Listeners care whether a conversation has a draft, not about each keystroke.
 */
export function draftChanged(id: string, has: boolean): void {
  const set = drafted();
  if (has === set.has(id)) return;
  if (has) set.add(id);
  else set.delete(id);
  changes.dispatchEvent(new Event('change'));
}

/** Whether the agent left text in either tab of the conversation. */
export const hasDraft = (agentId: string, conversationId: string): boolean => drafted().has(`${agentId}:${conversationId}`);

/** Calls `listener` when a draft appears or goes (here or in another tab); returns the unsubscribe. */
export function onDraftsChange(listener: () => void): () => void {
  changes.addEventListener('change', listener);
  return () => changes.removeEventListener('change', listener);
}
