// `pnpm bench`: <team-inbox>'s list of 1,000 conversations in Chromium — first render, a full
// scroll-through, and one incoming `conversation:updated` reaching the DOM — beside a plain
// createElement list of the same rows. Prints median and p95 over repeated runs, and the ratios.
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ms, openBenchPage, RUNS, stat, type Stat } from '@baton/ui/tooling/bench';

const N = 1000;

const { browser, page } = await openBenchPage({
  root: fileURLToPath(new URL('..', import.meta.url)),
  entry: fileURLToPath(new URL('./page.ts', import.meta.url)),
  // The list is virtualized: it needs a viewport-high host to know how many rows to render.
  body: '<div id="host" style="height:900px"></div>',
});

interface Run { firstRender: number; rows: number; update: number; scrollThrough?: number; worstStep?: number; frameWork?: number; worstFrame?: number; steps?: number }
const results = await page.evaluate(
  async ({ n, runs }) => {
    const { bench } = window as unknown as { bench: Record<string, (...a: unknown[]) => Promise<unknown>> };
    const fixture = await bench.makeInbox!(n);
    const inbox: { rows: number }[] = [];
    const baseline: unknown[] = [];
    const visible: unknown[] = [];
    const rendered = ((await bench.inboxRun!(fixture)) as { rows: number }).rows;
    for (let i = 0; i < 3; i++) {
      await bench.inboxRun!(fixture);
      await bench.baselineRun!(fixture);
      await bench.baselineRun!(fixture, rendered);
    }
    for (let i = 0; i < runs; i++) {
      inbox.push((await bench.inboxRun!(fixture)) as { rows: number });
      baseline.push(await bench.baselineRun!(fixture));
      visible.push(await bench.baselineRun!(fixture, rendered));
    }
    return { inbox, baseline, visible };
  },
  { n: N, runs: RUNS },
) as unknown as { inbox: Run[]; baseline: Run[]; visible: Run[] };
const chromiumVersion = browser.version();
await browser.close();

const row = (label: string, a: Stat, b: Stat | null, target: string) =>
  `| ${label} | ${ms(a.median)} | ${ms(a.p95)} | ${b ? `${ms(b.median)} / ${ms(b.p95)}` : '—'} | ${b ? `${(a.median / b.median).toFixed(2)}×` : '—'} | ${target} |`;

const first = stat(results.inbox, 'firstRender');
const scroll = stat(results.inbox, 'scrollThrough');
const worst = stat(results.inbox, 'worstStep');
const frames = stat(results.inbox, 'frameWork');
const worstFrame = stat(results.inbox, 'worstFrame');
const update = stat(results.inbox, 'update');
const baseFirst = stat(results.baseline, 'firstRender');
const baseUpdate = stat(results.baseline, 'update');
const visFirst = stat(results.visible, 'firstRender');
const visUpdate = stat(results.visible, 'update');
const r0 = results.inbox[0]!;

console.log(`<team-inbox> render benchmark: ${N} conversations, ${RUNS} runs (after 3 warm-up), Chromium ${chromiumVersion}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
console.log(`virtualized: ${r0.rows} of ${N} rows in the DOM at first render; scroll-through = ${r0.steps} viewport steps\n`);
console.log('| measure | median | p95 | baseline median / p95 | ratio (median) | target |');
console.log('|---|---|---|---|---|---|');
console.log(row(`list first render (${N} in store, ${r0.rows} rows rendered) vs plain DOM, same ${r0.rows} rows`, first, visFirst, '< 50 ms'));
console.log(row(`list first render vs plain DOM, all ${N} rows`, first, baseFirst, '< 50 ms'));
console.log(row(`scroll through all ${N}: render work, ${r0.steps} viewport steps in total`, scroll, null, '—'));
console.log(row('scroll through: worst single step', worst, null, '< 16 ms'));
console.log(row(`scroll through, whole frames (rows' own elements, style, layout, paint): work, ${r0.steps} frames`, frames, null, '—'));
console.log(row('scroll through, whole frames: worst frame', worstFrame, null, '< 16 ms'));
console.log(row(`one \`conversation:updated\` → DOM vs plain DOM, ${r0.rows} rows`, update, visUpdate, '< 16 ms'));
console.log(row(`one \`conversation:updated\` → DOM vs plain DOM, all ${N} rows`, update, baseUpdate, '< 16 ms'));
console.log(`\nbaselines: rows built with document.createElement (no framework, no store), appended, layout forced; the update sets one preview's textContent and forces layout.`);
const over = first.median >= 50 || update.median >= 16;
if (over) console.log('\nover target');
