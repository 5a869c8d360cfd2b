import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';

/**
 * The request body limit (`config.bodyLimitBytes`): anything longer is 413 before a handler reads
 * a byte of it, so no partial body ever reaches a write. Handlers read the body with `c.req.text()`
 * (once; Hono caches it), which @hono/node-server 2 reads straight from Node's `IncomingMessage`.
 *
 * A declared `Content-Length` is checked here; Node's parser never delivers more bytes than that.
 * Only a body without one (chunked, or a `Request` built in process by `app.request()`) goes
 * through hono's `bodyLimit`, which counts the bytes as they stream and stops at the limit. It does
 * not see the declared-length case first: it touches `c.req.raw.body`, which makes the adapter
 * build the full fetch `Request` and web stream its lightweight request exists to avoid
 * (docs/decisions.md, "Request bodies").
 */
export function bodyLimit(limit: number): MiddlewareHandler<AppEnv> {
  const tooLarge = (c: Context): never => {
    // The rest of the body is never read, so the connection cannot carry another request.
    c.header('Connection', 'close');
    throw new AppError(413, 'payload_too_large', `bodies are limited to ${limit} bytes`);
  };
  const streamed = honoBodyLimit({ maxSize: limit, onError: tooLarge });
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined) return Number(declared) > limit ? tooLarge(c) : next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return streamed(c, next);
  };
}
