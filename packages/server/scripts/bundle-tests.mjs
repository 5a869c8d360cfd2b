#!/usr/bin/env node
// Compiles each test file, with the server's sources and the workspace packages it imports, into one
// JavaScript file for the suite's passes to run under plain `node --test`.
//
// Why: under `--import tsx` every test file's process resolves and transpiles its ~200 TypeScript
// modules through loader hooks that, on Node 20, answer each resolve and load from another thread;
// compiled, the SQLite pass took 303 s instead of 427 (docs/decisions.md, session 21). esbuild (the
// transpiler tsx itself uses) does it once for all files in a few seconds.
//
// Every npm package stays external, imported by the real path Node itself would resolve from the
// importing file, so each library is loaded once, natively, and is the same instance the sources
// would get (a workspace package and the server share one zod). Source maps point stack traces
// back at the TypeScript. A single file still runs as before: `node --import tsx --test test/X.test.ts`.
import { build, formatMessages } from 'esbuild';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** Where the compiled tests go: a cache, rebuilt whole on every run, never committed. */
export const bundleDir = join(packageDir, 'node_modules', '.cache', 'baton-tests');

/** `x.test.ts` → the compiled file's path. */
export const bundledTest = (name) => join(bundleDir, name.replace(/\.ts$/, '.mjs'));

/** Packages from npm are imported where Node would find them; only `@baton/*` sources are compiled in. */
const npmPackagesExternal = {
  name: 'npm-packages-external',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving' || args.path.startsWith('node:') || args.path.startsWith('@baton/')) return undefined;
      const found = await esbuild.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.path, external: true };
    });
  },
};

const options = {
  outdir: bundleDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  plugins: [npmPackagesExternal],
  logLevel: 'silent',
};

/** Compiles every test file; returns their names (`x.test.ts`) and those that did not compile. */
export async function bundleTests() {
  const testDir = join(packageDir, 'test');
  const names = readdirSync(testDir).filter((f) => f.endsWith('.test.ts'));
  rmSync(bundleDir, { recursive: true, force: true });
  try {
    await build({ ...options, entryPoints: names.map((f) => join(testDir, f)) });
    return { names, failed: [] };
  } catch {
    // One file that does not compile must not hide the others' results (under tsx it failed alone):
    // compile each on its own, and make each that fails a test file that fails with esbuild's words.
    const failed = [];
    for (const name of names) {
      try {
        await build({ ...options, entryPoints: [join(testDir, name)] });
      } catch (error) {
        failed.push(name);
        const text = (await formatMessages(error.errors ?? [], { kind: 'error' })).join('\n');
        writeFileSync(bundledTest(name), `throw new Error(${JSON.stringify(`test/${name} did not compile:\n${text}`)});\n`);
      }
    }
    return { names, failed };
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const { names, failed } = await bundleTests();
  console.log(`compiled ${names.length - failed.length} of ${names.length} test files in ${Math.round(performance.now() - started)} ms`);
  for (const name of failed) console.log(`test/${name} did not compile: it will fail when the suite runs`);
}
