import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError, badRequest } from '../errors.js';

const issuesOf = (error: z.ZodError) => error.issues.map((i) => ({ path: i.path, message: i.message, code: i.code }));

/**
 * Reads and validates a JSON body. Malformed JSON, a non-object, unknown fields or wrong types
 * are all 400 with the issues listed, before anything is written.
 */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (text.length > 0 && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new AppError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  let value: unknown;
  try {
    value = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw new AppError(400, 'malformed_json', 'the body is not valid JSON');
  }
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest('the body does not match the schema', issuesOf(result.error));
  return result.data;
}

/** For commands that take no body: nothing, or `{}`. */
export async function emptyBody(c: Context): Promise<void> {
  const text = (await c.req.text()).trim();
  if (text === '' || text === '{}') return;
  throw badRequest('this endpoint takes no body');
}

export function query<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw badRequest('the query string does not match the schema', issuesOf(result.error));
  return result.data;
}

/** `If-Match: 7` or `If-Match: "7"` → 7; absent → undefined. */
export function ifMatch(c: Context): number | undefined {
  const raw = c.req.header('if-match');
  if (raw === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(raw);
  if (!match) throw badRequest('If-Match must be a conversation version such as "7"');
  return Number(match[1]);
}
