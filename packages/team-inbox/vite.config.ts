import { fileURLToPath } from 'node:url';
// By path, not as `@baton/ui/tooling/…`: Vite bundles a config's relative imports with it but leaves
// package imports to Node, which cannot load a .ts file.
import { collapseTemplates, minifyCompletely } from '../ui/tooling/vite-plugins.js';
import { defineConfig, type LibraryOptions } from 'vite';

/**
 * Two library builds into `dist/`:
 * - default mode: the published ESM build (`index.js`, `define.js`, `events.js`). Lit, @lit/context
 *   and socket.io-client stay imports, so a host's bundler dedupes them with its own copies.
 * - `--mode standalone`: `team-inbox.standalone.js`, a minified ES module with everything the first
 *   paint needs in it (Socket.IO through the WebSocket-only stand-in below), for a
 *   `<script type="module">` include on a page without a bundler. What the element loads with
 *   `import()` on first use (editors, menus) becomes `standalone-chunks/[name]-[hash].js` beside it,
 *   fetched relative to the entry's URL, so a host serves that folder next to the file.
 *   `standalone-manifest.json` says which files the initial load is (scripts/bundle-size.mjs).
 */
/** The standalone build's lazy chunks; apps/demo-crm/src/host.ts serves only names of this shape. */
export const STANDALONE_CHUNK_DIR = 'standalone-chunks';
const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

/**
 * The standalone file connects over WebSocket only, with a small Socket.IO client in place of
 * socket.io-client: engine.io-client's HTTP long-polling and WebTransport transports, its upgrade
 * dance and the Manager are a quarter of the file and do not fit the 40 KB budget. Networks that
 * block WebSockets need the ESM build, which keeps socket.io-client whole.
 */
const tinySocket = fileURLToPath(new URL('../client/src/tiny-socket/tiny-socket.ts', import.meta.url));

export default defineConfig(({ mode }) => {
  const standalone = mode === 'standalone';
  return {
    // Browser production builds: socket.io-client's node and development builds pull in `ws` and `debug`.
    resolve: {
      conditions: ['browser', 'production', 'module', 'import', 'default'],
      // Standalone only: see tinySocket above. The ESM build keeps socket.io-client as an import.
      alias: standalone ? [{ find: /^socket\.io-client$/, replacement: tinySocket }] : [],
    },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    // Template collapsing reaches this package's sources and @baton/ui's, which the file bundles.
    plugins: standalone ? [collapseTemplates({ packages: ['team-inbox', 'ui'] }), minifyCompletely()] : [],
    build: {
      target: 'es2022',
      outDir: 'dist',
      // The ESM build runs first and starts from an empty dist; the standalone build adds its file.
      emptyOutDir: !standalone,
      sourcemap: process.env.BATON_SOURCEMAP === '1',
      reportCompressedSize: false,
      // Standalone only: which chunk files the entry imports statically (the initial load) and which by import().
      manifest: standalone ? 'standalone-manifest.json' : false,
      lib: (standalone
        ? { entry: { 'team-inbox.standalone': src('define.ts') }, formats: ['es'] }
        : {
            entry: { index: src('team-inbox/team-inbox.ts'), define: src('define.ts'), events: src('events.ts') },
            formats: ['es'],
          }) satisfies LibraryOptions as LibraryOptions,
      rollupOptions: {
        external: standalone ? [] : [/^lit(\/|$)/, /^@lit\//, /^socket\.io-client(\/|$)/],
        // Standalone: the entry may export more than define.ts does, so a lazy chunk imports what it
        // shares with the first paint (Lit, the client) from the entry itself. With library mode's
        // 'strict' those shared modules became a second file of the initial load, bigger in gzip.
        ...(standalone ? { preserveEntrySignatures: 'allow-extension' as const } : {}),
        output: standalone
          ? { entryFileNames: '[name].js', chunkFileNames: `${STANDALONE_CHUNK_DIR}/[name]-[hash].js` }
          : { chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  };
});
