// The two library builds every Baton custom element makes into its `dist/` (see an element's
// vite.config.ts for what they are to it). This holds their common shape; an element passes its
// entries, what its ESM build leaves as imports, its standalone aliases and chunk folder.
import type { Alias, LibraryOptions, UserConfig } from 'vite';
import { minifyCompletely, minifyTemplates } from './vite-plugins.js';

export interface ElementBuildOptions {
  /** `--mode standalone`: the one-file build for a `<script type="module">` include. */
  standalone: boolean;
  /** The package folder under `packages/`; the standalone file is `<name>.standalone.js`. */
  name: string;
  /**
   * The ESM build's entries, by output name. `define` (the module that registers the element) is
   * also the standalone build's one entry.
   */
  entries: { define: string } & Record<string, string>;
  /** What the ESM build leaves as imports, so a host's bundler dedupes them with its own copies. */
  external: RegExp[];
  /** Standalone only: modules replaced in the one-file build (e.g. socket.io-client). */
  standaloneAlias?: Alias[];
  /** Standalone only: the folder beside the entry for what it loads with import() on first use. */
  chunkDir: string;
  /** Standalone only: a Vite manifest to write, for tools that need to know the initial load. */
  manifest?: string;
}

export function elementBuild(options: ElementBuildOptions): UserConfig {
  const { standalone } = options;
  return {
    // Browser production builds: socket.io-client's node and development builds pull in `ws` and `debug`.
    resolve: {
      conditions: ['browser', 'production', 'module', 'import', 'default'],
      alias: (standalone && options.standaloneAlias) || [],
    },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    // Template minifying reaches the element's sources and @baton/ui's, which the file bundles.
    plugins: standalone ? [minifyTemplates({ packages: [options.name, 'ui'] }), minifyCompletely()] : [],
    build: {
      target: 'es2022',
      outDir: 'dist',
      // The ESM build runs first and starts from an empty dist; the standalone build adds its file.
      emptyOutDir: !standalone,
      sourcemap: process.env.BATON_SOURCEMAP === '1',
      reportCompressedSize: false,
      manifest: (standalone && options.manifest) || false,
      lib: (standalone
        ? { entry: { [`${options.name}.standalone`]: options.entries.define }, formats: ['es'] }
        : { entry: options.entries, formats: ['es'] }) satisfies LibraryOptions as LibraryOptions,
      rollupOptions: {
        external: standalone ? [] : options.external,
        // Standalone: the entry may export more than the define module does, so a lazy chunk imports
        // what it shares with the first paint (Lit, the client) from the entry itself, fetched
        // relative to the entry's URL. With library mode's 'strict' those shared modules became a
        // second file of the initial load, bigger in gzip.
        ...(standalone ? { preserveEntrySignatures: 'allow-extension' as const } : {}),
        output: standalone
          ? { entryFileNames: '[name].js', chunkFileNames: `${options.chunkDir}/[name]-[hash].js` }
          : { chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  };
}
