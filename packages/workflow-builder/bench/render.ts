// `pnpm --filter @baton/workflow-builder bench`: the editor with 50 conditions and a 10-step
// ladder in Chromium (issue #10: first render < 50 ms, an edit < 16 ms), beside a baseline that
// builds the same rows by hand. Prints median and p95 over repeated runs, and the ratio.
import { fileURLToPath } from 'node:url';
import { ms, openBenchPage, RUNS, stat } from '@baton/ui/tooling/bench';

const { browser, page } = await openBenchPage({
  root: fileURLToPath(new URL('..', import.meta.url)),
  entry: fileURLToPath(new URL('./page.ts', import.meta.url)),
  body: '<div id="host"></div>',
});

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
