import { jsonTooDeepAt, MAX_JSON_DEPTH } from '@baton/protocol';
import type { Context } from 'hono';
import { z } from 'zod';
import { AppError, badRequest } from '../errors.js';

// NUL is matched on purpose: SQLite cuts text at it and PostgreSQL refuses it.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Where a value sits in a body, as a chain to its parent: built into a path only for a finding. */
type Where = { key: string | number; parent: Where } | null;
const pathOf = (where: Where): (string | number)[] => {
  const path: (string | number)[] = [];
  for (let w = where; w; w = w.parent) path.unshift(w.key);
  return path;
};

/**
 * The first string or key a body may not hold, in one walk without recursion (bodies may nest
 * deep): text with a NUL or an unpaired surrogate, or a key named `__proto__` (an own key as
 * `JSON.parse` makes it, which schemas drop unchecked).
 */
function firstRefused(value: unknown): { path: (string | number)[]; reason: 'unstorable' | 'reserved_key' } | null {
  const stack: [unknown, Where][] = [[value, null]];
  while (stack.length > 0) {
    const [v, where] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return { path: pathOf(where), reason: 'unstorable' };
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, { key: i, parent: where }]));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const at = { key, parent: where };
        if (key === '__proto__') return { path: pathOf(at), reason: 'reserved_key' };
        if (UNSTORABLE.test(key)) return { path: pathOf(at), reason: 'unstorable' };
        stack.push([item, at]);
      }
    }
  }
  return null;
}

/** Any string (or key) with a NUL or an unpaired surrogate. */
const hasUnstorableText = (value: unknown): boolean => firstRefused(value)?.reason === 'unstorable';

const issuesOf = (error: z.ZodError) => error.issues.map((i) => ({ path: i.path, message: i.message, code: i.code }));

/**
 * The error's message names the first problem ("the body does not match the schema: body: longer
 * than 20,000 characters"), so an inbox that shows the message tells the agent what to change;
 * `details` lists them all for code.
 */
function schemaMessage(what: string, error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (!first) return `${what} does not match the schema`;
  const where = first.path.length ? `${first.path.join('.')}: ` : '';
  return `${what} does not match the schema: ${where}${first.message}${rest.length ? ` (and ${rest.length} more)` : ''}`;
}

/**
 * Reads and validates a JSON body. Malformed JSON, a non-object, unknown fields or wrong types
 * are all 400 with the issues listed, before anything is written. So is a body nested deeper than
 * `MAX_JSON_DEPTH`, measured without recursion before any schema sees it: zod's recursive
 * condition schema (and whatever else recurses) would overflow the stack on a `{"not":{"not":…}}`
 * some thousands deep, and `JSON.parse` alone happily builds one.
 */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (text.length > 0 && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new AppError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  // JSON is UTF-8; a body labelled otherwise would be read as something its sender did not mean.
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1];
  if (text.length > 0 && charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new AppError(415, 'unsupported_media_type', `send the body as UTF-8 JSON, not ${charset}`);
  }
  let value: unknown;
  try {
    value = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw new AppError(400, 'malformed_json', 'the body is not valid JSON');
  }
  // SQLite cuts text at a NUL and replaces lone surrogates, so the stored text would differ from
  // what the 201 echoed; PostgreSQL rejects NUL outright. Refuse both here instead.
  const tooDeep = jsonTooDeepAt(value);
  if (tooDeep) throw badRequest(`the body nests deeper than ${MAX_JSON_DEPTH} levels`, [{ path: tooDeep, message: `nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`, code: 'too_deep' }]);
  // Schemas drop a `__proto__` key (a record's included) instead of checking its value, which would
  // answer 2xx for something not stored.
  const refused = firstRefused(value);
  if (refused?.reason === 'unstorable') throw badRequest('text may not contain NUL characters or unpaired surrogates');
  if (refused) throw badRequest('a key may not be named __proto__', [{ path: refused.path, message: 'a key may not be named __proto__', code: 'reserved_key' }]);
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(schemaMessage('the body', result.error), issuesOf(result.error));
  return result.data;
}

/**
 * The path and query reach SQL as text (ids, filters, search terms) just as a body's strings do,
 * and PostgreSQL refuses a NUL in text outright (a 500 where SQLite found nothing). Nothing has an
 * id with a NUL or a lone surrogate, so such a path is a 404, as any unknown id is; such a query
 * value is a 400. Both before any handler reads them, on both engines. Only a URL with a percent
 * escape can carry one.
 */
export function refuseUnstorableUrl(c: Context): void {
  if (!c.req.url.includes('%')) return;
  const segments = c.req.path.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment; // malformed escapes are routed as written, and match no id
    }
  });
  if (hasUnstorableText(segments)) throw new AppError(404, 'not_found', 'nothing has an id with a NUL character or an unpaired surrogate');
  const unstorable = Object.entries(c.req.queries()).find(([key, values]) => hasUnstorableText([key, ...values]));
  if (unstorable) {
    throw badRequest('the query string may not contain NUL characters or unpaired surrogates', [
      { path: [unstorable[0]], message: 'contains a NUL character or an unpaired surrogate', code: 'unstorable_text' },
    ]);
  }
}

const NoBody = z.strictObject({});

/** For commands that take no body: nothing, or `{}` (checked like any body: 415, malformed JSON, unknown fields). */
export async function emptyBody(c: Context): Promise<void> {
  if ((await c.req.text()).trim() === '') return;
  await jsonBody(c, NoBody);
}

export function query<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  // No parameter takes a list: a second value would be dropped without a word.
  const repeated = Object.entries(c.req.queries()).find(([, values]) => values.length > 1);
  if (repeated) {
    throw badRequest(`the query string gives ${repeated[0]} ${repeated[1].length} times`, [
      { path: [repeated[0]], message: 'given more than once', code: 'repeated' },
    ]);
  }
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw badRequest(schemaMessage('the query string', result.error), issuesOf(result.error));
  return result.data;
}

/** `If-Match: 7` or `If-Match: "7"` → 7; absent → undefined. */
export function ifMatch(c: Context): number | undefined {
  const raw = c.req.header('if-match');
  // `*` means "whatever the current version is", as in HTTP.
  if (raw === undefined || raw.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(raw);
  if (!match) throw badRequest('If-Match must be a version number such as "7" (a conversation version, a workflow draftVersion)');
  return Number(match[1]);
}
