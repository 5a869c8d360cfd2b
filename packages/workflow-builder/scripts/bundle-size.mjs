// Measures the standalone <workflow-builder> bundle against its budget: 45 KB gzip (issue #10) for
// what a page loads before the builder paints: the entry and any chunk it imports statically, with
// Lit, @lit/context and @baton/client inside. Chunks it loads with import() on first use
// (dist/builder-chunks/, e.g. the sample's local evaluator) are listed apart, outside the budget.
// Exits 1 over budget. `--build` rebuilds even when the file exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP = 45 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entry = 'workflow-builder.standalone.js';

if (process.argv.includes('--build') || !existsSync(dist + entry)) {
  execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const size = (file) => {
  const raw = readFileSync(dist + file);
  return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
};
/** Chunks a file imports statically (`import … from "./builder-chunks/x.js"`), transitively. */
function staticImports(file, seen = new Set()) {
  const code = readFileSync(dist + file, 'utf8');
  for (const m of code.matchAll(/import\s*(?:[\w$*{},\s]+from\s*)?["']\.{1,2}\/(?:builder-chunks\/)?([\w-]+\.js)["']/g)) {
    const name = `builder-chunks/${m[1]}`;
    if (!seen.has(name) && existsSync(dist + name)) {
      seen.add(name);
      staticImports(name, seen);
    }
  }
  return seen;
}
const initial = [entry, ...staticImports(entry)];
let total = 0;
for (const file of initial) {
  const s = size(file);
  total += s.gzip;
  console.log(`dist/${file}  raw ${s.raw} B (${kb(s.raw)})  gzip ${s.gzip} B (${kb(s.gzip)})`);
}
console.log(`initial load  gzip ${total} B (${kb(total)})  budget ${kb(BUDGET_GZIP)} gzip`);
const lazy = existsSync(dist + 'builder-chunks') ? readdirSync(dist + 'builder-chunks').map((f) => `builder-chunks/${f}`).filter((f) => !initial.includes(f)) : [];
if (lazy.length) console.log(`loaded with import() on first use (not in the budget):`);
for (const file of lazy) {
  const s = size(file);
  console.log(`  dist/${file}  raw ${s.raw} B (${kb(s.raw)})  gzip ${s.gzip} B (${kb(s.gzip)})`);
}
if (total > BUDGET_GZIP) {
  console.error(`over budget by ${total - BUDGET_GZIP} B gzip`);
  process.exit(1);
}
console.log(`within budget (${((total / BUDGET_GZIP) * 100).toFixed(0)}%)`);
