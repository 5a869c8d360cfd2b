// Measures the standalone <team-inbox> bundle against its budget: 40 KB gzip for the INITIAL
// load — the entry and every chunk it imports statically, with Lit, @baton/client and its tiny
// Socket.IO client inside. Chunks reached only through `import()` (editors and menus loaded on
// first use) are listed beside it, each with its own size, and do not count against the budget.
// See @baton/ui/tooling/bundle-size: builds when dist/ has no manifest, `--build` rebuilds, exits 1
// over budget or when a file was left unminified.
import { fileURLToPath } from 'node:url';
import { bundleSize } from '@baton/ui/tooling/bundle-size';

bundleSize({
  root: fileURLToPath(new URL('..', import.meta.url)),
  entry: 'team-inbox.standalone.js',
  budget: 40 * 1024,
  manifest: 'standalone-manifest.json',
});
