// The Vite plugins of the standalone builds of Baton's custom elements (<team-inbox>,
// <workflow-builder>). Each element's vite.config.ts imports them from here, so the two
// standalone files are made the same way; what differs between the elements (entries, aliases,
// chunk folders) stays in their own config.
import { transform } from 'esbuild';
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

export interface CollapseTemplatesOptions {
  /**
   * The folders under `packages/` whose `src/**\/*.ts` is Baton's own (e.g. `['team-inbox', 'ui']`).
   * Only their templates are collapsed: a dependency's template text is its author's to keep.
   */
  packages: readonly string[];
}

/**
 * Collapses the whitespace of `css` and `html` tagged templates in Baton's own sources (the
 * minifier leaves template text alone): CSS loses comments and indentation; in HTML a run of
 * whitespace that spans a line becomes one space, which renders the same outside `<pre>`.
 */
export function collapseTemplates({ packages }: CollapseTemplatesOptions): Plugin {
  const escaped = packages.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const own = new RegExp(`[\\\\/]packages[\\\\/](${escaped.join('|')})[\\\\/]src[\\\\/].*\\.ts$`);
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
      if (!own.test(id)) return null;
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
