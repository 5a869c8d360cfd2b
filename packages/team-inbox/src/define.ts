import '@baton/ui/define';
import { TeamInbox } from './team-inbox/team-inbox.js';
import { InboxViewNav } from './view-nav/view-nav.js';
import { InboxConversationList } from './conversation-list/conversation-list.js';
import { InboxSearch } from './search-box/search-box.js';
import { InboxNotificationBell } from './notification-bell/notification-bell.js';
import { InboxConversationHeader } from './conversation-header/conversation-header.js';
import { InboxTimeline } from './timeline/timeline.js';
import { InboxAvailabilitySwitch } from './availability-switch/availability-switch.js';

declare global {
  interface HTMLElementTagNameMap {
    'team-inbox': TeamInbox;
    'inbox-view-nav': InboxViewNav;
    'inbox-conversation-list': InboxConversationList;
    'inbox-search': InboxSearch;
    'inbox-notification-bell': InboxNotificationBell;
    'inbox-conversation-header': InboxConversationHeader;
    'inbox-timeline': InboxTimeline;
    'inbox-availability-switch': InboxAvailabilitySwitch;
  }
}

/** Safe to import twice (two bundles on one page): a tag already defined is left alone. */
function define(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}

// Parts first, so the root upgrades with its children ready. The reply box and the details pane
// (with "Assigned to") register themselves when <team-inbox> loads them, with the first open
// conversation.
define('inbox-view-nav', InboxViewNav);
define('inbox-conversation-list', InboxConversationList);
define('inbox-search', InboxSearch);
define('inbox-notification-bell', InboxNotificationBell);
define('inbox-conversation-header', InboxConversationHeader);
define('inbox-timeline', InboxTimeline);
define('inbox-availability-switch', InboxAvailabilitySwitch);
define('team-inbox', TeamInbox);
