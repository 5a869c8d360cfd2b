import type { ErrorCode } from '@baton/protocol';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A failure the caller caused or may see; `onError` renders it as `{ error: { code, message, details } }`. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const badRequest = (message: string, details?: unknown) => new AppError(400, 'validation_failed', message, details);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const unauthorized = (message = 'missing or invalid credentials') => new AppError(401, 'unauthorized', message);
export const conflict = (message: string, details?: unknown) => new AppError(409, 'conflict', message, details);
export const destinationNotAllowed = (message: string, details: { path: (string | number)[]; message: string }[]) =>
  new AppError(400, 'destination_not_allowed', message, details);
export const limitReached = (message: string, details: { limit: number }) => new AppError(409, 'limit_reached', message, details);
