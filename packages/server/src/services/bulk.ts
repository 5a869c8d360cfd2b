import type { BulkBody, BulkResult, Conversation } from '@baton/protocol';
import { normalizeTags } from '@baton/protocol';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { assign, setStatus, updateConversationFields } from './conversations.js';
import { checkSnoozeTime, snooze } from './snooze.js';

/**
 * `POST /v1/conversations/bulk`: one action on up to 100 conversations, each id its own command
 * (its own unit of work, with the same checks, events and counters as the single-conversation
 * route), so one id failing — another workspace's (not found), stale `ifMatch`, refused — fails
 * that id alone. The answer is 200 with a result per id, in the order given.
 *
 * With an `Idempotency-Key` the whole response is stored once every id has committed (by
 * http/idempotency.ts, after the handler): the per-id units must not take the request's reply, so
 * they run on a copy of `deps` without it. A crash between the ids' commits and that store lets a
 * retry run the ids again; every action repeats harmlessly (assigning to the same agent, resolving
 * a resolved conversation, snoozing to the same time, adding a tag it has are no-ops).
 */
export async function bulk(deps: Deps, p: WorkspacePrincipal, body: BulkBody): Promise<BulkResult[]> {
  // A bad time is the request's fault, not each conversation's: one 400 before any id runs.
  if (body.action === 'snooze' && body.until !== null) checkSnoozeTime(Date.parse(body.until), deps.clock.now());
  const { reply: _reply, ...unitDeps } = deps;
  const one = (id: string): Promise<Conversation> => {
    const ifMatch = body.ifMatch?.[id];
    switch (body.action) {
      case 'assign':
        return assign(unitDeps, p, id, { assigneeId: body.assigneeId, ...(body.teamId === undefined ? {} : { teamId: body.teamId }) }, ifMatch);
      case 'resolve':
        return setStatus(unitDeps, p, id, 'resolved', ifMatch);
      case 'reopen':
        return setStatus(unitDeps, p, id, 'open', ifMatch);
      case 'snooze':
        return snooze(unitDeps, p, id, body.until, ifMatch);
      case 'tag': {
        // In their one spelling, as stored: removing `VIP` removes `vip` (the patch normalizes what it adds again).
        const add = normalizeTags(body.add ?? []);
        const remove = new Set(normalizeTags(body.remove ?? []));
        return updateConversationFields(unitDeps, p, id, (tags) => ({ tags: [...tags, ...add].filter((t) => !remove.has(t)) }), ifMatch);
      }
    }
  };
  // Started together, they share group commits; each still runs under the workspace lock in turn.
  return Promise.all(
    body.ids.map(async (id): Promise<BulkResult> => {
      try {
        return { id, ok: true, status: 200, conversation: await one(id) };
      } catch (error) {
        if (!(error instanceof AppError)) {
          console.error('[baton] bulk action failed on one conversation', error);
          return { id, ok: false, status: 500, error: { code: 'internal', message: 'internal error' } };
        }
        const e: Extract<BulkResult, { ok: false }>['error'] = { code: error.code, message: error.message };
        if (error.details !== undefined) e.details = error.details;
        return { id, ok: false, status: error.status, error: e };
      }
    }),
  );
}
