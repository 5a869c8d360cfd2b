import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assertNothingWritten, databaseImage } from './support/database-image.js';
import { setup, WRITE_ROUTES, WRITES, type Fixture } from './support/write-routes.js';

/**
 * Random bodies on every write endpoint (fast-check): each is the endpoint's valid body with one to
 * three changes: a value swapped for an awkward one of its type (empty, huge, negative, another
 * record's id, a date in the past) or for anything at all, a key dropped, or a key added. bad-input.test.ts
 * lists the refusals one knows to write; this finds the ones nobody thought of. Whatever the body:
 * the answer is a 2xx, or a 4xx with the error shape that changed nothing; never a 5xx.
 *
 * BATON_WRITE_FUZZ_RUNS bodies per endpoint (default 12), from BATON_WRITE_FUZZ_SEED (default 14;
 * a failure prints the seed, the endpoint and the body).
 */

const RUNS = Number(process.env.BATON_WRITE_FUZZ_RUNS ?? 12);
const SEED = Number(process.env.BATON_WRITE_FUZZ_SEED ?? 14);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];
/**
 * `set` puts any value in a place; `nudge` one of the same type (a schema lets most of those
 * through, so they reach the handlers: an empty or huge string, another record's id, a negative
 * or fractional number, a list emptied or with its first item twice).
 */
type Change =
  | { kind: 'set'; at: number; value: Json }
  | { kind: 'nudge'; at: number; pick: number }
  | { kind: 'drop'; at: number }
  | { kind: 'add'; at: number; key: string; value: Json };

/** Every place in the body a change can land: the body itself, then each value below it. */
function places(value: Json, path: Path = []): { path: Path; value: Json }[] {
  const out = [{ path, value }];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...places(v, [...path, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...places(v, [...path, k]));
  return out;
}

/** What a `nudge` may put in place of a value of each type. */
interface SameType {
  strings: string[];
  numbers: number[];
}

function nudged(value: Json, pick: number, same: SameType): Json {
  if (typeof value === 'string') return same.strings[pick % same.strings.length]!;
  if (typeof value === 'number') return same.numbers[pick % same.numbers.length]!;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return [[], [...value, ...value.slice(0, 1)], [...value].reverse(), value.slice(0, 1)][pick % 4]!;
  return value;
}

function apply(body: Json, change: Change, same: SameType): Json {
  const copy = structuredClone(body);
  const all = places(copy);
  if (change.kind === 'add') {
    const objects = all.filter((p) => p.value && typeof p.value === 'object' && !Array.isArray(p.value));
    if (objects.length === 0) return copy;
    // Defined, not assigned: `o.__proto__ = v` would set the prototype, and JSON.stringify would leave the key out.
    Object.defineProperty(objects[change.at % objects.length]!.value, change.key, { value: change.value, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  const { path, value } = all[change.at % all.length]!;
  const replacement = change.kind === 'set' ? change.value : change.kind === 'nudge' ? nudged(value, change.pick, same) : undefined;
  if (path.length === 0) return replacement === undefined ? copy : replacement;
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], copy);
  const key = path.at(-1)!;
  if (replacement !== undefined) parent[key] = replacement;
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
  return copy;
}

/** Values worth trying: the edges of each type, and real ids of the wrong kind or of another workspace. */
function sameType(f: Fixture, otherWorkspaceIds: string[]): SameType {
  const day = 86_400_000;
  return {
    strings: [
      '',
      ' ',
      '\u200b',
      '\u202eevil',
      'é',
      '👩🏽‍💻',
      'x'.repeat(20_000),
      '{{contact.name}}',
      '<script>alert(1)</script>',
      "' OR 1=1 --",
      new Date(Date.now() - day).toISOString(),
      new Date(Date.now() + 400 * day).toISOString(),
      '2026-02-30T25:61:00Z',
      f.ana.id,
      f.boss.id,
      f.team.id,
      f.contact.id,
      f.conv.id,
      f.resolved.id,
      f.workflow.id,
      f.webhook.id,
      ...otherWorkspaceIds,
    ],
    numbers: [-1, 0, -0, 0.5, 1, 1e308, 2 ** 53 + 2, 10_001, 500, 501],
  };
}

function changes(same: SameType): fc.Arbitrary<Change[]> {
  const any = fc.oneof(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, fc.constantFrom<Json>(null, [], {}, [[[[]]]], ...same.strings, ...same.numbers));
  const change: fc.Arbitrary<Change> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('nudge' as const), at: fc.nat(), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: any }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.constantFrom('bogus', 'id', 'workspaceId', '__proto__', 'constructor'), value: any }) },
  );
  return fc.array(change, { minLength: 1, maxLength: 3 });
}

describe('random bodies on every write endpoint: never a 5xx, and a 4xx changes nothing', () => {
  for (const [name, spec] of WRITE_ROUTES) {
    const method = spec.method.toUpperCase();
    it(`${method} ${spec.path} (${name})`, async (t) => {
      const c = WRITES[name]!;
      const f = await setup(t);
      // Another workspace's records: their ids must be as unknown here as made-up ones.
      const other = await f.server.createWorkspace('Other');
      const { contact: theirContact } = (await other.api('POST', '/v1/contacts', { name: 'Theirs' })).body;
      const theirAgent = await other.addAgent('theirs');
      const { token, path } = c.target(f);
      const valid = (c.valid?.(f) ?? {}) as Json;
      const same = sameType(f, [theirContact.id, theirAgent.id]);
      const bodies = fc.sample(changes(same), { seed: SEED + name.length, numRuns: RUNS }).map((list) => list.reduce((body, change) => apply(body, change, same), valid));

      let before = await databaseImage(f.server);
      const statuses = new Map<number, number>();
      for (const body of bodies) {
        const label = `${method} ${path} (seed ${SEED + name.length}) with ${JSON.stringify(body).slice(0, 400)}`;
        const res = await f.server.request(method, path, { token, raw: JSON.stringify(body) });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500, `${label}: ${res.status} ${JSON.stringify(res.body)}`);
        if (res.status >= 400) {
          assert.equal(typeof res.body?.error?.code, 'string', `${label}: no error code in ${JSON.stringify(res.body)}`);
          assert.equal(typeof res.body.error.message, 'string', label);
          await assertNothingWritten(f.server, before, `${label}: refused with ${res.status} ${res.body.error.code}, but something changed`);
        } else {
          assert.ok(res.status >= 200 && res.status < 300, `${label}: ${res.status}`);
          // A delete that went through leaves nothing at the path to try more bodies on.
          if (method === 'DELETE') break;
          before = await databaseImage(f.server);
        }
      }
      t.diagnostic(`answers: ${[...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${n} × ${status}`).join(', ')}`);
    });
  }
});
