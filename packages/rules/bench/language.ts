/**
 * Language identification libraries compared on Baton's labelled support messages
 * (test/fixtures/messages.ts): accuracy per language when restricted to the five languages,
 * what each says about "ok"/"thanks"-type messages, time per call, and the bundle a browser would
 * download (esbuild --bundle --minify, ES module, then gzip -9).
 *
 * Run: `pnpm --filter @baton/rules bench` (with the engine benchmark) or
 * `BENCH=language pnpm --filter @baton/rules bench`.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { franc } from 'franc-min';
import { eld as eldXs } from 'eld/extrasmall';
import { eld as eldS } from 'eld/small';
import { eld as eldM } from 'eld/medium';
import { eld as eldL } from 'eld/large';
import * as tinyld from 'tinyld';
import * as tinyldLight from 'tinyld/light';
import { LABELLED, SHORT, UNSURE } from '../test/fixtures/messages.js';
import { detectLanguage } from '../src/language.js';

const LANGS = ['en', 'es', 'pt', 'fr', 'de'] as const;
const ISO3: Record<string, string> = { eng: 'en', spa: 'es', por: 'pt', fra: 'fr', deu: 'de' };

interface Candidate {
  name: string;
  /** ISO 639-1 code, or '' when the library declines to answer. */
  detect: (text: string) => string;
  /** Module source esbuild bundles to measure what a browser would download. */
  bundle: string;
}

for (const e of [eldXs, eldS, eldM, eldL]) e.setLanguageSubset([...LANGS]);

const candidates: Candidate[] = [
  {
    name: 'franc-min 6.2.0',
    detect: (t) => ISO3[franc(t, { only: Object.keys(ISO3), minLength: 3 })] ?? '',
    bundle: "import { franc } from 'franc-min'; export const f = (t) => franc(t, { only: ['eng','spa','por','fra','deu'] });",
  },
  { name: 'eld 2.1.0 extrasmall', detect: (t) => eldXs.detect(t).language, bundle: "export { eld } from 'eld/extrasmall';" },
  { name: 'eld 2.1.0 small', detect: (t) => eldS.detect(t).language, bundle: "export { eld } from 'eld/small';" },
  { name: 'eld 2.1.0 medium', detect: (t) => eldM.detect(t).language, bundle: "export { eld } from 'eld/medium';" },
  { name: 'eld 2.1.0 large', detect: (t) => eldL.detect(t).language, bundle: "export { eld } from 'eld/large';" },
  {
    name: 'tinyld 1.3.4 light',
    detect: (t) => tinyldLight.detect(t, { only: [...LANGS] }),
    bundle: "export { detect } from 'tinyld/light';",
  },
  {
    name: 'tinyld 1.3.4 normal',
    detect: (t) => tinyld.detect(t, { only: [...LANGS] }),
    bundle: "export { detect } from 'tinyld';",
  },
  {
    name: '@baton/rules/language (eld extrasmall + unsure rule)',
    detect: (t) => detectLanguage([t]).language ?? '',
    bundle: "export { detectLanguage } from './src/language.ts';",
  },
];

async function bundleSize(source: string): Promise<{ raw: number; gzip: number }> {
  const result = await build({
    stdin: { contents: source, resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { raw: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

export interface LanguageRow {
  name: string;
  perLanguage: Record<string, number>;
  accuracy: number;
  shortAccuracy: number;
  /** Answers that named a language, and the wrong one, over both sets (a null is not wrong). */
  wrong: number;
  unsureDeclined: number;
  microsPerCall: number;
  raw: number;
  gzip: number;
}

export async function compareLanguageLibraries(): Promise<LanguageRow[]> {
  const rows: LanguageRow[] = [];
  for (const c of candidates) {
    const perLanguage: Record<string, number> = {};
    let right = 0;
    let total = 0;
    for (const lang of LANGS) {
      const texts = LABELLED[lang];
      const ok = texts.filter((t) => c.detect(t) === lang).length;
      perLanguage[lang] = ok / texts.length;
      right += ok;
      total += texts.length;
    }
    const shortTexts = LANGS.flatMap((l) => SHORT[l].map((t) => [l, t] as const));
    const shortAccuracy = shortTexts.filter(([l, t]) => c.detect(t) === l).length / shortTexts.length;
    const labelled = [...LANGS.flatMap((l) => LABELLED[l].map((t) => [l, t] as const)), ...shortTexts];
    const wrong = labelled.filter(([l, t]) => { const d = c.detect(t); return d !== '' && d !== l; }).length;
    const unsureDeclined = UNSURE.filter((t) => c.detect(t) === '').length;
    const all = LANGS.flatMap((l) => LABELLED[l]);
    for (const t of all) c.detect(t); // warm-up
    const rounds = 20;
    const start = performance.now();
    for (let r = 0; r < rounds; r++) for (const t of all) c.detect(t);
    const microsPerCall = ((performance.now() - start) * 1000) / (rounds * all.length);
    const { raw, gzip } = await bundleSize(c.bundle);
    rows.push({ name: c.name, perLanguage, accuracy: right / total, shortAccuracy, wrong, unsureDeclined, microsPerCall, raw, gzip });
  }
  return rows;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

export function formatLanguageTable(rows: LanguageRow[]): string {
  const n = LANGS.reduce((s, l) => s + LABELLED[l].length, 0);
  const m = LANGS.reduce((s, l) => s + SHORT[l].length, 0);
  const lines = [
    `| library | ${LANGS.join(' | ')} | all (${n}) | 3–4 words (${m}) | wrong answers | "ok"-type declined (of ${UNSURE.length}) | µs/call | min | min+gzip |`,
    `|---|${LANGS.map(() => '---').join('|')}|---|---|---|---|---|---|---|`,
  ];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${LANGS.map((l) => pct(r.perLanguage[l]!)).join(' | ')} | ${pct(r.accuracy)} | ${pct(r.shortAccuracy)} | ${r.wrong} | ${r.unsureDeclined} | ${r.microsPerCall.toFixed(1)} | ${kb(r.raw)} | ${kb(r.gzip)} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatLanguageTable(await compareLanguageLibraries()));
}
