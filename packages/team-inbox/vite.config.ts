import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
// By path, not as `@baton/ui/tooling/…`: Vite bundles a config's relative imports with it but leaves
// package imports to Node, which cannot load a .ts file.
import { elementBuild } from '../ui/tooling/element-build.js';

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
/**
 * The standalone build's folder for lazy chunks. apps/demo-crm/src/host.ts serves this folder under
 * the same name (it cannot import a Vite config at run time, so the name is written there too).
 */
const STANDALONE_CHUNK_DIR = 'standalone-chunks';
const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

/**
 * The standalone file connects over WebSocket only, with a small Socket.IO client in place of
 * socket.io-client: engine.io-client's HTTP long-polling and WebTransport transports, its upgrade
 * dance and the Manager are a quarter of the file and do not fit the 40 KB budget. Networks that
 * block WebSockets need the ESM build, which keeps socket.io-client whole.
 */
const tinySocket = fileURLToPath(new URL('../client/src/tiny-socket/tiny-socket.ts', import.meta.url));

export default defineConfig(({ mode }) =>
  elementBuild({
    standalone: mode === 'standalone',
    name: 'team-inbox',
    entries: { index: src('team-inbox/team-inbox.ts'), define: src('define.ts'), events: src('events.ts') },
    external: [/^lit(\/|$)/, /^@lit\//, /^socket\.io-client(\/|$)/],
    standaloneAlias: [{ find: /^socket\.io-client$/, replacement: tinySocket }],
    chunkDir: STANDALONE_CHUNK_DIR,
    // Which chunk files the entry imports statically (the initial load) and which by import().
    manifest: 'standalone-manifest.json',
  }),
);
