import type {
  Actor,
  AssignBody,
  Conversation,
  Counts,
  CreateConversationBody,
  MessageItem,
  PostMessageBody,
  UpdateConversationBody,
  View,
} from '@baton/protocol';
import { normalizeTag, normalizeTags } from '@baton/protocol';
import type { Deps } from '../deps.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { WorkspacePrincipal } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import type { ConversationField } from '../outbox/changes.js';
import type { Change } from '../storage/change.js';
import { findAgent, findAgentsByUsernames, markAssignedAt } from '../storage/agents.js';
import { findContact } from '../storage/contacts.js';
import { deleteWait } from '../storage/routing-waits.js';
import { assignsOnReply } from '../storage/workspaces.js';
import {
  decodeCursor,
  encodeCursor,
  findConversation,
  insertConversation,
  listContactConversations,
  listView,
  updateConversation,
  type ListOptions,
} from '../storage/conversations.js';
import { toContact, toConversation, toTimelineItem } from '../storage/mappers.js';
import type { ContactRow, ConversationRow } from '../storage/schema.js';
import { findTeam } from '../storage/teams.js';
import { listTimeline, markRead, readMarks, recentInboundBodies, replyAfter, upsertMention } from '../storage/timeline.js';
import { countsOf, readCounters } from '../storage/view-counters.js';
import { runChange } from './change-runner.js';
import { createContactIn } from './contacts.js';
import { customerLanguage, RECENT_INBOUND } from './language.js';
import { mentionExcerpt, parseMentions } from './mentions.js';

const PREVIEW_LENGTH = 140;
const preview = (body: string) => (body.length > PREVIEW_LENGTH ? `${body.slice(0, PREVIEW_LENGTH - 1)}…` : body);

/** Reads the conversation inside the change, or 404 (also for another workspace's id). */
async function load(change: Change, id: string): Promise<ConversationRow> {
  const row = await findConversation(change.trx, change.workspaceId, id);
  if (!row) throw notFound('conversation');
  return row;
}

/** `If-Match` carries the version the caller last saw; a stale one gets 409 with the current state. */
function checkVersion(row: ConversationRow, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && Number(row.version) !== ifMatch) {
    throw new AppError(409, 'version_conflict', `conversation is at version ${row.version}, not ${ifMatch}`, {
      conversation: toConversation(row),
    });
  }
}

/**
 * Every command on one conversation starts here: the workspace lock first (so nothing it checks can
 * move before it writes), then the row (404), then `If-Match` (409) when the caller sent one.
 */
export async function lockConversation(change: Change, id: string, ifMatch?: number): Promise<ConversationRow> {
  await change.lock();
  const row = await load(change, id);
  checkVersion(row, ifMatch);
  return row;
}

export async function save(change: Change, row: ConversationRow, patch: Partial<ConversationRow>): Promise<ConversationRow> {
  const updated = await updateConversation(change, row, patch);
  // The workspace seq update at the start of every change serializes writers, so this only
  // fails if the row moved between our read and write inside one transaction: a bug, not a race.
  if (!updated) throw new AppError(409, 'version_conflict', 'conversation changed concurrently', { conversation: toConversation(row) });
  return updated;
}

async function requireAgentIn(change: Change, agentId: string, field: string) {
  const agent = await findAgent(change.trx, change.workspaceId, agentId);
  if (!agent) throw badRequest(`no agent ${agentId} in this workspace`, [{ path: [field], message: 'unknown agent' }]);
  if (Number(agent.active) !== 1) throw conflict(`agent ${agentId} is deactivated and cannot be assigned`, { path: [field], agentId, active: false });
  return agent;
}

/**
 * Reopens a resolved conversation because something new arrived, with an event saying why, and
 * tells the assignee (unless they caused it).
 */
async function reopenFor(change: Change, row: ConversationRow, actor: Actor, reason: string, cause: Record<string, unknown>) {
  await change.append(row.id, { kind: 'event', type: 'reopened', actor, data: { from: 'resolved', to: 'open', reason, ...cause } });
  if (row.assignee_id && !(actor.type === 'agent' && actor.id === row.assignee_id)) {
    await change.notify(row.assignee_id, 'reopened', row.id, actor);
  }
  return { status: 'open' as const, resolved_at: null };
}

/**
 * Wakes a snoozed conversation, with a `woke` event saying why (`timer`, `inbound_message`,
 * `manual`). It rejoins the open views at the top, as a reopened one does: nothing may rejoin the
 * open set below "now", where an agent's read bands could hide it from Unread (storage/read-bands.ts).
 */
export async function wakeFor(change: Change, row: ConversationRow, actor: Actor, reason: 'timer' | 'inbound_message' | 'manual', cause: Record<string, unknown>) {
  const until = row.snoozed_until === null ? null : new Date(Number(row.snoozed_until)).toISOString();
  await change.append(row.id, { kind: 'event', type: 'woke', actor, data: { reason, until, ...cause } });
  return { status: 'open' as const, snoozed_until: null, last_message_at: change.now };
}

export async function createConversation(deps: Deps, p: WorkspacePrincipal, body: CreateConversationBody): Promise<Conversation> {
  const actor = actorOf(p);
  return runChange(deps, p.workspaceId, async (change) => {
    await change.lock();
    let contact: ContactRow;
    if (body.contactId) {
      const found = await findContact(change.trx, p.workspaceId, body.contactId);
      if (!found) throw badRequest(`no contact ${body.contactId} in this workspace`, [{ path: ['contactId'], message: 'unknown contact' }]);
      contact = found;
    } else {
      contact = await createContactIn(change.trx, p.workspaceId, body.contact!, change.now);
    }
    const contactId = contact.id;
    const now = change.now;
    // The seqs are taken first so the row is inserted once with its final fields (the timeline's
    // foreign key needs the conversation to exist before its items).
    const createdSeq = await change.nextSeq();
    const messageSeq = body.message ? await change.nextSeq() : null;
    // From the host backend a first message is the customer writing in; from an agent it is outreach.
    const direction = p.kind === 'apiKey' ? 'inbound' : 'outbound';
    const inbound = body.message && direction === 'inbound';
    const row: ConversationRow = {
      id: newId('conv', now),
      workspace_id: p.workspaceId,
      contact_id: contactId,
      channel: body.channel,
      source: body.source ?? null,
      subject: body.subject ?? null,
      status: 'open',
      assignee_id: null,
      team_id: null,
      tags: JSON.stringify(normalizeTags(body.tags ?? [])),
      priority: body.priority ?? 'normal',
      version: 1,
      created_at: now,
      last_message_at: now,
      last_inbound_at: inbound ? now : null,
      last_inbound_seq: inbound ? messageSeq : null,
      resolved_at: null,
      waiting_since: null,
      preview: body.message ? preview(body.message.body) : null,
      last_message_direction: body.message ? direction : null,
      last_message_author_type: body.message ? actor.type : null,
      last_message_author_id: body.message ? actor.id : null,
      last_message_sent_at: body.message ? now : null,
      snoozed_until: null,
      language: customerLanguage(contact.language, inbound ? [body.message!.body] : [], null),
    };
    await insertConversation(change, row);
    await change.append(row.id, { kind: 'event', type: 'created', actor, data: { channel: row.channel, source: row.source } }, createdSeq);
    if (body.message) {
      const message = { kind: 'message', direction, channel: row.channel, body: body.message.body, author: actor } as const;
      await change.append(row.id, message, messageSeq!);
      if (p.kind === 'agent') await markRead(change, row, p.agentId, messageSeq!);
    }
    const conversation = toConversation(row);
    await change.publish('conversation.created', { conversation });
    return conversation;
  });
}

export async function getConversation(deps: Deps, p: WorkspacePrincipal, id: string): Promise<Conversation> {
  const row = await findConversation(deps.storage.db, p.workspaceId, id);
  if (!row) throw notFound('conversation');
  return toConversation(row);
}

export async function listConversations(
  deps: Deps,
  p: WorkspacePrincipal & { kind: 'agent' },
  view: View,
  limit: number,
  cursor: string | undefined,
  options: ListOptions = {},
) {
  const position = cursor === undefined ? null : decodeCursor(cursor);
  if (cursor !== undefined && !position) throw badRequest('cursor is not one this server issued', [{ path: ['cursor'], message: 'invalid cursor' }]);
  // Tags are stored in their one spelling, so `tag=VIP` asks for `vip`.
  const tag = options.filters?.tag;
  if (tag !== undefined) options = { ...options, filters: { ...options.filters, tag: normalizeTag(tag) } };
  const page = await listView(deps.storage.db, p.workspaceId, p.agentId, view, limit, position, deps.readBands, options);
  const marks = await readMarks(deps.storage.db, p.agentId, page.rows.map((r) => r.id));
  return {
    items: page.rows.map((r) => Object.assign(toConversation(r), { readSeq: marks.get(r.id) ?? null })),
    nextCursor: page.next ? encodeCursor(page.next) : null,
  };
}

/** The agent's six view counts, from the counters every change keeps (storage/view-counters.ts): one read. */
export async function viewCounts(deps: Deps, workspaceId: string, agentId: string): Promise<Counts> {
  const stored = await readCounters(deps.storage.db, workspaceId, agentId);
  if (!stored) throw notFound('workspace');
  return countsOf(stored.workspace, stored.agent);
}

export async function timeline(deps: Deps, p: WorkspacePrincipal, id: string, after: number, limit: number) {
  await getConversation(deps, p, id);
  const rows = await listTimeline(deps.storage.db, p.workspaceId, id, after, limit);
  const items = rows.map(toTimelineItem);
  return { items, nextAfter: rows.length === limit ? items[items.length - 1]!.seq : null };
}

export async function postMessage(deps: Deps, p: WorkspacePrincipal, id: string, body: PostMessageBody) {
  if (p.kind === 'agent' && body.direction === 'inbound') {
    throw forbidden('agents send replies (direction outbound); inbound messages come from the host backend');
  }
  const actor = actorOf(p);
  return runChange(deps, p.workspaceId, async (change) => {
    const row = await lockConversation(change, id);
    if (body.seenSeq !== undefined) {
      const theirs = await replyAfter(change.trx, p.workspaceId, id, body.seenSeq, p.kind === 'agent' ? p.agentId : null);
      // Only what a rerun of the group (storage/group-commit.ts) writes the same: the reply's seq and
      // author. Its id may be that of a first try that was rolled back and ran again.
      if (theirs) {
        const reply = toTimelineItem(theirs) as MessageItem;
        throw new AppError(409, 'replied_meanwhile', 'someone else replied after the reply this one was written against; nothing was sent', { seq: reply.seq, author: reply.author });
      }
    }
    const message = await change.append(id, {
      kind: 'message',
      direction: body.direction,
      channel: body.channel ?? row.channel,
      body: body.body,
      author: actor,
    });
    const patch: Partial<ConversationRow> = {
      last_message_at: change.now,
      preview: preview(body.body),
      // Who the list row names ("You:", "Ana:"), in the UPDATE that runs anyway (migration 0030).
      last_message_direction: body.direction,
      last_message_author_type: actor.type,
      last_message_author_id: actor.id,
      last_message_sent_at: change.now,
    };
    if (body.direction === 'inbound') {
      patch.last_inbound_at = change.now;
      patch.last_inbound_seq = message.seq;
      const contact = await findContact(change.trx, p.workspaceId, row.contact_id);
      const inbound = contact?.language ? [] : await recentInboundBodies(change.trx, p.workspaceId, id, RECENT_INBOUND);
      const language = customerLanguage(contact?.language ?? null, inbound, row.language);
      if (language !== row.language) patch.language = language;
    }
    if (row.status === 'resolved') {
      const reason = body.direction === 'inbound' ? 'inbound_message' : 'reply';
      Object.assign(patch, await reopenFor(change, row, actor, reason, { messageId: message.id }));
    } else if (row.status === 'snoozed' && body.direction === 'inbound') {
      // The customer wrote back: the snooze is over. A reply of ours leaves it snoozed (waiting on them).
      Object.assign(patch, await wakeFor(change, row, actor, 'inbound_message', { messageId: message.id }));
    }
    // Whoever answered the customer owns the follow-up, where the workspace wants it (assignOnReply).
    const taker = p.kind === 'agent' && body.direction === 'outbound' && row.assignee_id === null && (await assignsOnReply(change.trx, p.workspaceId)) ? p.agentId : null;
    if (taker) {
      Object.assign(patch, { assignee_id: taker, waiting_since: null });
      // As a hand assignment (`assign`): the conversation leaves any routing queue it waited in.
      await deleteWait(change.trx, p.workspaceId, id);
      await change.append(id, { kind: 'event', type: 'assigned', actor, data: { from: null, to: taker, teamId: row.team_id, reason: 'reply' } });
      await markAssignedAt(change.trx, p.workspaceId, taker, change.now);
    }
    // Replying means you have read it.
    if (p.kind === 'agent') await markRead(change, row, p.agentId, message.seq);
    const conversation = toConversation(await save(change, row, patch));
    // One outbox row a change (its counters are flushed into it): the assignment rides inside, as a
    // reopen does, and webhooks tell it apart by its event (webhooks/events.ts).
    await change.publish('message.created', { conversation, data: { direction: body.direction, messageId: message.id } });
    return { message, conversation };
  });
}

export async function postNote(deps: Deps, p: WorkspacePrincipal & { kind: 'agent' }, id: string, body: string) {
  const actor = actorOf(p);
  return runChange(deps, p.workspaceId, async (change) => {
    const row = await lockConversation(change, id);
    // Unknown @names stay plain text; only active agents of this workspace are mentioned.
    const usernames = parseMentions(body);
    const mentioned = (await findAgentsByUsernames(change.trx, p.workspaceId, usernames)).filter((a) => Number(a.active) === 1).sort(
      (a, b) => usernames.indexOf(a.username_lower) - usernames.indexOf(b.username_lower),
    );
    const mentionIds = mentioned.map((a) => a.id);
    const note = await change.append(id, { kind: 'note', body, mentions: mentionIds, author: actor });
    for (const agent of mentioned) {
      await upsertMention(change, row, agent.id, note.seq);
      if (agent.id !== p.agentId) await change.notify(agent.id, 'mentioned', id, actor, { note: { id: note.id, excerpt: mentionExcerpt(body, agent.username_lower) } });
    }
    await markRead(change, row, p.agentId, note.seq);
    // A note does not change the conversation's fields (and never reopens it), so no version bump.
    const conversation = toConversation(row);
    await change.publish('note.created', { conversation, data: { noteId: note.id } });
    return { note: note as Extract<typeof note, { kind: 'note' }>, conversation };
  });
}

export async function assign(deps: Deps, p: WorkspacePrincipal, id: string, body: AssignBody, ifMatch: number | undefined) {
  const actor = actorOf(p);
  return runChange(deps, p.workspaceId, async (change) => {
    const row = await lockConversation(change, id, ifMatch);
    if (body.assigneeId !== null) await requireAgentIn(change, body.assigneeId, 'assigneeId');
    const teamId = body.teamId === undefined ? row.team_id : body.teamId;
    if (teamId !== null && teamId !== row.team_id && !(await findTeam(change.trx, p.workspaceId, teamId))) {
      throw badRequest(`no team ${teamId} in this workspace`, [{ path: ['teamId'], message: 'unknown team' }]);
    }
    if (body.assigneeId === row.assignee_id && teamId === row.team_id) return toConversation(row); // nothing to change

    const patch: Partial<ConversationRow> = { assignee_id: body.assigneeId, team_id: teamId, waiting_since: null };
    // A person's choice ends its place in the routing queue: unassigned by hand, it is there for
    // people and for rules' new triggers, not for the rule that queued it before.
    await deleteWait(change.trx, p.workspaceId, id);
    const from = row.assignee_id;
    if (body.assigneeId === null) {
      await change.append(id, { kind: 'event', type: 'unassigned', actor, data: { from, to: null, teamId } });
    } else {
      await change.append(id, { kind: 'event', type: 'assigned', actor, data: { from, to: body.assigneeId, teamId } });
      await markAssignedAt(change.trx, p.workspaceId, body.assigneeId, change.now);
      // You are not notified of what you did yourself.
      if (!(actor.type === 'agent' && actor.id === body.assigneeId)) await change.notify(body.assigneeId, 'assigned', id, actor);
    }
    const conversation = toConversation(await save(change, row, patch));
    if (body.assigneeId === null) await change.publish('conversation.unassigned', { conversation, data: { from, to: null } });
    else await change.publish('conversation.assigned', { conversation, data: { from, to: body.assigneeId } });
    return conversation;
  });
}

/**
 * PATCH: tags, priority, team, subject. Each field that really changes gets its own timeline event
 * (`tagged` with what was added and removed, `priority_changed`, `team_changed`, `subject_changed`,
 * each `{ from, to }`); a patch that changes nothing writes nothing and keeps the version.
 */
export async function updateConversationFields(
  deps: Deps,
  p: WorkspacePrincipal,
  id: string,
  body: UpdateConversationBody | ((tags: string[]) => UpdateConversationBody),
  ifMatch: number | undefined,
) {
  const actor = actorOf(p);
  return runChange(deps, p.workspaceId, async (change) => {
    const row = await lockConversation(change, id, ifMatch);
    // A function builds the patch from the tags as they are under the lock (the bulk `tag` action adds and removes).
    if (typeof body === 'function') body = body(JSON.parse(row.tags) as string[]);
    const patch: Partial<ConversationRow> = {};
    const changed: ConversationField[] = [];
    // Checked before anything is appended, so a refusal appends nothing (the unit rolls back anyway).
    if (body.teamId !== undefined && body.teamId !== null && body.teamId !== row.team_id && !(await findTeam(change.trx, p.workspaceId, body.teamId))) {
      throw badRequest(`no team ${body.teamId} in this workspace`, [{ path: ['teamId'], message: 'unknown team' }]);
    }
    if (body.tags !== undefined) {
      const before = JSON.parse(row.tags) as string[];
      const after = normalizeTags(body.tags);
      const added = after.filter((t) => !before.includes(t));
      const removed = before.filter((t) => !after.includes(t));
      if (added.length || removed.length) {
        patch.tags = JSON.stringify(after);
        changed.push('tags');
        await change.append(id, { kind: 'event', type: 'tagged', actor, data: { added, removed } });
      }
    }
    if (body.priority !== undefined && body.priority !== row.priority) {
      patch.priority = body.priority;
      changed.push('priority');
      await change.append(id, { kind: 'event', type: 'priority_changed', actor, data: { from: row.priority, to: body.priority } });
    }
    if (body.teamId !== undefined && body.teamId !== row.team_id) {
      patch.team_id = body.teamId;
      // Moved by hand to another team: it no longer waits in the old team's queue.
      if (row.waiting_since !== null) patch.waiting_since = null;
      await deleteWait(change.trx, p.workspaceId, id);
      changed.push('teamId');
      await change.append(id, { kind: 'event', type: 'team_changed', actor, data: { from: row.team_id, to: body.teamId } });
    }
    if (body.subject !== undefined && body.subject !== row.subject) {
      patch.subject = body.subject;
      changed.push('subject');
      await change.append(id, { kind: 'event', type: 'subject_changed', actor, data: { from: row.subject, to: body.subject } });
    }
    if (!changed.length) return toConversation(row); // nothing to change
    const conversation = toConversation(await save(change, row, patch));
    await change.publish('conversation.updated', { conversation, data: { changed } });
    return conversation;
  });
}

export async function setStatus(
  deps: Deps,
  p: WorkspacePrincipal,
  id: string,
  status: 'open' | 'resolved',
  ifMatch: number | undefined,
) {
  const actor = actorOf(p);
  return runChange(deps, p.workspaceId, async (change) => {
    const row = await lockConversation(change, id, ifMatch);
    // A snoozed conversation is open to callers: reopening it changes nothing (snooze with `until: null` wakes it).
    if ((row.status === 'snoozed' ? 'open' : row.status) === status) return toConversation(row); // already there: repeating it is harmless
    let patch: Partial<ConversationRow>;
    if (status === 'resolved') {
      await change.append(id, { kind: 'event', type: 'resolved', actor, data: { from: 'open', to: 'resolved' } });
      patch = { status: 'resolved', resolved_at: change.now, waiting_since: null, snoozed_until: null };
      await deleteWait(change.trx, p.workspaceId, id);
    } else {
      // Reopening moves the conversation to the top, as a reopening message does: nothing may
      // rejoin the open set below "now", where an agent's read bands could hide it from Unread.
      patch = { ...(await reopenFor(change, row, actor, 'manual', {})), last_message_at: change.now };
    }
    const conversation = toConversation(await save(change, row, patch));
    await change.publish(status === 'resolved' ? 'conversation.resolved' : 'conversation.reopened', { conversation });
    return conversation;
  });
}

export async function markConversationRead(deps: Deps, p: WorkspacePrincipal & { kind: 'agent' }, id: string) {
  return runChange(deps, p.workspaceId, async (change) => {
    // Locked before the row is read: how the mark moves the agent's Unread count depends on it.
    const row = await lockConversation(change, id);
    const seq = await change.nextSeq();
    await markRead(change, row, p.agentId, seq);
    await change.publish('conversation.read', { conversation: toConversation(row), data: { agentId: p.agentId, lastReadSeq: seq } });
    return { lastReadSeq: seq };
  });
}

export async function contactConversations(deps: Deps, p: WorkspacePrincipal, contactId: string) {
  const contact = await findContact(deps.storage.db, p.workspaceId, contactId);
  if (!contact) throw notFound('contact');
  const rows = await listContactConversations(deps.storage.db, p.workspaceId, contactId);
  return { contact: toContact(contact), items: rows.map(toConversation) };
}
