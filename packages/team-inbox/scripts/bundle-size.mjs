// Measures the standalone <team-inbox> bundle against its budget: 40 KB gzip with Lit,
// @baton/client and its tiny Socket.IO client inside. Builds it first when dist/ has none.
// Exits 1 over budget. `--build` rebuilds even when the file exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP = 40 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const file = fileURLToPath(new URL('../dist/team-inbox.standalone.js', import.meta.url));

if (process.argv.includes('--build') || !existsSync(file)) {
  execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
const raw = readFileSync(file);
const gzip = gzipSync(raw, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`dist/team-inbox.standalone.js  raw ${raw.length} B (${kb(raw.length)})  gzip ${gzip} B (${kb(gzip)})  budget ${kb(BUDGET_GZIP)} gzip`);
if (gzip > BUDGET_GZIP) {
  console.error(`over budget by ${gzip - BUDGET_GZIP} B gzip`);
  process.exit(1);
}
console.log(`within budget (${((gzip / BUDGET_GZIP) * 100).toFixed(0)}%)`);
