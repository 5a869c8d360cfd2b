// The composer's side of ./drafts.ts: reading and writing a draft's text. Only the reply box does,
// so this rides in its lazy chunk; the list, on the first paint, only asks which conversations have one.
import { DRAFT_KEY, draftChanged, draftKey } from './drafts.js';

/** A draft; storage that is full or blocked (private modes) only loses drafts. */
export function readDraft(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

export function saveDraft(key: string, text: string): void {
  try {
    if (text) localStorage.setItem(key, text);
    else localStorage.removeItem(key);
  } catch {
    /* see readDraft */
  }
  const m = DRAFT_KEY.exec(key);
  if (!m) return;
  const [, agentId = '', conversationId = ''] = m;
  const either = text !== '' || readDraft(draftKey(agentId, conversationId, 'reply')) !== '' || readDraft(draftKey(agentId, conversationId, 'note')) !== '';
  draftChanged(`${agentId}:${conversationId}`, either);
}
