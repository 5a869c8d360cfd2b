// The Vite plugins of the standalone builds of Baton's custom elements (<team-inbox>,
// <workflow-builder>). Each element's vite.config.ts imports them from here, so the two
// standalone files are made the same way; what differs between the elements (entries, aliases,
// chunk folders) stays in their own config.
import { transform } from 'esbuild';
import { minifyHTMLLiterals } from 'minify-literals';
import type { Plugin } from 'vite';

/**
 * Vite leaves whitespace in `es` library output (so a host's bundler can still see pure
 * annotations); a standalone file is nobody's input, so minify it completely.
 */
export function minifyCompletely(): Plugin {
  return {
    name: 'baton-minify-standalone',
    // generateBundle, not renderChunk: Vite 8 prints chunks again after renderChunk, which put
    // the whitespace back. Every chunk goes through here, the entry and each lazy one.
    async generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        // With BATON_SOURCEMAP=1 the map describes the unminified code; leave that code as it is.
        if (chunk.type !== 'chunk' || chunk.map) continue;
        // esbuild itself: Vite 8 deprecates its `transformWithEsbuild` wrapper (its own minifier is
        // Oxc now, whose output for these files was not compared).
        const out = await transform(chunk.code, { minify: true, format: 'esm', legalComments: 'none', sourcefile: chunk.fileName, loader: 'js' });
        chunk.code = out.code;
      }
    },
  };
}

export interface MinifyTemplatesOptions {
  /**
   * The folders under `packages/` whose `src/**\/*.ts` is Baton's own (e.g. `['team-inbox', 'ui']`).
   * Only their templates are minified: a dependency's template text is its author's to keep.
   */
  packages: readonly string[];
}

/**
 * A run of whitespace that spans a line becomes one space, which renders the same outside `<pre>`;
 * nothing else in an `html` template changes. html-minifier-next (minify-literals' default) also
 * trims a template's leading and trailing whitespace, and Lit templates are fragments: the
 * composer's tab, `Reply${html` <span class="channel">(SMS)</span>`}`, would read "Reply(SMS)"
 * (docs/decisions.md, session 29).
 */
const htmlText = (t: string) => t.replace(/\s*\n\s*/g, ' ');

/**
 * Minifies the `css` and `html` tagged templates in Baton's own sources, which the JavaScript
 * minifier leaves alone: minify-literals finds them (a TypeScript parser, so a template inside an
 * expression inside a template is found too), Lightning CSS minifies the CSS, and `htmlText` the
 * HTML.
 */
export function minifyTemplates({ packages }: MinifyTemplatesOptions): Plugin {
  const escaped = packages.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const own = new RegExp(`[\\\\/]packages[\\\\/](${escaped.join('|')})[\\\\/]src[\\\\/].*\\.ts$`);
  return {
    name: 'baton-minify-templates',
    async transform(code, id) {
      if (!own.test(id)) return null;
      const minified = await minifyHTMLLiterals(code, { fileName: id, html: htmlText });
      return minified ? { code: minified.code, map: minified.map } : null;
    },
  };
}
