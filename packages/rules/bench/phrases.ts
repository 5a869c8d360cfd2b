/**
 * Word lists at their worst (session 9, hostile inputs): `message.body contains_any` / `contains_all`
 * with many long phrases of one repeated word ("a a a … a b") against a long body of that word
 * ("b a a a …": every word of every phrase is there, never in the phrase's order). A matcher that
 * tries each phrase at each word of the body does phrases × body words × phrase words steps.
 *
 * Each case is timed beside its baseline in the same process: splitting the same body into folded
 * words once (`words(fold(body))`), which any word matcher does at least (the engine does it once
 * per event for all its rules). The ratio is what the list costs over reading the body; a linear
 * matcher keeps it near 1. Two bodies of the same words alternate, so the engine's last-body cache
 * never answers and every evaluation pays for its reading, as the first rule of an event does.
 *
 * Two lists: what the schema let an admin save before session 9 (200 phrases of up to 1,000
 * characters: 499 words) and the worst the validator accepts now (PHRASE_LIMITS: 100 phrases of 10
 * words). The first still compiles (rules saved before the limits keep running), so it stays here.
 */
import type { ConditionNode, RuleFacts } from '@baton/protocol';
import { PHRASE_LIMITS } from '@baton/protocol/rule-fields';
import { compileConditions, explainConditions, fold, words } from '../src/index.js';

const BODY_CHARS = 20_000; // the API's message body limit

function facts(body: string): RuleFacts {
  return {
    conversation: { channel: 'email', source: null, subject: null, tags: [], priority: 'normal', language: null, team: null },
    contact: { name: 'Customer', email: null, language: null, tags: [], attributes: {} },
    message: { body },
    time: { weekday: 'mon', hour: 10 },
  };
}

/**
 * `count` distinct phrases of `words` words of "a" and "b", each beginning with as many "a"s as
 * possible before its first "b" (then every mix of the two): the phrases that a matcher trying each
 * one at each word of "a a a …" follows furthest before failing.
 */
export function hostilePhrases(count: number, words: number): string[] {
  const out: string[] = [];
  for (let run = words - 1; run >= 1 && out.length < count; run--) {
    const rest = words - run - 1;
    for (let mix = 0; mix < 2 ** Math.min(rest, 20) && out.length < count; mix++) {
      const tail = Array.from({ length: rest }, (_, j) => ((mix >> j) & 1 ? 'b' : 'a'));
      out.push([...new Array<string>(run).fill('a'), 'b', ...tail].join(' '));
    }
  }
  return out;
}

/** "b a a a …": holds every word of the phrases (all begin with "a"), and none of them in order. */
export const hostileBody = ('b ' + 'a '.repeat(BODY_CHARS / 2)).slice(0, BODY_CHARS - 2).trimEnd();
interface Case {
  label: string;
  tree: ConditionNode;
  body: string;
  explain?: boolean;
}

export interface PhraseFigure {
  label: string;
  /** Milliseconds per evaluation, and to split the same body into folded words. */
  ms: number;
  readMs: number;
}

function msPer(run: () => unknown, budgetMs: number): number {
  run(); // compile caches, warm the JIT
  let n = 0;
  const start = performance.now();
  let now: number;
  do {
    run();
    n++;
    now = performance.now();
  } while (now - start < budgetMs);
  return (now - start) / n;
}

export function benchPhrases(options: { budgetMs?: number } = {}): PhraseFigure[] {
  const budgetMs = options.budgetMs ?? 500;
  const lists: [string, string[]][] = [
    ['200 × 499 words (the old schema\'s most)', hostilePhrases(200, 499)],
    [`${PHRASE_LIMITS.phrases} × ${PHRASE_LIMITS.words} words (PHRASE_LIMITS)`, hostilePhrases(PHRASE_LIMITS.phrases, PHRASE_LIMITS.words)],
  ];
  const cases: Case[] = [];
  for (const [name, value] of lists) {
    for (const op of ['contains_any', 'contains_all'] as const) {
      cases.push({ label: `${op}, ${name}, plain text`, tree: { field: 'message.body', op, value } as ConditionNode, body: hostileBody });
    }
    const any = { field: 'message.body', op: 'contains_any', value } as ConditionNode;
    // One character of another script sends the body down the folded-words path.
    cases.push({ label: `contains_any, ${name}, text with ß`, tree: any, body: `${hostileBody} ß` });
    cases.push({ label: `explainConditions contains_any, ${name}`, tree: any, body: hostileBody, explain: true });
  }
  return cases.map((c) => {
    const predicate = compileConditions(c.tree);
    // Same words, different strings: the last-body cache misses every time.
    const bodies = [c.body, `${c.body} `].map(facts);
    let turn = 0;
    const evaluate = c.explain ? () => explainConditions(c.tree, bodies[turn++ & 1]!) : () => predicate(bodies[turn++ & 1]!);
    const read = () => words(fold(bodies[turn++ & 1]!.message!.body));
    return { label: c.label, ms: msPer(evaluate, budgetMs), readMs: msPer(read, budgetMs) };
  });
}

const fmt = (ms: number) => (ms >= 10 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3));

export function formatPhraseTable(figures: PhraseFigure[]): string {
  return [
    `Phrases of "a" with a "b" against a ${hostileBody.length.toLocaleString('en-US')}-character body "b a a a …" (${hostileBody.split(' ').length.toLocaleString('en-US')} words); one compiled condition; milliseconds per evaluation, beside splitting that body into folded words once.`,
    '',
    '| case | evaluation, ms | splitting the body, ms | evaluation / splitting |',
    '|---|---|---|---|',
    ...figures.map((f) => `| ${f.label} | ${fmt(f.ms)} | ${fmt(f.readMs)} | ${(f.ms / f.readMs).toFixed(1)}× |`),
  ].join('\n');
}
