import { fileURLToPath } from 'node:url';
import { defineConfig, transformWithEsbuild, type LibraryOptions, type Plugin } from 'vite';

/**
 * Two library builds into `dist/`, the same two as `<team-inbox>`'s:
 * - default mode: the published ESM build (`index.js`, `define.js`, `events.js`). Lit, @lit/context
 *   and @baton/client stay imports, so a host's bundler dedupes them with its own copies.
 * - `--mode standalone`: `workflow-builder.standalone.js`, one minified ES module with everything in
 *   it, for a `<script type="module">` include on a page without a bundler.
 * The builder needs no socket, so there is no Socket.IO stand-in here.
 */
const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

/**
 * Vite leaves whitespace in `es` library output (so a host's bundler can still see pure
 * annotations); a standalone file is nobody's input, so minify it completely.
 */
function minifyCompletely(): Plugin {
  return {
    name: 'baton-minify-standalone',
    // generateBundle, not renderChunk: Vite 8 prints chunks again after renderChunk, which put the
    // whitespace back (as in team-inbox's config). Every chunk goes through here.
    async generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
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
      if (!/[\\/]packages[\\/](workflow-builder|ui)[\\/]src[\\/].*\.ts$/.test(id)) return null;
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
    resolve: {
      conditions: ['browser', 'production', 'module', 'import', 'default'],
      // Standalone only: the builder never opens a socket (see src/standalone/no-socket.ts).
      alias: standalone ? [{ find: /^socket\.io-client$/, replacement: src('standalone/no-socket.ts') }] : [],
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
