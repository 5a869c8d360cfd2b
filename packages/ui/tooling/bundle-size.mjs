// Measures a custom element's standalone bundle against its gzip budget, for the element's
// scripts/bundle-size.mjs. The budget is for the INITIAL load: the entry and every chunk it imports
// statically, read from the Vite manifest the standalone build writes (elementBuild's `manifest`
// option). Chunks reached only through `import()` (what the element loads on first use) are listed
// beside it, each with its own size, and do not count against the budget. Builds first when dist/
// has no manifest; `--build` rebuilds. Exits 1 over budget, or when a file skipped the minifier.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * @param {{
 *   root: string,       // the element's package folder
 *   entry: string,      // the standalone file under dist/, e.g. 'team-inbox.standalone.js'
 *   budget: number,     // bytes of gzip the initial load may take
 *   manifest?: string,  // the manifest under dist/ (elementBuild's `manifest`); 'standalone-manifest.json'
 *   rebuild?: boolean,  // build even when the manifest exists; `--build` on the command line
 * }} options
 */
export function bundleSize({ root, entry, budget, manifest: manifestName = 'standalone-manifest.json', rebuild = process.argv.includes('--build') }) {
  const dist = path.join(root, 'dist');
  const manifestFile = path.join(dist, manifestName);
  if (rebuild || !existsSync(manifestFile)) {
    execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
  /** @type {Record<string, { file: string, isEntry?: boolean, imports?: string[], dynamicImports?: string[] }>} */
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry && manifest[key].file === entry);
  if (!entryKey) throw new Error(`${entry} is not an entry of dist/${manifestName}`);

  /**
   * The manifest keys a key loads before it runs: itself and its static imports, transitively.
   * @param {string} key
   * @param {Set<string>} seen
   */
  function staticClosure(key, seen = new Set()) {
    if (seen.has(key)) return seen;
    seen.add(key);
    for (const next of manifest[key].imports ?? []) staticClosure(next, seen);
    return seen;
  }
  const initial = staticClosure(entryKey);
  /** @type {Set<string>} */
  const lazy = new Set();
  for (const key of initial) for (const next of manifest[key].dynamicImports ?? []) if (!initial.has(next)) lazy.add(next);
  // What a lazy chunk imports (statically: a chunk two lazy parts share; or by import()) is lazy too.
  for (const key of lazy) {
    for (const next of [...(manifest[key].imports ?? []), ...(manifest[key].dynamicImports ?? [])]) if (!initial.has(next)) lazy.add(next);
  }

  /** @param {string} key */
  const measure = (key) => {
    const raw = readFileSync(path.join(dist, manifest[key].file));
    return { file: manifest[key].file, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  };
  /** @param {number} n */
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  /** @param {{ file: string, raw: number, gzip: number }} m */
  const row = (m) => `  dist/${m.file}  raw ${m.raw} B (${kb(m.raw)})  gzip ${m.gzip} B (${kb(m.gzip)})`;

  const initialFiles = [...initial].map(measure);
  const total = initialFiles.reduce((sum, m) => ({ raw: sum.raw + m.raw, gzip: sum.gzip + m.gzip }), { raw: 0, gzip: 0 });
  console.log(`initial load (${initialFiles.length} file${initialFiles.length === 1 ? '' : 's'}):`);
  for (const m of initialFiles) console.log(row(m));
  console.log(`  total  raw ${total.raw} B (${kb(total.raw)})  gzip ${total.gzip} B (${kb(total.gzip)})  budget ${kb(budget)} gzip`);
  const lazyFiles = [...lazy].map(measure);
  console.log(`lazy chunks, loaded with import() on first use (${lazyFiles.length}, not in the budget):`);
  for (const m of lazyFiles) console.log(row(m));
  // Minification must reach every file: esbuild drops annotations like this one, so one left means a
  // file skipped the minify step (it happened once, when Vite 8 re-printed chunks after renderChunk).
  const unminified = [...initialFiles, ...lazyFiles].filter((m) => /@__PURE__|#__PURE__/.test(readFileSync(path.join(dist, m.file), 'utf8')));
  if (unminified.length) {
    console.error(`not minified: ${unminified.map((m) => m.file).join(', ')}`);
    process.exit(1);
  }
  if (total.gzip > budget) {
    console.error(`initial load over budget by ${total.gzip - budget} B gzip`);
    process.exit(1);
  }
  console.log(`initial load within budget (${((total.gzip / budget) * 100).toFixed(0)}%)`);
}
