import { z } from 'zod';

/** Every error the API returns has one of these codes; clients switch on the code, not the message. */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  /** A webhook URL or push endpoint on a loopback, private or other non-public address (BATON_PRIVATE_DESTINATIONS). */
  'destination_not_allowed',
  'malformed_json',
  'payload_too_large',
  'unsupported_media_type',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  /** A per-tenant cap is reached (webhooks per workspace, push subscriptions per agent); `details.limit` says which number. */
  'limit_reached',
  'version_conflict',
  /** 409: a reply sent with `seenSeq` while someone else's reply came after it; `details` is that reply's `{ seq, author }`. */
  'replied_meanwhile',
  /** A workflow the validator refuses; `details` is `{ errors, warnings }`, each error at its JSON path. */
  'workflow_invalid',
  'idempotency_key_reused',
  'idempotency_request_in_progress',
  'rate_limited',
  /**
   * 503: the database cannot be used right now (on PostgreSQL: it cannot be reached, or this node
   * is reconnecting after losing the connection that holds its serving lock). Retrying shortly is
   * safe (with an `Idempotency-Key` on writes); `Retry-After` says when.
   */
  'unavailable',
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
