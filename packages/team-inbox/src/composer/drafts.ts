/**
 * Unsent text, per agent, conversation and composer tab, kept in `localStorage` so it survives a
 * reload: `baton:draft:<agent>:<conversation>:<reply|note>` (agent ids are unique across
 * workspaces). The composer writes them; the list marks rows that have one ("Draft"), as Front
 * and Intercom do, and hears here when one comes or goes.
 */
export type DraftTab = 'reply' | 'note';

const changes = new EventTarget();

export const draftKey = (agentId: string, conversationId: string, tab: DraftTab): string => `baton:draft:${agentId}:${conversationId}:${tab}`;

/** A draft; storage that is full or blocked (private modes) only loses drafts. */
export function readDraft(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

export function saveDraft(key: string, text: string): void {
  const had = readDraft(key) !== '';
  try {
    if (text) localStorage.setItem(key, text);
    else localStorage.removeItem(key);
  } catch {
    /* see readDraft */
  }
  // Listeners care whether a conversation has a draft, not about each keystroke.
  if (had !== (text !== '')) changes.dispatchEvent(new Event('change'));
}

/** Whether the agent left text in either tab of the conversation. */
export const hasDraft = (agentId: string, conversationId: string): boolean =>
  readDraft(draftKey(agentId, conversationId, 'reply')) !== '' || readDraft(draftKey(agentId, conversationId, 'note')) !== '';

/** Calls `listener` when a draft appears or goes (this page only); returns the unsubscribe. */
export function onDraftsChange(listener: () => void): () => void {
  changes.addEventListener('change', listener);
  return () => changes.removeEventListener('change', listener);
}
