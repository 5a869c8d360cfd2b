import { PREFERENCE_TYPES, type Notification, type PreferenceType, type TimelineItem } from '@baton/protocol';
import type { Deps } from '../deps.js';
import type { OutboxRecord } from '../outbox/changes.js';
import type { OutboxConsumer } from '../outbox/relay.js';
import { findAgent } from '../storage/agents.js';
import type { NotificationJobPayload } from './content.js';
import { EMAIL_DESTINATION, EMAIL_JOB } from './email.js';
import { enqueueJobs, jobCreatedBetween, markJobSkipped, type NewJob } from '../storage/jobs.js';
import { loadPreferences } from '../storage/preferences.js';
import { listPushSubscriptions } from '../storage/push-subscriptions.js';
import { PUSH_JOB, pushDestination } from './push.js';

export const NOTIFIER = 'notifier';
export const DEFAULT_COALESCE_MS = 10 * 60_000;
/**
 * An agent seen on a socket this recently is taken to be working in Baton: their email waits
 * `emailHoldMs` (default `DEFAULT_EMAIL_HOLD_MS`) and is dropped if they read the notification
 * meanwhile (notify/still-due.ts), as Intercom and Front email only what went unseen in the app.
 * Sockets refresh `last_seen_at` every 20 s (services/availability.ts), so twice that covers a beat missed.
 */
export const ACTIVE_WITHIN_MS = 40_000;
export const DEFAULT_EMAIL_HOLD_MS = 2 * 60_000;

type OutChannel = 'email' | 'push';

const isPreferenceType = (type: string): type is PreferenceType => (PREFERENCE_TYPES as readonly string[]).includes(type);

/** Jobs of one agent, conversation and type share a target, so the coalescing check is one index probe. */
const coalesceTarget = (n: Notification) => `${n.agentId}/${n.conversationId}/${n.type}`;

/** The note that mentioned them, or the message that reopened it; assignments have none. */
function causeOf(n: Notification, items: readonly TimelineItem[]): string | null {
  if (n.type === 'mentioned') return n.note?.id ?? null;
  if (n.type === 'reopened') return items.find((i) => i.kind === 'message')?.id ?? null;
  return null;
}

/** A job the notifier decided on, written with the rest of its batch (`notifierConsumer`). */
interface Decided {
  job: NewJob;
  /** The notification's time: the job's creation time, which the coalescing window reads. */
  at: number;
  /** Why it cannot run; it is written only to record that (no email address). */
  skipReason?: string;
}

/**
 * Turns committed notifications into email and push jobs. Durable, so after a crash it replays
 * from its stored place; each job's dedupe key is the notification id + channel (+ subscription),
 * so a replay never sends twice. Restraint: nothing by email/push while the agent has the
 * conversation open, and one email/push per agent, conversation and type per coalescing window
 * (in-app still lists every notification). Decisions are made at the notification's commit time,
 * so a replay decides the same way.
 *
 * A batch's jobs are written in one unit of work at its end: a unit per notification made the
 * notifier's pace one background commit per notification (docs/benchmarks.md, session 11). The
 * relay pumps each consumer on its own, so that wait holds only the notifier, not other consumers.
 */
export function notifierConsumer(deps: Deps, options: { coalesceMs?: number } = {}): OutboxConsumer {
  const coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
  const db = deps.storage.db;

  /**
   * Whether an earlier job already told the agent about this conversation and type within the
   * window: one decided earlier in this batch (not written yet), or one in the database.
   */
  const coalesced = async (decidedHere: Map<string, number>, workspaceId: string, kind: string, target: string, at: number) => {
    const here = decidedHere.get(`${workspaceId} ${kind} ${target}`);
    if (here !== undefined && here > at - coalesceMs && here <= at) return true;
    return jobCreatedBetween(db, workspaceId, kind, target, at - coalesceMs, at);
  };

  async function decide(record: OutboxRecord, n: Notification, listed: boolean, decidedHere: Map<string, number>): Promise<Decided[]> {
    if (!isPreferenceType(n.type)) return [];
    const type = n.type;
    // Without SMTP the server has no email channel at all: no job per notification to record as
    // skipped (that was two writes for every assignment a rule made, docs/benchmarks.md). Then push
    // is the only way out, and an agent without a push subscription (the usual case) can be told
    // nothing: one read answers, before the preferences and the coalescing probe (docs/benchmarks.md).
    const subscriptions = deps.config.smtpUrl ? null : await listPushSubscriptions(db, record.workspaceId, n.agentId);
    if (subscriptions?.length === 0) return [];
    const prefs = (await loadPreferences(db, record.workspaceId, n.agentId))[type];
    const channels = (['email', 'push'] as OutChannel[]).filter((c) => prefs[c] && (c !== 'email' || deps.config.smtpUrl));
    if (channels.length === 0) return [];
    // They are looking at it right now: another ping elsewhere would only interrupt.
    if (deps.presence.isViewing(n.agentId, n.conversationId)) return [];
    const at = Date.parse(n.createdAt);
    const target = coalesceTarget(n);
    const base: NotificationJobPayload = {
      notificationId: n.id,
      type,
      agentId: n.agentId,
      conversationId: n.conversationId,
      actor: n.actor,
      causeItemId: causeOf(n, record.payload.items),
    };
    const out: Decided[] = [];
    const decided = (kind: string) => decidedHere.set(`${record.workspaceId} ${kind} ${target}`, at);
    if (channels.includes('email') && !(await coalesced(decidedHere, record.workspaceId, EMAIL_JOB, target, at))) {
      const agent = await findAgent(db, record.workspaceId, n.agentId);
      const seenAt = agent?.last_seen_at ?? null;
      // Held only where the agent can see it in Baton: with in-app off for this type there is nothing to read there.
      const active = listed && seenAt !== null && at - Number(seenAt) <= ACTIVE_WITHIN_MS;
      const hold = deps.config.emailHoldMs ?? DEFAULT_EMAIL_HOLD_MS;
      out.push({
        job: {
          workspaceId: record.workspaceId,
          kind: EMAIL_JOB,
          target,
          destination: EMAIL_DESTINATION,
          dedupeKey: `notify:${n.id}:email`,
          payload: base,
          ...(active && hold > 0 ? { notBefore: at + hold } : {}),
        },
        at,
        ...(agent?.email ? {} : { skipReason: 'the agent has no email address' }),
      });
      decided(EMAIL_JOB);
    }
    if (channels.includes('push') && !(await coalesced(decidedHere, record.workspaceId, PUSH_JOB, target, at))) {
      for (const sub of subscriptions ?? (await listPushSubscriptions(db, record.workspaceId, n.agentId))) {
        out.push({
          job: {
            workspaceId: record.workspaceId,
            kind: PUSH_JOB,
            target,
            destination: pushDestination(sub.endpoint),
            dedupeKey: `notify:${n.id}:push:${sub.id}`,
            payload: { ...base, subscriptionId: sub.id },
          },
          at,
        });
        decided(PUSH_JOB);
      }
    }
    return out;
  }

  /** Writes a batch's jobs in one unit of work; how many of them can run. A job that cannot is recorded as skipped with the reason, not dropped silently. */
  const enqueue = (decided: readonly Decided[]) =>
    deps.storage.write(async (trx) => {
      let runnable = 0;
      for (const { job, at, skipReason } of decided) {
        const added = await enqueueJobs(trx, [job], at);
        if (added && skipReason) await markJobSkipped(trx, job.dedupeKey, skipReason, at);
        else runnable += added;
      }
      return runnable;
    }, 'background');

  return {
    name: NOTIFIER,
    durable: true,
    async handle(records) {
      const decided: Decided[] = [];
      const decidedHere = new Map<string, number>();
      for (const record of records) {
        for (const n of record.payload.notifications) decided.push(...(await decide(record, n, true, decidedHere)));
        for (const n of record.payload.unlisted ?? []) decided.push(...(await decide(record, n, false, decidedHere)));
      }
      if (decided.length > 0 && (await enqueue(decided)) > 0) deps.jobs.kick();
    },
  };
}
