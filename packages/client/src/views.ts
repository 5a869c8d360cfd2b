import type { Conversation, View } from '@baton/protocol';

/**
 * Whether a conversation belongs in a view for an agent (DESIGN §3 "Views"), from the
 * conversation alone. Mentioned and Unread also depend on mentions and read marks the client
 * does not hold, so for an open conversation they are `'unknown'`: ask the server.
 */
export function viewMembership(view: View, c: Conversation, agentId: string): boolean | 'unknown' {
  // Snoozed conversations are open to the API but in none of the open views, only in Snoozed.
  const snoozed = c.status === 'open' && c.snoozedUntil !== null;
  const open = c.status === 'open' && !snoozed;
  switch (view) {
    case 'mine':
      return open && c.assigneeId === agentId;
    case 'unassigned':
      return open && c.assigneeId === null;
    case 'all':
      return open;
    case 'resolved':
      return c.status === 'resolved';
    case 'snoozed':
      return snoozed;
    case 'mentioned':
    case 'unread':
      return open ? 'unknown' : false;
  }
}

/** The server's list order: newest activity first, ties by id, descending. */
export function byActivity(a: Pick<Conversation, 'lastMessageAt' | 'id'>, b: Pick<Conversation, 'lastMessageAt' | 'id'>): number {
  const t = Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt);
  if (t !== 0) return t;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
