// What the render benches of Baton's custom elements share (`pnpm bench` in team-inbox and
// workflow-builder): a bench page built with Vite and opened in Debian's Chromium, and the
// median / p95 summary of repeated runs. What each bench measures, and its table, stay in its
// own bench/render.ts.
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, type Alias, type Rollup } from 'vite';
import { chromiumLaunchOptions } from './chromium.mjs';

/** Timed runs after the warm-up; `BENCH_RUNS` overrides. */
export const RUNS = Number(process.env.BENCH_RUNS ?? 30);

export interface BenchPageOptions {
  /** The element's package folder, Vite's root. */
  root: string;
  /** The bench page module (bench/page.ts), which sets `window.bench` when it is ready. */
  entry: string;
  /** Module aliases the element's standalone build has too (e.g. a stand-in for socket.io-client). */
  alias?: Alias[];
  /** The page's `<body>` markup the bench module renders into. */
  body: string;
}

/**
 * Bundles `entry` into one module as a production browser build (the way a host's bundler would,
 * so the timings are of the code a host ships), opens a page with `body` in Chromium, runs the
 * module there and waits for `window.bench`. The caller closes the browser.
 */
export async function openBenchPage({ root, entry, alias = [], body }: BenchPageOptions): Promise<{ browser: Browser; page: Page }> {
  const out = (await build({
    root,
    configFile: false,
    logLevel: 'warn',
    resolve: { conditions: ['browser', 'production', 'module', 'import', 'default'], alias },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      target: 'es2022',
      lib: { entry, formats: ['es'], fileName: 'bench' },
      rollupOptions: { output: { inlineDynamicImports: true } },
    },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const code = (Array.isArray(out) ? out[0]! : out).output[0].code;

  const browser = await chromium.launch(chromiumLaunchOptions());
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.setContent(`<!doctype html><html><body style="margin:0">${body}</body></html>`);
  await page.addScriptTag({ content: code, type: 'module' });
  await page.waitForFunction(() => 'bench' in window);
  return { browser, page };
}

export interface Stat {
  median: number;
  p95: number;
}

/** The `p`th percentile of `xs` by nearest rank. */
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Median and p95 of one measure over the runs. */
export function stat<R>(runs: R[], key: keyof R): Stat {
  const xs = runs.map((r) => r[key] as number);
  return { median: percentile(xs, 50), p95: percentile(xs, 95) };
}

export const ms = (x: number) => `${x.toFixed(2)} ms`;
