import type { MessageItem, Transcript } from '@baton/protocol';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { iso, toTimelineItem } from '../storage/mappers.js';
import { findConversation } from '../storage/conversations.js';
import { listMessages } from '../storage/transcript.js';

/**
 * The customer-facing export of a conversation: its messages in order, and only the conversation
 * fields a customer may see. Notes, events, tags and assignees stay inside Baton.
 */
export async function transcript(deps: Deps, p: WorkspacePrincipal, id: string, after: number, limit: number): Promise<Transcript> {
  const row = await findConversation(deps.storage.db, p.workspaceId, id);
  if (!row) throw notFound('conversation');
  const rows = await listMessages(deps.storage.db, p.workspaceId, id, after, limit);
  const items = rows.map(toTimelineItem).filter((i): i is MessageItem => i.kind === 'message');
  return {
    conversation: { id: row.id, contactId: row.contact_id, channel: row.channel, subject: row.subject, createdAt: iso(row.created_at) },
    items,
    nextAfter: rows.length === limit ? items[items.length - 1]!.seq : null,
  };
}
