import type { Transaction } from 'kysely';
import { AppError } from '../errors.js';
import { saveReply, type KeyClaim, type StoredReply } from '../storage/idempotency.js';
import type { Database } from '../storage/schema.js';

/** A response as the route renders it: the body it sends, and the reply stored for retries (no secrets). */
export interface RenderedReply {
  body: unknown;
  stored: StoredReply;
}

type Render = (result: unknown) => RenderedReply;

/** What the unit of work carrying the command holds: it stores the reply, then hears whether it committed. */
export interface UnitReply {
  /** Renders the reply from the unit's result and stores it through the unit's own transaction. */
  store(trx: Transaction<Database>, result: unknown): Promise<void>;
  /** Called once the unit's transaction has committed. */
  committed(): void;
}

/**
 * The response of a request that holds an `Idempotency-Key`, written by the command's own unit of
 * work, so that the change and the response that answers its retries commit together or not at
 * all (docs/decisions.md). Before, the response was stored after the command had committed, and a
 * crash in between let a retry run the command a second time.
 *
 * The route says how its command's result becomes the response before the command runs
 * (`expect`, from http/reply.ts). The first unit of work the command runs through
 * `runCommand`/`runChange` takes that renderer (`take`), stores the rendered reply as its last
 * statement and, once its transaction has committed, records the result it rendered. The route
 * then answers with that same rendering, after checking that the command returned the unit's own
 * result (anything else would answer differently from what retries will get).
 *
 * A command that commits nothing through a unit (a refusal, whose unit rolled back; a token, which
 * writes nothing) leaves its response to be stored afterwards by http/idempotency.ts.
 *
 * One per request: the middleware puts it on that request's copy of `Deps` (`deps.reply`), never
 * on the process's own, so background work started by the request cannot take it. (Not an
 * AsyncLocalStorage: on Node 20 enabling one slows every promise in the process about 2.5×.)
 */
export class IdempotentReply {
  private render: Render | null = null;
  private stored: { result: unknown; reply: RenderedReply } | null = null;
  private afterwards: StoredReply | null = null;

  constructor(readonly claim: KeyClaim) {}

  /** The route's renderer, set before its command runs. */
  expect(render: Render): void {
    this.render = render;
  }

  /** For the unit that carries the command: the renderer, once; null for any later unit. */
  take(): UnitReply | null {
    const render = this.render;
    if (!render) return null;
    this.render = null;
    let pending: { result: unknown; reply: RenderedReply } | null = null;
    return {
      store: async (trx, result) => {
        const reply = render(result);
        if (!(await saveReply(trx, this.claim, reply.stored))) {
          // A retry took the key over after this request looked abandoned: it answers, this one must not commit.
          throw new AppError(409, 'idempotency_request_in_progress', 'another request with this Idempotency-Key took it over');
        }
        pending = { result, reply };
      },
      committed: () => {
        this.stored = pending;
      },
    };
  }

  /** True once a unit committed the stored reply: nothing may release or overwrite it. */
  get committed(): boolean {
    return this.stored !== null;
  }

  /**
   * The reply the command's unit committed, when the command returned that unit's result; null
   * when no unit stored one. A different result is a bug in the command (it would answer one thing
   * and replay another), so it throws.
   */
  committedReplyFor(result: unknown): RenderedReply | null {
    if (!this.stored) return null;
    if (this.stored.result !== result) throw new Error('the command returned something other than the result of the unit that stored its reply');
    return this.stored.reply;
  }

  /** A reply no unit stored, for the middleware to store once the handler is done. */
  storeAfterwards(reply: StoredReply): void {
    this.afterwards = reply;
  }

  get replyToStoreAfterwards(): StoredReply | null {
    return this.afterwards;
  }
}
