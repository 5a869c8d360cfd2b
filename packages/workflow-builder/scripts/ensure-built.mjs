// Builds dist/ (`pnpm run build`) when the standalone bundle is missing or older than any source
// it is made from: this package's src and vite config, and the workspace packages it bundles.
// `pnpm start` in apps/demo-crm runs this first, so a fresh clone serves a current bundle.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = path.join(root, 'dist/workflow-builder.standalone.js');

/** The folder of a workspace dependency, found the way the bundler finds it. */
function packageDir(specifier) {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(specifier)));
  while (!statSync(path.join(dir, 'package.json'), { throwIfNoEntry: false })) dir = path.dirname(dir);
  return dir;
}

function newest(target) {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

const inputs = [
  path.join(root, 'src'),
  path.join(root, 'vite.config.ts'),
  path.join(root, 'package.json'),
  ...['@baton/ui/tokens', '@baton/client', '@baton/protocol/rule-fields', '@baton/rules'].map((s) => path.join(packageDir(s), 'src')),
];
const built = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const stale = inputs.some((input) => newest(input) > built);
if (stale) {
  console.log(`[workflow-builder] ${built ? 'sources changed' : 'no standalone bundle yet'}: building dist/`);
  execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
