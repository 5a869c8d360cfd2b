/**
 * @baton/rules runs in browsers (the builder's preview) as well as in Node, without a bundler
 * shim: no `node:` imports, no Node globals, in its source or in the libraries it depends on.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { build } from 'esbuild';

const src = new URL('../src/', import.meta.url);
const NODE_ONLY = /from\s+['"]node:|require\(|\bprocess\.|\bBuffer\b|__dirname|\bglobal\./;

describe('portability', () => {
  it('the source uses no Node-only modules or globals', () => {
    for (const file of readdirSync(src)) {
      const text = readFileSync(new URL(file, src), 'utf8');
      assert.doesNotMatch(text, NODE_ONLY, file);
    }
  });

  it('both entry points bundle for the browser with no Node built-in reachable', async () => {
    for (const entry of ['index.ts', 'language.ts']) {
      // platform: 'browser' makes esbuild fail on any import of a Node built-in.
      const result = await build({
        entryPoints: [new URL(entry, src).pathname],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        logLevel: 'silent',
      });
      const code = result.outputFiles[0]!.text;
      assert.doesNotMatch(code, /\bprocess\.env|\bBuffer\.from|require\(["']node:/, entry);
    }
  });
});
