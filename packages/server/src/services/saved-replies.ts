import { MAX_SAVED_REPLIES, SAVED_REPLY_VARIABLES, type CreateSavedReplyBody, type SavedReply, type UpdateSavedReplyBody } from '@baton/protocol';
import { placeholders, renderTemplate } from '@baton/rules';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { badRequest, conflict, limitReached, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { findAgent } from '../storage/agents.js';
import { findContact } from '../storage/contacts.js';
import { findConversation } from '../storage/conversations.js';
import { iso } from '../storage/mappers.js';
import {
  countSavedReplies,
  deleteSavedReplyRow,
  findByShortcut,
  findSavedReply,
  insertSavedReply,
  listSavedReplies,
  updateSavedReplyRow,
} from '../storage/saved-replies.js';
import type { SavedReplyRow } from '../storage/schema.js';
import { runCommand } from './change-runner.js';

/**
 * Saved replies: canned texts an admin (or the host, by API key) keeps per workspace, with
 * `{{contact.name}}`-style placeholders. The server checks the placeholders when one is saved
 * (an unknown name is a 400 on `body`, rather than a reply that goes out with `{{contact.nmae}}`
 * in it) and fills them in when asked: `GET /v1/saved-replies?conversationId=` returns each reply
 * `rendered` for that conversation's contact and the calling agent, with @baton/rules'
 * `renderTemplate` (no expressions: a template never runs code). The composer inserts the
 * rendered text, which the agent can still edit before sending.
 */

const KNOWN: ReadonlySet<string> = new Set(SAVED_REPLY_VARIABLES.map((v) => v.name));

const toSavedReply = (r: SavedReplyRow, rendered: string | null = null): SavedReply => ({
  id: r.id,
  name: r.name,
  shortcut: r.shortcut,
  body: r.body,
  rendered,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

function checkPlaceholders(body: string): void {
  const unknown = [...new Set(placeholders(body).filter((name) => !KNOWN.has(name)))];
  if (unknown.length) {
    throw badRequest(`unknown placeholder ${unknown.map((n) => `{{${n}}}`).join(', ')}`, [
      { path: ['body'], message: `unknown placeholder; known: ${[...KNOWN].map((n) => `{{${n}}}`).join(', ')}` },
    ]);
  }
}

async function checkShortcutFree(db: Parameters<typeof findByShortcut>[0], workspaceId: string, shortcut: string, self: string | null) {
  const taken = await findByShortcut(db, workspaceId, shortcut.toLowerCase());
  if (taken && taken.id !== self) throw conflict(`the shortcut ${shortcut} is taken by another saved reply`, { path: ['shortcut'], savedReplyId: taken.id });
}

export async function listReplies(deps: Deps, p: WorkspacePrincipal, conversationId: string | undefined): Promise<SavedReply[]> {
  const db = deps.storage.db;
  const rows = await listSavedReplies(db, p.workspaceId);
  if (conversationId === undefined) return rows.map((r) => toSavedReply(r));
  const conversation = await findConversation(db, p.workspaceId, conversationId);
  if (!conversation) throw notFound('conversation');
  const contact = await findContact(db, p.workspaceId, conversation.contact_id);
  const agent = p.kind === 'agent' ? await findAgent(db, p.workspaceId, p.agentId) : undefined;
  const vars = {
    contact: { name: contact?.name ?? null, firstName: contact?.name.split(/\s+/)[0] ?? null, email: contact?.email ?? null, phone: contact?.phone ?? null },
    agent: { name: agent?.name ?? null, firstName: agent?.name.split(/\s+/)[0] ?? null, username: agent?.username ?? null },
    conversation: { subject: conversation.subject, channel: conversation.channel },
  };
  return rows.map((r) => toSavedReply(r, renderTemplate(r.body, vars)));
}

export async function createReply(deps: Deps, p: WorkspacePrincipal, body: CreateSavedReplyBody): Promise<SavedReply> {
  checkPlaceholders(body.body);
  return runCommand(deps, async (trx) => {
    if ((await countSavedReplies(trx, p.workspaceId)) >= MAX_SAVED_REPLIES) {
      throw limitReached(`a workspace may have at most ${MAX_SAVED_REPLIES} saved replies; delete one before adding another`, { limit: MAX_SAVED_REPLIES });
    }
    if (body.shortcut) await checkShortcutFree(trx, p.workspaceId, body.shortcut, null);
    const now = deps.clock.now();
    const row: SavedReplyRow = {
      id: newId('sr', now),
      workspace_id: p.workspaceId,
      name: body.name,
      shortcut: body.shortcut ?? null,
      shortcut_lower: body.shortcut?.toLowerCase() ?? null,
      body: body.body,
      created_at: now,
      updated_at: now,
    };
    await insertSavedReply(trx, row);
    return toSavedReply(row);
  });
}

export async function updateReply(deps: Deps, p: WorkspacePrincipal, id: string, body: UpdateSavedReplyBody): Promise<SavedReply> {
  if (body.body !== undefined) checkPlaceholders(body.body);
  return runCommand(deps, async (trx) => {
    const row = await findSavedReply(trx, p.workspaceId, id);
    if (!row) throw notFound('saved reply');
    if (body.shortcut) await checkShortcutFree(trx, p.workspaceId, body.shortcut, id);
    const patch: Partial<SavedReplyRow> = { updated_at: deps.clock.now() };
    if (body.name !== undefined) patch.name = body.name;
    if (body.body !== undefined) patch.body = body.body;
    if (body.shortcut !== undefined) {
      patch.shortcut = body.shortcut;
      patch.shortcut_lower = body.shortcut?.toLowerCase() ?? null;
    }
    return toSavedReply((await updateSavedReplyRow(trx, p.workspaceId, id, patch))!);
  });
}

export async function deleteReply(deps: Deps, p: WorkspacePrincipal, id: string): Promise<{ ok: true }> {
  return runCommand(deps, async (trx) => {
    if (!(await deleteSavedReplyRow(trx, p.workspaceId, id))) throw notFound('saved reply');
    return { ok: true as const };
  });
}
