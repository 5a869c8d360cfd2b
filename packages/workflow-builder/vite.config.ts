import { fileURLToPath } from 'node:url';
// By path, not as `@baton/ui/tooling/…`: Vite bundles a config's relative imports with it but leaves
// package imports to Node, which cannot load a .ts file.
import { collapseTemplates, minifyCompletely } from '../ui/tooling/vite-plugins.js';
import { defineConfig, type LibraryOptions } from 'vite';

/**
 * Two library builds into `dist/`, the same two as `<team-inbox>`'s:
 * - default mode: the published ESM build (`index.js`, `define.js`, `events.js`). Lit, @lit/context
 *   and @baton/client stay imports, so a host's bundler dedupes them with its own copies.
 * - `--mode standalone`: `workflow-builder.standalone.js`, one minified ES module with everything in
 *   it, for a `<script type="module">` include on a page without a bundler.
 * The builder needs no socket, so there is no Socket.IO stand-in here.
 */
const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig(({ mode }) => {
  const standalone = mode === 'standalone';
  return {
    resolve: {
      conditions: ['browser', 'production', 'module', 'import', 'default'],
      // Standalone only: the builder never opens a socket (see src/standalone/no-socket.ts).
      alias: standalone ? [{ find: /^socket\.io-client$/, replacement: src('standalone/no-socket.ts') }] : [],
    },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    // Template collapsing reaches this package's sources and @baton/ui's, which the file bundles.
    plugins: standalone ? [collapseTemplates({ packages: ['workflow-builder', 'ui'] }), minifyCompletely()] : [],
    build: {
      target: 'es2022',
      outDir: 'dist',
      // The ESM build runs first and starts from an empty dist; the standalone build adds its file.
      emptyOutDir: !standalone,
      sourcemap: process.env.BATON_SOURCEMAP === '1',
      reportCompressedSize: false,
      lib: (standalone
        ? { entry: { 'workflow-builder.standalone': src('define.ts') }, formats: ['es'] }
        : {
            entry: { index: src('workflow-builder/workflow-builder.ts'), define: src('define.ts'), events: src('events.ts') },
            formats: ['es'],
          }) satisfies LibraryOptions as LibraryOptions,
      rollupOptions: {
        external: standalone ? [] : [/^lit(\/|$)/, /^@lit\//, /^@baton\/client(\/|$)/, /^socket\.io-client(\/|$)/],
        // Standalone: what the builder loads on first use (the sample's local evaluator, with its
        // regex engine) is its own file beside the entry, fetched relative to the entry's URL; the
        // entry keeps its exports open so such a chunk imports Lit and the client from it.
        output: standalone ? { chunkFileNames: 'builder-chunks/[name]-[hash].js' } : { chunkFileNames: 'chunks/[name]-[hash].js' },
        ...(standalone ? { preserveEntrySignatures: 'allow-extension' as const } : {}),
      },
    },
  };
});
