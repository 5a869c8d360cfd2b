// `pnpm --filter @baton/workflow-builder bench`: the editor with 50 conditions and a 10-step
// ladder in Chromium (issue #10: first render < 50 ms, an edit < 16 ms), beside a baseline that
// builds the same rows by hand. Prints median and p95 over repeated runs, and the ratio.
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, type Rollup } from 'vite';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const root = fileURLToPath(new URL('..', import.meta.url));

const out = (await build({
  root,
  configFile: false,
  logLevel: 'warn',
  resolve: { conditions: ['browser', 'production', 'module', 'import', 'default'], alias: [{ find: /^socket\.io-client$/, replacement: fileURLToPath(new URL('../src/standalone/no-socket.ts', import.meta.url)) }] },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    write: false,
    target: 'es2022',
    lib: { entry: fileURLToPath(new URL('./page.ts', import.meta.url)), formats: ['es'], fileName: 'bench' },
    rollupOptions: { output: { inlineDynamicImports: true } },
  },
})) as Rollup.RollupOutput | Rollup.RollupOutput[];
const code = (Array.isArray(out) ? out[0]! : out).output[0].code;

const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on('pageerror', (e) => console.error('page error:', e.message));
await page.setContent('<!doctype html><html><body style="margin:0"><div id="host"></div></body></html>');
await page.addScriptTag({ content: code, type: 'module' });
await page.waitForFunction(() => 'bench' in window);

interface Run { firstRender: number; edit?: number; undo?: number; rows?: number }
const results = (await page.evaluate(async (runs) => {
  const { bench } = window as unknown as { bench: { editorRun(): Promise<Run>; baselineRun(rows: number): Promise<Run> } };
  const editor: Run[] = [];
  const baseline: Run[] = [];
  const rows = (await bench.editorRun()).rows!;
  for (let i = 0; i < 3; i++) {
    await bench.editorRun();
    await bench.baselineRun(rows);
  }
  for (let i = 0; i < runs; i++) {
    editor.push(await bench.editorRun());
    baseline.push(await bench.baselineRun(rows));
  }
  return { editor, baseline, rows };
}, RUNS)) as { editor: Run[]; baseline: Run[]; rows: number };
const version = browser.version();
await browser.close();

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const stat = (runs: Run[], key: keyof Run) => ({ median: pct(runs.map((r) => r[key] as number), 50), p95: pct(runs.map((r) => r[key] as number), 95) });
const ms = (x: number) => `${x.toFixed(2)} ms`;
const first = stat(results.editor, 'firstRender');
const edit = stat(results.editor, 'edit');
const undo = stat(results.editor, 'undo');
const base = stat(results.baseline, 'firstRender');
console.log(`Chromium ${version}, ${RUNS} runs, ${results.rows} rows (50 conditions in 10 groups + 10 steps)\n`);
console.log('| measure | median | p95 | target |');
console.log('|---|---:|---:|---|');
console.log(`| first render | ${ms(first.median)} | ${ms(first.p95)} | < 50 ms |`);
console.log(`| edit (field change) | ${ms(edit.median)} | ${ms(edit.p95)} | < 16 ms |`);
console.log(`| undo | ${ms(undo.median)} | ${ms(undo.p95)} | < 16 ms |`);
console.log(`| baseline: same rows by createElement | ${ms(base.median)} | ${ms(base.p95)} | |`);
console.log(`\nfirst render / baseline: ${(first.median / base.median).toFixed(2)}×`);
