import type { CreateWebhookBody, Webhook, WebhookCircuit, WebhookDelivery, WebhookDeliveriesQuery, WebhookEventType } from '@baton/protocol';
import type { Deps } from '../deps.js';
import { destinationNotAllowed, limitReached, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { phaseOf } from '../jobs/circuit.js';
import { refusedMessage, urlRefusal } from '../net/destinations.js';
import { runCommand } from '../services/change-runner.js';
import { findCircuit, type CircuitState } from '../storage/jobs.js';
import { iso } from '../storage/mappers.js';
import type { WebhookRow } from '../storage/schema.js';
import { deleteWebhook, findWebhook, insertWebhookWithin, listDeliveries, listWebhooks, webhookDestination } from '../storage/webhooks.js';
import type { DeliveryPayload } from './consumer.js';
import { newWebhookSecret } from './signing.js';

const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  url: r.url,
  events: JSON.parse(r.events) as WebhookEventType[],
  description: r.description,
  createdAt: iso(r.created_at),
});

/**
 * Creates an endpoint; the secret is returned here and never again. The URL must be an allowed
 * destination (net/destinations.ts), and a workspace has at most `limits.webhooksPerWorkspace`
 * live endpoints.
 */
export async function createWebhook(deps: Deps, workspaceId: string, body: CreateWebhookBody) {
  const refused = urlRefusal(deps.config.destinations, body.url);
  if (refused) throw destinationNotAllowed(refusedMessage('url', refused), [{ path: ['url'], message: refused }]);
  const now = deps.clock.now();
  const row: WebhookRow = {
    id: newId('wh', now),
    workspace_id: workspaceId,
    url: body.url,
    events: JSON.stringify(body.events),
    secret: newWebhookSecret(),
    description: body.description || null,
    created_at: now,
    deleted_at: null,
  };
  const limit = deps.config.limits.webhooksPerWorkspace;
  return runCommand(deps, async (trx) => {
    if (!(await insertWebhookWithin(trx, row, limit))) {
      throw limitReached(`a workspace may have at most ${limit} webhook endpoints; delete one before adding another`, { limit });
    }
    return { webhook: toWebhook(row), secret: row.secret };
  });
}

export async function webhooksOf(deps: Deps, workspaceId: string) {
  return { items: (await listWebhooks(deps.storage.db, workspaceId)).map(toWebhook) };
}

/** Deletes the endpoint; its pending deliveries are skipped in the same unit of work, so nothing more is sent to it. */
export async function removeWebhook(deps: Deps, workspaceId: string, id: string) {
  return runCommand(deps, async (trx) => {
    if (!(await deleteWebhook(trx, workspaceId, id, deps.clock.now()))) throw notFound('webhook');
    return { ok: true as const };
  });
}

/** The delivery log stays readable after the endpoint is deleted: it is the record of what was sent. */
export async function deliveriesOf(deps: Deps, workspaceId: string, id: string, q: WebhookDeliveriesQuery) {
  const hook = await findWebhook(deps.storage.db, workspaceId, id, { includeDeleted: true });
  if (!hook) throw notFound('webhook');
  const now = deps.clock.now();
  const circuit = await findCircuit(deps.storage.db, workspaceId, webhookDestination(id));
  // While the circuit is open nothing goes out before it closes, whatever a job's own schedule says.
  const pausedUntil = circuit && phaseOf(circuit, now) === 'open' ? circuit.openUntil! : 0;
  const page = await listDeliveries(deps.storage.db, workspaceId, id, {
    limit: q.limit,
    ...(q.cursor ? { beforeId: Number(q.cursor) } : {}),
    ...(q.status ? { status: q.status } : {}),
  });
  const items = page.jobs.map((job): WebhookDelivery => {
    const payload = JSON.parse(job.payload) as DeliveryPayload;
    // A claimed job's `next_run_at` is the end of its claim: until then the attempt is out (its
    // runner has not logged it); past it, the runner is gone and the job is due again.
    const pending = job.status === 'pending';
    const attemptStartedAt = pending && Number(job.next_run_at) > now ? job.attempt_started_at : null;
    return {
      id: payload.eventId,
      type: payload.type,
      status: job.status,
      attempts: Number(job.attempts),
      nextAttemptAt: pending && attemptStartedAt === null ? iso(Math.max(Number(job.next_run_at), pausedUntil)) : null,
      attemptingSince: attemptStartedAt === null ? null : iso(Number(attemptStartedAt)),
      createdAt: iso(job.created_at),
      finishedAt: job.finished_at === null ? null : iso(job.finished_at),
      lastError: job.last_error,
      attemptLog: (page.attempts.get(Number(job.id)) ?? []).map((a) => ({
        attempt: Number(a.attempt),
        at: iso(a.at),
        ok: Number(a.ok) === 1,
        statusCode: a.status_code === null ? null : Number(a.status_code),
        error: a.error,
        durationMs: Number(a.duration_ms),
      })),
    };
  });
  const last = page.jobs[page.jobs.length - 1];
  return { items, nextCursor: page.hasMore && last ? String(last.id) : null, circuit: circuitOf(circuit, now) };
}

function circuitOf(c: CircuitState | null, now: number): WebhookCircuit {
  const state = phaseOf(c, now);
  if (!c) return { state, failures: 0, pausedUntil: null, reason: null };
  const failed = `${c.failures} failed attempt${c.failures === 1 ? '' : 's'} in a row`;
  const reason =
    state === 'closed'
      ? `${failed}; last: ${c.lastError}`
      : state === 'open'
        ? `paused after ${failed}; last: ${c.lastError}`
        : `the pause after ${failed} is over (last: ${c.lastError}); the next attempt decides`;
  return { state, failures: c.failures, pausedUntil: state === 'open' ? iso(c.openUntil!) : null, reason };
}
