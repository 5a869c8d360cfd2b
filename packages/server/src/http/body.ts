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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies are UTF-8 (RFC 8259 §8.1). Bytes that are not would otherwise be read as U+FFFD and
 * stored that way for good (the timeline is append-only), so the body is decoded once here,
 * strictly, and refused whole if it does not decode. Hono keeps the text for every later reader
 * (the idempotency key's fingerprint, `jsonBody`).
 */
export const utf8Body: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.header('content-length') === '0') return next();
  const bytes = await c.req.arrayBuffer();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new AppError(400, 'malformed_json', 'the body is not valid UTF-8');
  }
  // Hono's cache holds promises (its type says the value); hono's own validator fills it the same way.
  (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
  return next();
};
