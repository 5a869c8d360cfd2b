// Measures the standalone <workflow-builder> bundle against its budget: 45 KB gzip (issue #10) with Lit,
// @lit/context, @baton/client and the parts of @baton/rules the builder uses inside.
// Exits 1 over budget. `--build` rebuilds even when the file exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP = 45 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const file = fileURLToPath(new URL('../dist/workflow-builder.standalone.js', import.meta.url));

if (process.argv.includes('--build') || !existsSync(file)) {
  execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
const raw = readFileSync(file);
const gzip = gzipSync(raw, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`dist/workflow-builder.standalone.js  raw ${raw.length} B (${kb(raw.length)})  gzip ${gzip} B (${kb(gzip)})  budget ${kb(BUDGET_GZIP)} gzip`);
if (gzip > BUDGET_GZIP) {
  console.error(`over budget by ${gzip - BUDGET_GZIP} B gzip`);
  process.exit(1);
}
console.log(`within budget (${((gzip / BUDGET_GZIP) * 100).toFixed(0)}%)`);
