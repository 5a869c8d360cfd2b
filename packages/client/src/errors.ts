import type { ErrorCode } from '@baton/protocol';

/**
 * Codes the SDK adds for failures that never produced a server error body: the request did not
 * get an answer (`network_error`), or the answer was not Baton's error shape (`unexpected_response`).
 */
export type ClientErrorCode = 'network_error' | 'unexpected_response';

/**
 * Every failure the SDK reports. `code` is what callers switch on (the server's error codes plus
 * the two above); `status` is the HTTP status, or 0 when there was none (network failure, socket ack).
 */
export class BatonApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BatonApiError';
  }

  /** Builds the error from a response body; anything not in Baton's `{ error: … }` shape is kept as details. */
  static fromBody(status: number, body: unknown): BatonApiError {
    const error = (body as { error?: unknown } | null)?.error as { code?: unknown; message?: unknown; details?: unknown } | undefined;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      return new BatonApiError(status, error.code as ErrorCode, error.message, error.details);
    }
    return new BatonApiError(status, 'unexpected_response', `unexpected HTTP ${status} response`, body);
  }
}
