import type { View } from '@baton/protocol';

/** After the user opened a conversation (list, search, notification, deep link excluded). */
export interface InboxConversationOpenDetail {
  conversationId: string;
}
/** After the server accepted an assignment made in "Assigned to". */
export interface InboxAssignDetail {
  conversationId: string;
  assigneeId: string | null;
  previousAssigneeId: string | null;
}
/** After the server resolved (or reopened) a conversation. */
export interface InboxResolveDetail {
  conversationId: string;
}
/** The unread notification count changed (and on first load), for a host's title or nav badge. */
export interface InboxUnreadChangeDetail {
  /** Unread notifications (the bell's number). */
  unread: number;
  /** Of those, mentions (among the latest 50 notifications the inbox holds). */
  mentions: number;
}
/** A part asks the root to switch the list to a view. */
export interface InboxViewSelectDetail {
  view: View;
}
/** A part asks the root to open a conversation (a row, a search result, a notification). */
export interface InboxConversationSelectDetail {
  conversationId: string;
  /** A message or note of it to show: a search hit's, a mention's note. The timeline scrolls to it. */
  itemId?: string;
}

/** After the server accepted an edit from the details pane: which fields changed. */
export interface InboxConversationEditDetail {
  conversationId: string;
  changed: ('tags' | 'priority' | 'teamId' | 'subject')[];
}
/** After the server snoozed (`until` an ISO instant) or woke (`until: null`) a conversation. */
export interface InboxSnoozeDetail {
  conversationId: string;
  until: string | null;
}
/** After the server accepted the signed-in agent's "Available" / "Away". */
export interface InboxAvailabilityChangeDetail {
  agentId: string;
  availability: 'online' | 'away' | 'offline';
}

declare global {
  interface GlobalEventHandlersEventMap {
    'inbox-conversation-open': CustomEvent<InboxConversationOpenDetail>;
    'inbox-assign': CustomEvent<InboxAssignDetail>;
    'inbox-resolve': CustomEvent<InboxResolveDetail>;
    'inbox-reopen': CustomEvent<InboxResolveDetail>;
    'inbox-unread-change': CustomEvent<InboxUnreadChangeDetail>;
    'inbox-view-select': CustomEvent<InboxViewSelectDetail>;
    'inbox-conversation-select': CustomEvent<InboxConversationSelectDetail>;
    'inbox-conversation-edit': CustomEvent<InboxConversationEditDetail>;
    'inbox-snooze': CustomEvent<InboxSnoozeDetail>;
    'inbox-availability-change': CustomEvent<InboxAvailabilityChangeDetail>;
  }
}

type InboxEventName =
  | 'inbox-conversation-open'
  | 'inbox-assign'
  | 'inbox-resolve'
  | 'inbox-reopen'
  | 'inbox-unread-change'
  | 'inbox-view-select'
  | 'inbox-conversation-select'
  | 'inbox-conversation-edit'
  | 'inbox-snooze'
  | 'inbox-availability-change';
type DetailOf<N extends InboxEventName> = GlobalEventHandlersEventMap[N] extends CustomEvent<infer D> ? D : never;

/** Dispatches an inbox event the way every one of them travels: bubbling out of shadow roots. */
export function fire<N extends InboxEventName>(target: EventTarget, name: N, detail: DetailOf<N>): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
