import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';

/**
 * Request bodies, read once per request and at most `bodyLimitBytes` long.
 *
 * On Node the bytes are read straight from the `IncomingMessage` that @hono/node-server hands over
 * as `c.env.incoming`. Going through `c.req` instead makes it build a full fetch `Request` (an
 * `AbortController`, a web `ReadableStream` over the socket, header conversion), which cost about
 * 0.13 ms a request, a third of what creating a conversation costs (docs/benchmarks.md). Elsewhere
 * (`app.request()` in tests, other runtimes) `c.req.text()` is the source.
 */

const BODY = 'batonBody';
type Env = AppEnv & { Variables: { [BODY]?: Promise<string> }; Bindings: { incoming?: IncomingMessage } };

function tooLarge(c: Context, limit: number): AppError {
  // The rest of the body is never read, so the connection cannot carry another request.
  c.header('Connection', 'close');
  return new AppError(413, 'payload_too_large', `bodies are limited to ${limit} bytes`);
}

/** Refuses a declared `Content-Length` over the limit before anything else runs. */
export const bodyLimit =
  (limit: number): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > limit) throw tooLarge(c, limit);
    return next();
  };

/** The request body as text (empty when there is none); later calls get the same text. */
export function bodyText(c: Context): Promise<string> {
  const ctx = c as unknown as Context<Env>;
  let body = ctx.get(BODY);
  if (!body) {
    const limit = ctx.var.deps.config.bodyLimitBytes;
    body = read(ctx, limit);
    ctx.set(BODY, body);
  }
  return body;
}

async function read(c: Context<Env>, limit: number): Promise<string> {
  const incoming = c.env?.incoming;
  // Already read through `c.req` (nothing here does that): then that is where the body is.
  if (!incoming || incoming.readableEnded) {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > limit) throw tooLarge(c, limit);
    return text;
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // A body sent without Content-Length (chunked) is refused as soon as it passes the limit. The
      // stream is paused, not destroyed: the 413 still has to go out on this socket.
      stop();
      incoming.pause();
      reject(tooLarge(c, limit));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size).toString('utf8'));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}
