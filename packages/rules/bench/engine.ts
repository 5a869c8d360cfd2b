/**
 * Rule evaluation throughput: the demo seed's three rules (test/fixtures/seed-rules.ts) evaluated
 * by @baton/rules and by json-rules-engine on the same 1,000 facts, in one process, taking turns.
 *
 * One evaluation = one conversation's facts against all three rules' conditions (no stop after a
 * match, which is what json-rules-engine's `run` does too). json-rules-engine gets custom
 * operators with exactly Baton's semantics (folded comparisons, word-bounded phrases, built on
 * the same helpers: `fold`, `tokens`, `hasPhrase`), so both give the same answers and the
 * difference is the engines. Baton compiles each tree once into closures, and a condition's phrase
 * list into one regex over the raw body (src/text.ts `phraseMatcher`): exact for plain Latin text,
 * 99% of these bodies, which it answers without folding or splitting them; the rest are folded and
 * split by `tokens`, as json-rules-engine's operator does with every body (`tokens` keeps the last
 * body folded and split, for both engines). json-rules-engine walks the rule JSON per run,
 * resolves facts through its almanac and is asynchronous. It runs twice: facts nested as Baton's
 * are, read with `path` (JSONPath, its documented way), and facts flattened beforehand so it does
 * no path lookups (its fastest setup). Both engines' answers are compared on every facts first.
 */
import { Engine, type NestedCondition, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import type { ConditionNode, RuleCondition, RuleFacts } from '@baton/protocol';
import { compileConditions, explainConditions, recordConditions, type Predicate } from '../src/index.js';
import { fold, hasPhrase, phrase, tokens } from '../src/text.js';
import { SEED_RULES } from '../test/fixtures/seed-rules.js';
import { LABELLED } from '../test/fixtures/messages.js';

// -- Facts: deterministic, varied ----------------------------------------------------------------

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function makeFacts(n: number, seed = 42): RuleFacts[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const bodies = [...Object.values(LABELLED).flat(), 'the API returns an error since the last update', 'webhook integration not working', 'found a bug in the export'];
  return Array.from({ length: n }, () => ({
    conversation: {
      channel: pick(['sms', 'email', 'whatsapp', 'webchat']),
      source: pick([null, 'website-form', 'facebook-ad']),
      subject: null,
      tags: rand() < 0.3 ? [pick(['billing', 'vip'])] : [],
      priority: 'normal' as const,
      language: pick([null, null, 'es', 'en', 'pt']),
      team: pick([null, 'tm_support', 'tm_billing']),
    },
    contact: {
      name: 'Customer',
      email: null,
      language: pick([null, null, null, 'es', 'en']),
      tags: rand() < 0.2 ? [pick(['spanish', 'spam', 'VIP'])] : [],
      attributes: {},
    },
    message: { body: pick(bodies) },
    time: { weekday: pick(['mon', 'tue', 'sat'] as const), hour: Math.floor(rand() * 24) },
  }));
}

// -- json-rules-engine translation ----------------------------------------------------------------

const OPERATOR: Record<string, string> = { in: 'inFolded', contains_any: 'containsAny' };

function toJre(node: ConditionNode, flat: boolean): NestedCondition {
  if ('all' in node) return { all: node.all.map((n) => toJre(n, flat)) };
  if ('any' in node) return { any: node.any.map((n) => toJre(n, flat)) };
  if ('not' in node) return { not: toJre(node.not, flat) };
  const c = node as RuleCondition;
  const operator = c.field === 'message.body' ? 'containsAnyWord' : OPERATOR[c.op];
  if (!operator) throw new Error(`bench: no json-rules-engine operator for ${c.op}`);
  const [group, ...rest] = c.field.split('.');
  return flat
    ? { fact: c.field, operator, value: c.value }
    : { fact: group!, path: `$.${rest.join('.')}`, operator, value: c.value };
}

function jreEngine(flat: boolean): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  // Baton's semantics, on Baton's helpers: folded equality, folded tag sets, word-bounded phrases.
  engine.addOperator('inFolded', (a: unknown, list: unknown[]) => typeof a === 'string' && list.some((v) => fold(String(v)) === fold(a)));
  engine.addOperator('containsAny', (a: unknown, list: string[]) => Array.isArray(a) && a.some((t) => list.some((v) => fold(v) === fold(String(t)))));
  engine.addOperator('containsAnyWord', (a: unknown, list: string[]) => {
    if (typeof a !== 'string') return false;
    const body = tokens(a);
    return list.some((v) => hasPhrase(body, phrase(v)));
  });
  for (const rule of SEED_RULES) {
    const conditions = (rule.conditions ? toJre(rule.conditions, flat) : { all: [] }) as TopLevelCondition;
    const wrapped = 'all' in conditions || 'any' in conditions ? conditions : ({ all: [conditions] } as TopLevelCondition);
    engine.addRule({ name: rule.name, priority: rule.priority ?? 1, conditions: wrapped, event: { type: rule.name } } as RuleProperties);
  }
  return engine;
}

function flatten(f: RuleFacts): Record<string, unknown> {
  return {
    'conversation.language': f.conversation.language,
    'contact.language': f.contact.language,
    'contact.tags': f.contact.tags,
    'message.body': f.message?.body,
  };
}

// -- Measurement ------------------------------------------------------------------------------

export interface EngineFigures {
  facts: number;
  roundMs: number;
  rounds: number;
  /** Evaluations per second of CPU time (medians over rounds). */
  baton: number;
  batonExplain: number;
  /** `recordConditions`: the outcomes a run logs (the runner's per-rule cost since session 7). */
  batonRecord: number;
  jrePath: number;
  jreFlat: number;
  /** Medians of the per-round ratios (each round measures the engines back to back). */
  ratioPath: number;
  ratioFlat: number;
  /** Evaluations per second of wall time, for comparison with CPU time on a busy machine. */
  wall: { baton: number; jrePath: number; jreFlat: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/**
 * Evaluations per second of `run` over `facts`, cycling, for about `ms` of wall time. CPU time is
 * the main figure: on a shared machine wall time also counts the time spent waiting for a CPU.
 */
async function rate(facts: RuleFacts[], ms: number, run: (f: RuleFacts) => unknown, isAsync: boolean): Promise<{ cpu: number; wall: number }> {
  let count = 0;
  const start = performance.now();
  const cpuStart = cpuMicros();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < facts.length; i++) {
      if (isAsync) await run(facts[i]!);
      else run(facts[i]!);
    }
    count += facts.length;
    now = performance.now();
  }
  return { cpu: count / ((cpuMicros() - cpuStart) / 1e6), wall: count / ((now - start) / 1000) };
}

export async function benchEngines(options: { facts?: number; roundMs?: number; rounds?: number } = {}): Promise<EngineFigures> {
  const facts = makeFacts(options.facts ?? 1000);
  const roundMs = options.roundMs ?? 1000;
  const rounds = options.rounds ?? 7;
  const predicates: Predicate[] = SEED_RULES.map((r) => compileConditions(r.conditions));
  const jrePath = jreEngine(false);
  const jreFlat = jreEngine(true);
  const flatFacts = new Map(facts.map((f) => [f, flatten(f)]));

  // Same answers first: a benchmark of two engines that disagree measures nothing.
  for (const f of facts) {
    const ours = predicates.map((p) => p(f));
    for (const [engine, input] of [[jrePath, f], [jreFlat, flatFacts.get(f)!]] as const) {
      const { results, failureResults } = await engine.run(input as Record<string, unknown>);
      const theirs = SEED_RULES.map((r) => results.some((x) => x.name === r.name) && !failureResults.some((x) => x.name === r.name));
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) throw new Error(`engines disagree on ${JSON.stringify(f)}: ${ours} vs ${theirs}`);
    }
  }
  const matched = facts.filter((f) => predicates[0]!(f) || predicates[1]!(f)).length;
  if (matched === 0 || matched === facts.length) throw new Error('bench facts do not exercise the rules');

  const batonRun = (f: RuleFacts) => {
    let n = 0;
    for (let i = 0; i < predicates.length; i++) if (predicates[i]!(f)) n++;
    return n;
  };
  const explainRun = (f: RuleFacts) => SEED_RULES.map((r) => explainConditions(r.conditions, f));
  const recordRun = (f: RuleFacts) => SEED_RULES.map((r) => recordConditions(r.conditions, f));
  const pathRun = (f: RuleFacts) => jrePath.run(f as never);
  const flatRun = (f: RuleFacts) => jreFlat.run(flatFacts.get(f)!);
  await rate(facts, 300, batonRun, false); // warm-up
  await rate(facts, 300, pathRun, true);
  await rate(facts, 300, flatRun, true);
  await rate(facts, 300, explainRun, false);
  await rate(facts, 300, recordRun, false);
  const samples = { baton: [] as number[], explain: [] as number[], record: [] as number[], path: [] as number[], flat: [] as number[], ratioPath: [] as number[], ratioFlat: [] as number[] };
  const wall = { baton: [] as number[], path: [] as number[], flat: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    // Alternate who goes first so a neighbour's burst does not always land on the same engine.
    const order = r % 2 === 0 ? ['baton', 'path', 'flat'] : ['flat', 'path', 'baton'];
    const got: Record<string, { cpu: number; wall: number }> = {};
    for (const name of order) {
      got[name] = name === 'baton' ? await rate(facts, roundMs, batonRun, false) : await rate(facts, roundMs, name === 'path' ? pathRun : flatRun, true);
    }
    samples.baton.push(got.baton!.cpu);
    samples.path.push(got.path!.cpu);
    samples.flat.push(got.flat!.cpu);
    samples.ratioPath.push(got.baton!.cpu / got.path!.cpu);
    samples.ratioFlat.push(got.baton!.cpu / got.flat!.cpu);
    wall.baton.push(got.baton!.wall);
    wall.path.push(got.path!.wall);
    wall.flat.push(got.flat!.wall);
    samples.explain.push((await rate(facts, roundMs / 2, explainRun, false)).cpu);
    samples.record.push((await rate(facts, roundMs / 2, recordRun, false)).cpu);
  }
  return {
    facts: facts.length,
    roundMs,
    rounds,
    baton: median(samples.baton),
    batonExplain: median(samples.explain),
    batonRecord: median(samples.record),
    jrePath: median(samples.path),
    jreFlat: median(samples.flat),
    ratioPath: median(samples.ratioPath),
    ratioFlat: median(samples.ratioFlat),
    wall: { baton: median(wall.baton), jrePath: median(wall.path), jreFlat: median(wall.flat) },
  };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

export function formatEngineTable(f: EngineFigures): string {
  return [
    `Seed's 3 rules on ${f.facts} facts; ${f.rounds} rounds of ${f.roundMs / 1000} s per engine, back to back; medians. Evaluations per second of CPU time (wall time in brackets).`,
    '',
    '| engine | evaluations/s | @baton/rules is |',
    '|---|---|---|',
    `| @baton/rules \`compileConditions\` | ${fmt(f.baton)} (${fmt(f.wall.baton)}) | — |`,
    `| json-rules-engine 7, nested facts read with \`path\` | ${fmt(f.jrePath)} (${fmt(f.wall.jrePath)}) | **${f.ratioPath.toFixed(0)}×** faster |`,
    `| json-rules-engine 7, facts flattened beforehand | ${fmt(f.jreFlat)} (${fmt(f.wall.jreFlat)}) | **${f.ratioFlat.toFixed(0)}×** faster |`,
    `| @baton/rules \`recordConditions\` (each condition's outcome: what the runner logs) | ${fmt(f.batonRecord)} | ${(f.batonRecord / f.jrePath).toFixed(1)}× json-rules-engine with \`path\` |`,
    `| @baton/rules \`explainConditions\` (full trace: dry run, builder preview, reading a run) | ${fmt(f.batonExplain)} | ${(f.batonExplain / f.jrePath).toFixed(1)}× json-rules-engine with \`path\` |`,
  ].join('\n');
}
