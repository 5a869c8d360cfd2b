import type { Actor, PreferenceType } from '@baton/protocol';
import type { Deps } from '../deps.js';
import { findAgent } from '../storage/agents.js';
import { findConversation } from '../storage/conversations.js';
import { findWorkspace } from '../storage/workspaces.js';

/** What an email or push job carries: references only, so no customer text sits in the jobs table. */
export interface NotificationJobPayload {
  notificationId: string;
  type: PreferenceType;
  agentId: string;
  conversationId: string;
  actor: Actor;
  /** The note or message that caused it, for the optional snippet. */
  causeItemId: string | null;
  /** Push jobs: which of the agent's subscriptions. */
  subscriptionId?: string;
}

/**
 * What email and push say. By default only who did what and which conversation (its id and
 * channel) plus a link: no contact name, phone or email and no note or message text, because
 * notifications leave Baton for mail servers and push services. A workspace may opt in to a snippet.
 */
export interface NotificationContent {
  type: PreferenceType;
  /** Email subject and push title. */
  title: string;
  /** One sentence for the body. */
  sentence: string;
  conversationId: string;
  channel: string | null;
  link: string | null;
  snippet: string | null;
  /**
   * The conversation's subject (an email's subject line, say), only where the workspace lets
   * snippets out: it is the customer's words. An email's subject then names the conversation, so
   * twenty mentions in twenty conversations are not twenty identical subjects.
   */
  about: string | null;
}

export const SNIPPET_MAX = 120;

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The body on one line, at most `SNIPPET_MAX` UTF-16 units. A cut falls between graphemes: a code
 * unit count alone can halve an emoji's surrogate pair (a "\uFFFD" in the email) or split a flag or
 * an accent from its letter.
 */
export function snippetOf(body: string): string {
  const text = oneLine(body);
  if (text.length <= SNIPPET_MAX) return text;
  let end = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (end + segment.length > SNIPPET_MAX - 1) break;
    end += segment.length;
  }
  return `${text.slice(0, end).trimEnd()}…`;
}

/**
 * The workspace's link template with the ids filled in, else none. The host's page is where a
 * conversation opens (Baton serves no page of its own), and only the workspace's template says
 * where that is: a link to Baton's server (its `BATON_PUBLIC_URL`) answered 404.
 */
export function notificationLink(template: string | null, workspaceId: string, conversationId: string): string | null {
  if (!template) return null;
  return template.replaceAll('{conversationId}', encodeURIComponent(conversationId)).replaceAll('{workspaceId}', encodeURIComponent(workspaceId));
}

async function actorName(deps: Deps, workspaceId: string, actor: Actor): Promise<string | null> {
  if (actor.type === 'workflow') return 'A workflow';
  if (actor.type !== 'agent' || !actor.id) return null;
  const agent = await findAgent(deps.storage.db, workspaceId, actor.id);
  return agent ? oneLine(agent.name) : null;
}

export async function composeNotification(deps: Deps, workspaceId: string, job: NotificationJobPayload): Promise<NotificationContent> {
  const db = deps.storage.db;
  const [workspace, conversation, who] = await Promise.all([
    findWorkspace(db, workspaceId),
    findConversation(db, workspaceId, job.conversationId),
    actorName(deps, workspaceId, job.actor),
  ]);
  let title: string;
  let sentence: string;
  switch (job.type) {
    case 'mentioned':
      title = who ? `${who} mentioned you in a conversation` : 'You were mentioned in a conversation';
      sentence = who ? `${who} mentioned you in an internal note.` : 'You were mentioned in an internal note.';
      break;
    case 'assigned':
      title = who ? `${who} assigned a conversation to you` : 'A conversation was assigned to you';
      sentence = `${title}.`;
      break;
    case 'reopened':
      title = 'A conversation assigned to you was reopened';
      sentence = who ? `${who} reopened a conversation assigned to you.` : 'A conversation assigned to you was reopened.';
      break;
  }
  let snippet: string | null = null;
  const snippets = workspace !== undefined && Number(workspace.notification_snippets) === 1;
  const about = snippets && conversation?.subject ? snippetOf(conversation.subject) : null;
  if (snippets && job.causeItemId) {
    const item = await db
      .selectFrom('timeline')
      .select('body')
      .where('workspace_id', '=', workspaceId)
      .where('conversation_id', '=', job.conversationId)
      .where('id', '=', job.causeItemId)
      .executeTakeFirst();
    if (item?.body) snippet = snippetOf(item.body);
  }
  return {
    type: job.type,
    title,
    sentence,
    conversationId: job.conversationId,
    channel: conversation?.channel ?? null,
    link: notificationLink(workspace?.link_template ?? null, workspaceId, job.conversationId),
    snippet,
    about,
  };
}
