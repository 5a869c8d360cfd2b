import { fileURLToPath } from 'node:url';
import { defineConfig, transformWithEsbuild, type LibraryOptions, type Plugin } from 'vite';

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

/**
 * Vite leaves whitespace in `es` library output (so a host's bundler can still see pure
 * annotations); a standalone file is nobody's input, so minify it completely.
 */
function minifyCompletely(): Plugin {
  return {
    name: 'baton-minify-standalone',
    // generateBundle, not renderChunk: Vite 8 prints chunks again after renderChunk, which put
    // the whitespace back. Every chunk goes through here, the entry and each lazy one.
    async generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        // With BATON_SOURCEMAP=1 the map describes the unminified code; leave that code as it is.
        if (chunk.type !== 'chunk' || chunk.map) continue;
        const out = await transformWithEsbuild(chunk.code, chunk.fileName, { minify: true, format: 'esm', legalComments: 'none' });
        chunk.code = out.code;
      }
    },
  };
}

/**
 * Collapses the whitespace of `css` and `html` tagged templates in Baton's own sources (the
 * minifier leaves template text alone): CSS loses comments and indentation; in HTML a run of
 * whitespace that spans a line becomes one space, which renders the same outside `<pre>`.
 */
function collapseTemplates(): Plugin {
  const tag = /\b(css|html|svg)`/g;
  const cssText = (t: string) => t.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').replace(/\s*([{};])\s*/g, '$1');
  const htmlText = (t: string) => t.replace(/\s*\n\s*/g, ' ');
  function template(code: string, start: number, text: ((t: string) => string) | null): [string, number] {
    let out = '';
    let chunk = '';
    let i = start;
    const flush = () => {
      out += text ? text(chunk) : chunk;
      chunk = '';
    };
    while (i < code.length && code[i] !== '`') {
      if (code[i] === '\\') {
        chunk += code.slice(i, i + 2);
        i += 2;
      } else if (code[i] === '$' && code[i + 1] === '{') {
        flush();
        const [expr, end] = expression(code, i + 2);
        out += '${' + expr + '}';
        i = end + 1;
      } else chunk += code[i++];
    }
    flush();
    return [out, i];
  }
  function expression(code: string, start: number): [string, number] {
    let out = '';
    let depth = 0;
    let i = start;
    while (i < code.length) {
      const c = code[i]!;
      if (c === '}' && depth === 0) return [out, i];
      if (c === '{') depth++;
      if (c === '}') depth--;
      if (c === '"' || c === "'") {
        let j = i + 1;
        while (code[j] !== c) j += code[j] === '\\' ? 2 : 1;
        out += code.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (c === '`') {
        const tagged = /(css|html|svg)$/.exec(out)?.[1];
        const [body, end] = template(code, i + 1, tagged === 'css' ? cssText : tagged ? htmlText : null);
        out += '`' + body + '`';
        i = end + 1;
        continue;
      }
      out += c;
      i++;
    }
    return [out, i];
  }
  return {
    name: 'baton-collapse-templates',
    transform(code, id) {
      if (!/[\\/]packages[\\/](team-inbox|ui)[\\/]src[\\/].*\.ts$/.test(id)) return null;
      let out = '';
      let last = 0;
      tag.lastIndex = 0;
      for (let m = tag.exec(code); m; m = tag.exec(code)) {
        const [body, end] = template(code, m.index + m[0].length, m[1] === 'css' ? cssText : htmlText);
        out += code.slice(last, m.index + m[0].length) + body + '`';
        last = end + 1;
        tag.lastIndex = last;
      }
      return { code: out + code.slice(last), map: null };
    },
  };
}

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
    plugins: standalone ? [collapseTemplates(), minifyCompletely()] : [],
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
