// Measures the standalone <team-inbox> bundle against its budget: 40 KB gzip for the INITIAL
// load — the entry and every chunk it imports statically, with Lit, @baton/client and its tiny
// Socket.IO client inside. Chunks reached only through `import()` (editors and menus loaded on
// first use) are listed beside it, each with its own size, and do not count against the budget.
// Builds first when dist/ has no standalone manifest. Exits 1 over budget. `--build` rebuilds.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP = 40 * 1024;
const ENTRY = 'team-inbox.standalone.js';
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = new URL('../dist/', import.meta.url);
const manifestFile = fileURLToPath(new URL('standalone-manifest.json', dist));

if (process.argv.includes('--build') || !existsSync(manifestFile)) {
  execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
/** @type {Record<string, { file: string, isEntry?: boolean, imports?: string[], dynamicImports?: string[] }>} */
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry && manifest[key].file === ENTRY);
if (!entryKey) throw new Error(`${ENTRY} is not an entry of dist/standalone-manifest.json`);

/** The manifest keys a key loads before it runs: itself and its static imports, transitively. */
function staticClosure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const next of manifest[key].imports ?? []) staticClosure(next, seen);
  return seen;
}
const initial = staticClosure(entryKey);
const lazy = new Set();
for (const key of initial) for (const next of manifest[key].dynamicImports ?? []) if (!initial.has(next)) lazy.add(next);
// What a lazy chunk imports (statically: a chunk two lazy parts share; or by import()) is lazy too.
for (const key of lazy) {
  for (const next of [...(manifest[key].imports ?? []), ...(manifest[key].dynamicImports ?? [])]) if (!initial.has(next)) lazy.add(next);
}

const measure = (key) => {
  const raw = readFileSync(new URL(manifest[key].file, dist));
  return { file: manifest[key].file, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const row = (m) => `  dist/${m.file}  raw ${m.raw} B (${kb(m.raw)})  gzip ${m.gzip} B (${kb(m.gzip)})`;

const initialFiles = [...initial].map(measure);
const total = initialFiles.reduce((sum, m) => ({ raw: sum.raw + m.raw, gzip: sum.gzip + m.gzip }), { raw: 0, gzip: 0 });
console.log(`initial load (${initialFiles.length} file${initialFiles.length === 1 ? '' : 's'}):`);
for (const m of initialFiles) console.log(row(m));
console.log(`  total  raw ${total.raw} B (${kb(total.raw)})  gzip ${total.gzip} B (${kb(total.gzip)})  budget ${kb(BUDGET_GZIP)} gzip`);
const lazyFiles = [...lazy].map(measure);
console.log(`lazy chunks, loaded with import() on first use (${lazyFiles.length}, not in the budget):`);
for (const m of lazyFiles) console.log(row(m));
// Minification must reach every file: esbuild drops annotations like this one, so one left means a
// file skipped the minify step (it happened once, when Vite 8 re-printed chunks after renderChunk).
const unminified = [...initialFiles, ...lazyFiles].filter((m) => /@__PURE__|#__PURE__/.test(readFileSync(new URL(m.file, dist), 'utf8')));
if (unminified.length) {
  console.error(`not minified: ${unminified.map((m) => m.file).join(', ')}`);
  process.exit(1);
}
if (total.gzip > BUDGET_GZIP) {
  console.error(`initial load over budget by ${total.gzip - BUDGET_GZIP} B gzip`);
  process.exit(1);
}
console.log(`initial load within budget (${((total.gzip / BUDGET_GZIP) * 100).toFixed(0)}%)`);
