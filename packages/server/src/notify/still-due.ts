import type { Deps } from '../deps.js';
import { findAgent, type StoredAgent } from '../storage/agents.js';
import { findConversation } from '../storage/conversations.js';
import { notificationReadAt } from '../storage/notifications.js';
import type { NotificationJobPayload } from './content.js';

/**
 * Why an email or push about a notification should no longer go out (`stale`), or the agent it is
 * for while it should.
 * The notifier decides at the notification's commit; the job runs later (behind other work, or as
 * a retry hours after an SMTP server said "try later"), and by then the news may be wrong or no
 * longer anyone's business: the agent was deactivated (a note's snippet must not reach an
 * ex-employee), already read it in Baton, or the conversation was handed on before the email went
 * ("assigned to you" about a conversation someone else now has).
 */
export async function stillDue(deps: Deps, workspaceId: string, job: NotificationJobPayload): Promise<{ agent: StoredAgent } | { stale: string }> {
  const db = deps.storage.db;
  const [agent, readAt, conversation] = await Promise.all([
    findAgent(db, workspaceId, job.agentId),
    notificationReadAt(db, workspaceId, job.notificationId),
    job.type === 'mentioned' ? undefined : findConversation(db, workspaceId, job.conversationId),
  ]);
  if (!agent || Number(agent.active) !== 1) return { stale: 'the agent was deactivated' };
  if (readAt !== null && readAt !== undefined) return { stale: 'the agent read it in Baton first' };
  // "Assigned to you" and "a conversation assigned to you was reopened" are only true while it is theirs.
  if (conversation !== undefined && conversation.assignee_id !== job.agentId) return { stale: 'the conversation is no longer assigned to the agent' };
  // The sender needs the agent too (the email's address): read once, here.
  return { agent };
}
