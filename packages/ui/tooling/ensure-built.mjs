// Builds a custom element's dist/ (`pnpm run build`) when its standalone output is missing or older
// than any source it is made from: the package's src, vite config and package.json, the workspace
// packages it bundles, and this folder (the Vite plugins every standalone build runs).
// `pnpm start` in apps/demo-crm runs it for each element, so a fresh clone serves a current bundle.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The src folder of a workspace dependency. Takes the URL the caller resolved (`import.meta.resolve`
 * in the element's own script), because only the element's node_modules has all its dependencies.
 * @param {string} resolved
 */
export function packageSrc(resolved) {
  let dir = path.dirname(fileURLToPath(resolved));
  while (!statSync(path.join(dir, 'package.json'), { throwIfNoEntry: false })) dir = path.dirname(dir);
  return path.join(dir, 'src');
}

/** @param {string} target */
function newest(target) {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

/**
 * @param {{
 *   root: string,          // the element's package folder
 *   name: string,          // for the log line, e.g. 'team-inbox'
 *   outputs: string[],     // files under dist/ the build writes; the oldest one dates the build
 *   dependencies: string[], // src folders of the workspace packages it bundles (packageSrc)
 * }} options
 */
export function ensureBuilt({ root, name, outputs, dependencies }) {
  const inputs = [
    path.join(root, 'src'),
    path.join(root, 'vite.config.ts'),
    path.join(root, 'package.json'),
    fileURLToPath(new URL('.', import.meta.url)),
    ...dependencies,
  ];
  const built = Math.min(...outputs.map((file) => statSync(path.join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? 0));
  const stale = inputs.some((input) => newest(input) > built);
  if (stale) {
    console.log(`[${name}] ${built ? 'sources changed' : 'no standalone bundle yet'}: building dist/`);
    execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
}
