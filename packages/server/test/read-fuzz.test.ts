import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routes, type RouteName, type RouteSpec } from '@baton/protocol';
import fc from 'fast-check';
import type { z } from 'zod';
import { ADMIN_TOKEN } from '../src/testing.js';
import { setup, type Fixture } from './support/write-routes.js';

/**
 * Random query strings and path ids on every read endpoint of the protocol table (fast-check).
 * Keys come from the route's query schema and from nowhere; values are awkward ones (empty, huge,
 * negative, fractional, another record's id, another kind of record's id, raw `%` escapes that do
 * not decode, a key given twice). Whatever the request: a 2xx whose body is the route's response
 * schema, or a 4xx with the error shape; never a 5xx. write-fuzz.test.ts does the same for bodies.
 *
 * BATON_READ_FUZZ_RUNS requests per endpoint (default 20), from BATON_READ_FUZZ_SEED (default 15).
 */

const RUNS = Number(process.env.BATON_READ_FUZZ_RUNS ?? 20);
const SEED = Number(process.env.BATON_READ_FUZZ_SEED ?? 15);

const READ_ROUTES = (Object.entries(routes) as [RouteName, RouteSpec][]).filter(([, spec]) => spec.method === 'get');

/** The keys a route's query schema knows (a strict object in every route that has one). */
function queryKeys(schema: z.ZodType | undefined): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Who may call the route, with the token to use; the first caller the route lists. */
function tokenFor(f: Fixture, callers: readonly string[]): string | undefined {
  const caller = callers[0];
  if (caller === 'apiKey') return f.ws.apiKey;
  if (caller === 'admin') return f.boss.token;
  if (caller === 'agent') return f.ana.token;
  if (caller === 'serverAdmin') return ADMIN_TOKEN;
  return undefined;
}

/** Values as they go on the wire, already encoded or deliberately not. */
const idsOf = (f: Fixture): string[] => [f.conv.id, f.resolved.id, f.contact.id, f.team.id, f.workflow.id, f.webhook.id, f.ana.id, f.savedReply.id];

function rawValues(f: Fixture): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...idsOf(f)),
    fc.constantFrom('', '0', '-1', '1.5', '1e309', '99999999999999999999', 'NaN', 'true', 'false', 'null', 'mine', 'all', 'open', 'applied', 'newest', 'relevance'),
    fc.constantFrom('%', '%ZZ', '%00', '%E9', '%C3%A9', '%F0%9F%92%A5', '+', '%2B', '..%2F..%2F', '%22%3E%3Cscript%3E', 'x'.repeat(5000)),
    fc.constantFrom('2026-12-01T00:00:00Z', '2026-13-45', 'yesterday', '1733011200000'),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  );
}

/** A query string: pairs of known or unknown keys and raw values, a key sometimes twice. */
function queryStrings(f: Fixture, known: string[]): fc.Arbitrary<string> {
  const key = known.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) }) : fc.string({ maxLength: 12 }).map(encodeURIComponent);
  const pair = fc.tuple(key, rawValues(f), fc.boolean()).map(([k, v, bare]) => (bare && v === '' ? k : `${k}=${v}`));
  return fc.array(pair, { maxLength: 5 }).map((pairs) => pairs.join('&'));
}

/** Path parameters: mostly a real id of some record (the right kind or not), sometimes junk. */
function pathFor(f: Fixture, template: string): fc.Arbitrary<string> {
  const params = template.match(/:[a-zA-Z]+/g) ?? [];
  if (params.length === 0) return fc.constant(template);
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...idsOf(f)) },
    { weight: 3, arbitrary: rawValues(f) },
    { weight: 1, arbitrary: fc.constantFrom('x', '%2F', 'a%2Fb', '..', '%2E%2E') },
  );
  return fc.array(value, { minLength: params.length, maxLength: params.length }).map((values) => {
    let path = template;
    // An empty segment would be another route's path (`/v1/conversations/` is the list).
    params.forEach((p, i) => (path = path.replace(p, values[i] || 'x')));
    return path;
  });
}

describe(`random query strings and ids on every read endpoint (${RUNS} each, seed ${SEED})`, () => {
  it('covers every GET route of the protocol table', () => {
    assert.ok(READ_ROUTES.length >= 28, `${READ_ROUTES.length} read routes`);
  });

  for (const [name, spec] of READ_ROUTES) {
    it(`${name}: GET ${spec.path}`, async (t) => {
      const f = await setup(t);
      const token = tokenFor(f, spec.callers);
      const requests = fc.sample(fc.tuple(pathFor(f, spec.path), queryStrings(f, queryKeys(spec.query))), { seed: SEED, numRuns: RUNS });
      const seen = new Map<number, number>();
      for (const [path, query] of requests) {
        const url = query ? `${path}?${query}` : path;
        const res = await f.server.request('GET', url, token ? { token } : {});
        const label = `GET ${url.slice(0, 300)} (seed ${SEED}) → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500, label);
        if (res.status >= 400) {
          assert.equal(typeof res.body?.error?.code, 'string', label);
          assert.equal(typeof res.body.error.message, 'string', label);
        } else {
          assert.equal(res.status, spec.status, label);
          const parsed = spec.response.safeParse(res.body);
          assert.ok(parsed.success, `${label}: not the route's response: ${parsed.error?.message.slice(0, 500)}`);
        }
      }
      t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries(seen))}`);
    });
  }
});
