/**
 * Property tests: random condition trees and random facts, drawn from small pools so that
 * conditions hit and miss often.
 *
 * - The compiled evaluator agrees with a reference interpreter written here from the semantics in
 *   docs/rules.md (no shared code beyond the tree shape).
 * - `explainConditions` agrees with `compileConditions`, node by node.
 * - The static checks are sound: a tree called `never` never matches, `always` always does; when
 *   `implies(b, a)`, no facts match b and not a; `disjoint` trees never match together.
 * - The validator and the protocol schema agree: whatever validateWorkflow accepts, zod accepts,
 *   and compileConditions compiles exactly what validateWorkflow accepts (word lists within
 *   PHRASE_LIMITS; past them a list still compiles, so rules saved before the limits keep running).
 * - The word matchers (the compiled regex, the automaton) answer as `hasPhrase` does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { WorkflowDefinition, type ConditionNode, type ConditionTrace, type RuleCondition, type RuleFacts } from '@baton/protocol';
import { analyze, compileConditions, disjoint, explainConditions, implies, inflateTrace, recordConditions, validateWorkflow } from '../src/index.js';
import { fold, hasPhrase, phrase, phraseMatcher, PhraseSet, tokens, wordPrefilter } from '../src/text.js';

// -- Arbitraries -------------------------------------------------------------------------------

const CHANNELS = ['sms', 'email', 'whatsapp'];
const LANGS = ['es', 'pt', 'en'];
const TAGS = ['vip', 'spanish', 'spam'];
const TEAMS = ['tm_billing', 'tm_support', 'tm_sales'];
const WORDS = ['refund', 'error', 'api', 'not', 'working', 'reembolso', 'café'];
const PHRASES = [...WORDS, 'not working', 'api error'];
const PATTERNS = ['(?i)refund', '\\d+', '^not', 'caf.$'];

const leaf = (field: string, ops: readonly string[], value: fc.Arbitrary<unknown>) =>
  fc.record({ field: fc.constant(field), op: fc.constantFrom(...ops), value }).map((c) => c as RuleCondition);
const noValue = (field: string, ops: readonly string[]) => fc.constantFrom(...ops).map((op) => ({ field, op }) as RuleCondition);
const sorted = (a: number, b: number): [number, number] => (a <= b ? [a, b] : [b, a]);

// Per field, so pairs and groups of conditions on the same field (where implication and
// contradiction live) can be drawn on purpose.
const BY_FIELD: Record<string, fc.Arbitrary<RuleCondition>> = {
  'conversation.channel': fc.oneof(leaf('conversation.channel', ['eq', 'neq'], fc.constantFrom(...CHANNELS)), leaf('conversation.channel', ['in', 'not_in'], fc.subarray(CHANNELS))),
  'contact.language': fc.oneof(
    leaf('contact.language', ['eq', 'neq'], fc.constantFrom(...LANGS)),
    leaf('contact.language', ['in', 'not_in'], fc.subarray(LANGS)),
    noValue('contact.language', ['is_empty', 'is_set']),
  ),
  'conversation.team': fc.oneof(
    leaf('conversation.team', ['eq', 'neq'], fc.constantFrom(...TEAMS)),
    leaf('conversation.team', ['in', 'not_in'], fc.subarray(TEAMS)),
    noValue('conversation.team', ['is_empty', 'is_set']),
  ),
  'contact.tags': fc.oneof(leaf('contact.tags', ['contains_any', 'contains_all', 'contains_none'], fc.subarray(TAGS)), noValue('contact.tags', ['is_empty', 'is_set'])),
  'time.hour': fc.oneof(
    leaf('time.hour', ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'], fc.integer({ min: 0, max: 23 })),
    leaf('time.hour', ['between'], fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 })).map(([a, b]) => sorted(a, b))),
  ),
  'contact.attributes.seats': fc.oneof(
    leaf('contact.attributes.seats', ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'], fc.integer({ min: 0, max: 50 })),
    leaf('contact.attributes.seats', ['between'], fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 })).map(([a, b]) => sorted(a, b))),
    leaf('contact.attributes.seats', ['eq', 'neq'], fc.constant('10')),
    leaf('contact.attributes.seats', ['in', 'not_in'], fc.subarray(['10', 20, 30])),
  ),
  'contact.attributes.plan': fc.oneof(
    leaf('contact.attributes.plan', ['eq', 'neq', 'contains', 'starts_with', 'ends_with'], fc.constantFrom('pro', 'enterprise', 'free', 'Pro')),
    leaf('contact.attributes.plan', ['in', 'not_in'], fc.subarray(['pro', 'enterprise', 'free', 10])),
    noValue('contact.attributes.plan', ['is_empty', 'is_set']),
  ),
  'conversation.subject': fc.oneof(
    leaf('conversation.subject', ['eq', 'neq', 'contains', 'starts_with', 'ends_with'], fc.constantFrom('order', 'refund', 're: order')),
    noValue('conversation.subject', ['is_empty', 'is_set']),
  ),
  'message.body': fc.oneof(
    leaf('message.body', ['contains_any', 'contains_all', 'contains_none'], fc.subarray(PHRASES, { maxLength: 3 })),
    leaf('message.body', ['matches'], fc.constantFrom(...PATTERNS)),
    noValue('message.body', ['is_empty', 'is_set']),
  ),
};
const FIELDS = Object.keys(BY_FIELD);
const conditionArb: fc.Arbitrary<RuleCondition> = fc.oneof(...Object.values(BY_FIELD));
/** Two to four conditions on one field, some negated: where contradictions and implications are. */
const sameFieldArb: fc.Arbitrary<ConditionNode[]> = fc
  .constantFrom(...FIELDS)
  .chain((f) => fc.array(fc.oneof(BY_FIELD[f]!, BY_FIELD[f]!.map((not) => ({ not }) as ConditionNode)), { minLength: 2, maxLength: 4 }));

const treeArb: fc.Arbitrary<ConditionNode> = fc.letrec<{ node: ConditionNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 6, withCrossShrink: true },
    conditionArb,
    fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((all) => ({ all })),
    fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((any) => ({ any })),
    tie('node').map((not) => ({ not })),
  ),
})).node;

const factsArb: fc.Arbitrary<RuleFacts> = fc.record({
  conversation: fc.record({
    channel: fc.constantFrom('sms', 'email', 'whatsapp', 'SMS'),
    source: fc.constant(null),
    subject: fc.constantFrom(null, '', '  ', 'order', 'Re: Order 12', 'REFUND'),
    tags: fc.constant([]),
    priority: fc.constant('normal' as const),
    language: fc.constant(null),
    team: fc.constantFrom(null, ...TEAMS, 'tm_other'),
  }),
  contact: fc.record({
    name: fc.constant('Ana'),
    email: fc.constant(null),
    language: fc.constantFrom(null, 'es', 'pt', 'en', 'ES'),
    tags: fc.subarray(['VIP', 'vip', 'spanish', 'spam']),
    attributes: fc.record(
      { seats: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant('10')), plan: fc.constantFrom('pro', 'Enterprise', 'free', 'PRO', 10) },
      { requiredKeys: [] },
    ),
  }),
  message: fc.oneof(
    fc.constant(null),
    fc.array(fc.constantFrom(...WORDS, 'CAFE', 'Refund!', '42', 'hello'), { maxLength: 6 }).map((w) => ({ body: w.join(' ') })),
  ),
  time: fc.record({ weekday: fc.constant('mon' as const), hour: fc.integer({ min: 0, max: 23 }) }),
}) as fc.Arbitrary<RuleFacts>;

// -- Reference interpreter ---------------------------------------------------------------------

const foldRef = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
const wordsRef = (s: string) => foldRef(s).split(/[^\p{L}\p{N}']+/u).filter(Boolean);

function get(f: RuleFacts, field: string): unknown {
  if (field.startsWith('contact.attributes.')) return (f.contact.attributes as Record<string, unknown>)[field.slice(19)];
  if (field === 'message.body') return f.message ? f.message.body : undefined;
  const [group, key] = field.split('.') as [keyof RuleFacts, string];
  return (f[group] as Record<string, unknown>)[key];
}

function sameRef(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') return foldRef(actual) === foldRef(expected);
  return actual === expected;
}

function emptyRef(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

function hasPhraseRef(body: string, p: string): boolean {
  const w = wordsRef(body);
  const q = wordsRef(p);
  for (let i = 0; i + q.length <= w.length; i++) if (q.every((x, j) => w[i + j] === x)) return true;
  return false;
}

function leafRef(c: RuleCondition, f: RuleFacts): boolean {
  const a = get(f, c.field);
  const v = c.value as never;
  const list = (Array.isArray(v) ? v : []) as unknown[];
  const num = typeof a === 'number';
  if (c.field === 'message.body') {
    const body = typeof a === 'string' ? a : null;
    switch (c.op) {
      case 'contains_any': return body !== null && list.some((p) => hasPhraseRef(body, p as string));
      case 'contains_all': return list.every((p) => body !== null && hasPhraseRef(body, p as string));
      case 'contains_none': return !(body !== null && list.some((p) => hasPhraseRef(body, p as string)));
      case 'matches': {
        if (body === null) return false;
        const [flags, source] = (v as string).startsWith('(?i)') ? ['i', (v as string).slice(4)] : ['', v as string];
        return new RegExp(source, flags).test(body);
      }
    }
  }
  if (c.field.endsWith('.tags')) {
    const tags = ((a as string[]) ?? []).map(foldRef);
    switch (c.op) {
      case 'contains_any': return list.some((t) => tags.includes(foldRef(t as string)));
      case 'contains_all': return list.every((t) => tags.includes(foldRef(t as string)));
      case 'contains_none': return !list.some((t) => tags.includes(foldRef(t as string)));
    }
  }
  switch (c.op) {
    case 'eq': return sameRef(a, v);
    case 'neq': return !sameRef(a, v);
    case 'in': return list.some((x) => sameRef(a, x));
    case 'not_in': return !list.some((x) => sameRef(a, x));
    case 'contains': return typeof a === 'string' && foldRef(a).includes(foldRef(v));
    case 'starts_with': return typeof a === 'string' && foldRef(a).startsWith(foldRef(v));
    case 'ends_with': return typeof a === 'string' && foldRef(a).endsWith(foldRef(v));
    case 'gt': return num && a > v;
    case 'gte': return num && a >= v;
    case 'lt': return num && a < v;
    case 'lte': return num && a <= v;
    case 'between': return num && a >= (list[0] as number) && a <= (list[1] as number);
    case 'is_empty': return emptyRef(a);
    case 'is_set': return !emptyRef(a);
  }
  throw new Error(`reference has no ${c.op} for ${c.field}`);
}

function ref(node: ConditionNode, f: RuleFacts): boolean {
  if ('all' in node) return node.all.every((n) => ref(n, f));
  if ('any' in node) return node.any.some((n) => ref(n, f));
  if ('not' in node) return !ref(node.not, f);
  return leafRef(node, f);
}

// -- Properties --------------------------------------------------------------------------------

const RUNS = { numRuns: 1500 };

describe('compiled conditions', () => {
  it('agree with the reference interpreter on random trees and facts', () => {
    fc.assert(fc.property(treeArb, fc.array(factsArb, { minLength: 1, maxLength: 5 }), (tree, many) => {
      const compiled = compileConditions(tree);
      for (const f of many) assert.equal(compiled(f), ref(tree, f));
    }), RUNS);
  });

  it('explainConditions agrees with compileConditions, node by node', () => {
    const consistent = (t: ConditionTrace, node: ConditionNode, f: RuleFacts): void => {
      assert.equal(t.result, ref(node, f));
      if (t.kind === 'all' || t.kind === 'any') {
        const children = 'all' in node ? node.all : 'any' in node ? node.any : [];
        t.children.forEach((child, i) => consistent(child, children[i]!, f));
        assert.equal(t.result, t.kind === 'all' ? t.children.every((ch) => ch.result) : t.children.some((ch) => ch.result));
      } else if (t.kind === 'not') {
        consistent(t.child, (node as { not: ConditionNode }).not, f);
        assert.equal(t.result, !t.child.result);
      } else if (t.kind === 'condition') {
        assert.equal(t.field, (node as RuleCondition).field);
        assert.deepEqual(t.expected, (node as RuleCondition).value);
      }
    };
    fc.assert(fc.property(treeArb, factsArb, (tree, f) => {
      const trace = explainConditions(tree, f);
      assert.equal(trace.result, compileConditions(tree)(f));
      consistent(trace, tree, f);
    }), RUNS);
  });

  it('a stored record (through JSON) inflates to the trace explainConditions gives, with the same result', () => {
    fc.assert(fc.property(treeArb, factsArb, (tree, f) => {
      const record = recordConditions(tree, f);
      assert.equal(record.result, compileConditions(tree)(f));
      const stored = JSON.parse(JSON.stringify(record.leaves)) as typeof record.leaves;
      // Compared as the API sends them (JSON): an absent `expected` (is_empty) is no key on either side.
      const asSent = (t: ConditionTrace) => JSON.parse(JSON.stringify(t)) as unknown;
      assert.deepEqual(asSent(inflateTrace(tree, stored)), asSent(explainConditions(tree, f)));
    }), RUNS);
  });
});

describe('static checks are sound', () => {
  it('a tree called never never matches, and always always does', () => {
    let decided = 0;
    const trees = fc.oneof(treeArb, sameFieldArb.map((all) => ({ all })), sameFieldArb.map((any) => ({ any })));
    fc.assert(fc.property(trees, fc.array(factsArb, { minLength: 1, maxLength: 8 }), (tree, many) => {
      const { truth } = analyze(tree);
      if (truth === 'maybe') return;
      decided++;
      for (const f of many) assert.equal(ref(tree, f), truth === 'always', `${JSON.stringify(tree)} is ${truth} but not on ${JSON.stringify(f)}`);
    }), RUNS);
    assert.ok(decided > 300, `only ${decided} trees were decided: the property checked little`);
  });

  it('implies(b, a): no facts match b but not a', () => {
    let proven = 0;
    fc.assert(fc.property(treeArb, treeArb, sameFieldArb, fc.array(factsArb, { minLength: 1, maxLength: 8 }), (a, b, same, many) => {
      // Random trees, a tree and its strengthening, and conditions on the same field: the last two
      // are where implications are proven, so each of its rules gets exercised.
      const [x0, y0, ...rest] = same;
      const pairs: [ConditionNode, ConditionNode][] = [[a, b], [a, { all: [a, b] }], [x0!, y0!], [{ all: [x0!, ...rest] }, { all: [y0!, ...rest] }], [{ any: [x0!, y0!] }, y0!]];
      for (const [x, y] of pairs) {
        if (!implies(y, x)) continue;
        proven++;
        for (const f of many) assert.ok(!ref(y, f) || ref(x, f), `${JSON.stringify(y)} ⇒ ${JSON.stringify(x)} fails on ${JSON.stringify(f)}`);
      }
    }), RUNS);
    assert.ok(proven > 1000, `only ${proven} implications were proven`);
  });

  it('disjoint trees never match the same facts', () => {
    let proven = 0;
    fc.assert(fc.property(fc.oneof(fc.tuple(treeArb, treeArb), sameFieldArb.map(([x, y]) => [x!, y!] as const)), fc.array(factsArb, { minLength: 1, maxLength: 8 }), ([a, b], many) => {
      if (!disjoint(a, b)) return;
      proven++;
      for (const f of many) assert.ok(!(ref(a, f) && ref(b, f)));
    }), RUNS);
    assert.ok(proven > 100, `only ${proven} disjoint pairs`);
  });
});

describe('validation and the schema agree', () => {
  // Conditions that are sometimes wrong: an operator the field does not take, a value of the wrong shape.
  const sloppy: fc.Arbitrary<unknown> = fc.oneof(
    conditionArb,
    fc.record({
      field: fc.constantFrom('conversation.channel', 'time.hour', 'message.body', 'contact.tags', 'contact.attributes.x', 'nope'),
      op: fc.constantFrom('eq', 'in', 'gt', 'contains_any', 'matches', 'is_empty', 'bogus'),
      value: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 4 }), fc.integer(), fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 3 }), fc.constant('(a')),
    }),
  );
  const sloppyTree = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', maxDepth: 6 }, sloppy, fc.array(tie('node'), { maxLength: 3 }).map((all) => ({ all })), tie('node').map((not) => ({ not }))),
  })).node;

  it('whatever validateWorkflow accepts, the zod schema accepts and compileConditions compiles', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(fc.property(sloppyTree, (conditions) => {
      const workflow = { name: 'r', trigger: { event: 'conversation.created' }, conditions, actions: [{ type: 'add_tag', tags: ['x'] }] };
      const { errors } = validateWorkflow(workflow);
      let compiles = true;
      try { compileConditions(conditions as ConditionNode); } catch { compiles = false; }
      if (errors.length === 0) {
        accepted++;
        assert.ok(WorkflowDefinition.safeParse(workflow).success, JSON.stringify(workflow));
      } else rejected++;
      assert.equal(compiles, errors.length === 0, JSON.stringify({ conditions, errors }));
    }), RUNS);
    assert.ok(accepted > 100 && rejected > 100, `accepted ${accepted}, rejected ${rejected}`);
  });
});

describe('the word prefilter never rules out a message that holds the word', () => {
  // Characters that fold in every way: ASCII, accented capitals and small letters, a lone combining
  // accent, ligatures and fullwidth letters (folded by NFKD into several or other letters), Greek
  // final sigma, Cyrillic й, CJK, apostrophes, spaces and punctuation.
  const ALPHABET = ['a', 'e', 'r', 'o', 'n', 'f', 'i', 's', 'É', 'é', 'è', 'Ñ', 'ñ', 'ö', '\u0301', 'ﬁ', 'Ｅ', 'ς', 'Σ', 'й', 'и', '退', '款', '’', "'", ' ', '!', 'ß'];
  const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 12 }).map((cs) => cs.join(''));
  it('for any text and any words folded from text', () => {
    let hits = 0;
    const word = fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 3 }).map((cs) => cs.join(''));
    // Half the bodies have one of the sources planted, its characters written with combining marks
    // slipped between them, inside random text.
    const marks = fc.array(fc.constantFrom('', '\u0301', '\u0308', '\u0327'), { minLength: 3, maxLength: 3 });
    const input = fc.tuple(fc.array(word, { minLength: 1, maxLength: 3 }), text, text, marks, fc.boolean())
      .map(([sources, before, after, m, plant]) => ({
        sources,
        body: plant ? before + [...sources[0]!].map((c, i) => c + (m[i] ?? '')).join('') + after : before + after,
      }));
    fc.assert(fc.property(input, ({ body, sources }) => {
      const wanted = sources.map((s) => fold(s).replace(/[\s!']/g, '')).filter((w) => w.length > 0);
      if (wanted.length === 0) return;
      const mayHold = wordPrefilter(wanted)(body);
      const holds = wanted.some((w) => fold(body).includes(w));
      if (holds) hits++;
      assert.ok(mayHold || !holds, JSON.stringify({ body, wanted }));
    }), { numRuns: 3000 });
    assert.ok(hits > 100, `only ${hits} bodies held a word`);
  });
});

describe('a compiled phrase list answers as folded words do', () => {
  // Plain Latin text (what the compiled regex answers alone): ASCII letters in both cases, digits,
  // accented capitals and small letters, apostrophes, spaces and punctuation. And what sends a
  // text to the general path: ß, ø, a typographic apostrophe, a lone combining accent, a
  // ligature, a fullwidth letter, Greek, CJK, a control character.
  const PLAIN = ['a', 'p', 'i', 'e', 'r', 'o', 'n', 't', 'A', 'P', 'I', 'E', 'R', 'N', 'T', '1', 'é', 'É', 'ñ', 'ö', 'ì', 'İ', 'ĭ', "'", "'", ' ', ' ', '.', '-', '!'];
  const OTHER = ['ß', 'ø', '’', '\u0301', 'ﬁ', 'Ｅ', 'Σ', '退', '\u0000', '\u00a0'];
  const textOf = (alphabet: string[], max: number) => fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((cs) => cs.join(''));
  const text = fc.oneof({ weight: 3, arbitrary: textOf(PLAIN, 14) }, { weight: 1, arbitrary: textOf([...PLAIN, ...OTHER], 14) });
  // Phrases of one to three words written with the same letters, apostrophes inside words too.
  const wordArb = fc.array(fc.constantFrom('a', 'p', 'i', 'e', 'n', 't', 'o', 'é', 'ß', 'Σ', "'"), { minLength: 1, maxLength: 3 }).map((cs) => cs.join(''));
  const phraseArb = fc.array(wordArb, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' '));
  // Half the bodies have one of the phrases planted in random text, its words joined by random
  // separators (a lone apostrophe among them) and in random case.
  const sep = fc.constantFrom(' ', '  ', ', ', "'", "' ", " '", '-', '’', '.');
  // Most are set off from the text around them, so the planted phrase is often a real hit.
  const edge = fc.constantFrom(' ', ' ', ' ', '', "'", '.', '’');
  const input = fc.tuple(fc.array(phraseArb, { minLength: 1, maxLength: 3 }), text, text, fc.array(sep, { minLength: 2, maxLength: 2 }), fc.tuple(edge, edge), fc.boolean(), fc.boolean())
    .map(([sources, before, after, seps, [open, close], plant, upper]) => {
      const words = sources[0]!.split(' ').map((w) => (upper ? w.toUpperCase() : w));
      const planted = words.reduce((acc, w, i) => (i === 0 ? w : acc + seps[(i - 1) % seps.length]! + w), '');
      return { sources, body: plant ? before + open + planted + close + after : before + after };
    });

  it('for any text and any phrases', () => {
    let hits = 0;
    let plainHits = 0;
    fc.assert(fc.property(input, ({ sources, body }) => {
      const phrases = sources.map(phrase);
      const expected = phrases.some((p) => hasPhrase(tokens(body), p));
      if (expected) {
        hits++;
        if (!OTHER.some((o) => body.includes(o))) plainHits++;
      }
      assert.equal(phraseMatcher(phrases)(body), expected, JSON.stringify({ body, phrases }));
      // One phrase at a time too (how contains_all uses it).
      for (const p of phrases) assert.equal(phraseMatcher([p])(body), hasPhrase(tokens(body), p), JSON.stringify({ body, p }));
    }), { numRuns: 4000 });
    assert.ok(hits > 400 && plainHits > 200, `only ${hits} bodies held a phrase (${plainHits} plain)`);
  });

});

describe('a phrase set answers as hasPhrase does, phrase by phrase', () => {
  // Lists built to share their beginnings and to nearly match: few words, many repeats, phrases
  // that are prefixes and suffixes of one another. Where the automaton's failure links and the
  // regex's tree of words could go wrong.
  const WORDS3 = ['a', 'b', 'c'];
  const phrasesArb = fc.array(fc.array(fc.constantFrom(...WORDS3), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });
  const bodyArb = fc.array(fc.constantFrom(...WORDS3, 'A', 'é'), { maxLength: 30 });
  it('some, found and every on the words; the compiled matcher on plain text and on text that takes the folded path', () => {
    let hits = 0;
    fc.assert(fc.property(phrasesArb, bodyArb, (list, bodyWords) => {
      const phrases = list.map((p) => phrase(p.join(' ')));
      const body = bodyWords.join(' ');
      const expected = phrases.map((p) => hasPhrase(tokens(body), p));
      const set = new PhraseSet(phrases);
      const found = expected.flatMap((hit, i) => (hit ? [i] : []));
      if (found.length > 0) hits++;
      const context = JSON.stringify({ phrases, body });
      assert.deepEqual(set.found(tokens(body)), found, context);
      assert.equal(set.some(tokens(body)), found.length > 0, context);
      assert.equal(set.every(tokens(body)), found.length === phrases.length, context);
      assert.equal(phraseMatcher(phrases)(body), found.length > 0, context);
      assert.equal(phraseMatcher(phrases)(`${body} ß`), found.length > 0, context);
    }), { numRuns: 3000 });
    assert.ok(hits > 500, `only ${hits} bodies held a phrase`);
  });
});

describe('fold', () => {
  it('answers short text as it answers long text', () => {
    // Short already-folded text takes a shortcut; padding a value past it must not change its fold.
    const chars = fc.constantFrom('a', 'z', 'A', 'Z', '0', ' ', '~', '@', '[', '`', '{', '\t', '\n', '\r', '\u0000', '\u001f', '\u007f', 'é', 'É', 'ß', 'Σ', 'ﬁ', '’', 'İ');
    fc.assert(fc.property(fc.array(chars, { maxLength: 32 }).map((cs) => cs.join('')), (s) => {
      const pad = ' '.repeat(40);
      assert.equal(fold(s) + pad, fold(s + pad), JSON.stringify(s));
    }), { numRuns: 3000 });
  });
});
