import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
// By path, not as `@baton/ui/tooling/…`: Vite bundles a config's relative imports with it but leaves
// package imports to Node, which cannot load a .ts file.
import { elementBuild } from '../ui/tooling/element-build.js';

/**
 * Two library builds into `dist/`, the same two as `<team-inbox>`'s:
 * - default mode: the published ESM build (`index.js`, `define.js`, `events.js`). Lit, @lit/context
 *   and @baton/client stay imports, so a host's bundler dedupes them with its own copies.
 * - `--mode standalone`: `workflow-builder.standalone.js`, one minified ES module with everything in
 *   it, for a `<script type="module">` include on a page without a bundler. What the builder loads
 *   on first use (the sample's local evaluator, with its regex engine) is its own file in
 *   `builder-chunks/` beside the entry. `standalone-manifest.json` says which files the initial load
 *   is (scripts/bundle-size.mjs).
 * The builder talks REST only and imports `@baton/client/rest`, whose module graph has no
 * socket.io-client (packages/client/test/rest-entry.test.ts), so neither build needs a stand-in for it.
 */
const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig(({ mode }) =>
  elementBuild({
    standalone: mode === 'standalone',
    name: 'workflow-builder',
    entries: { index: src('workflow-builder/workflow-builder.ts'), define: src('define.ts'), events: src('events.ts') },
    external: [/^lit(\/|$)/, /^@lit\//, /^@baton\/client(\/|$)/],
    chunkDir: 'builder-chunks',
    // Which chunk files the entry imports statically (the initial load) and which by import().
    manifest: 'standalone-manifest.json',
  }),
);
