// Measures the standalone <workflow-builder> bundle against its budget: 45 KB gzip (issue #10) for
// what a page loads before the builder paints: the entry and any chunk it imports statically, with
// Lit, @lit/context and @baton/client inside. Chunks it loads with import() on first use
// (dist/builder-chunks/, e.g. the sample's local evaluator) are listed apart, outside the budget.
// See @baton/ui/tooling/bundle-size: builds when dist/ has no manifest, `--build` rebuilds, exits 1
// over budget or when a file was left unminified.
import { fileURLToPath } from 'node:url';
import { bundleSize } from '@baton/ui/tooling/bundle-size';

bundleSize({
  root: fileURLToPath(new URL('..', import.meta.url)),
  entry: 'workflow-builder.standalone.js',
  budget: 45 * 1024,
  manifest: 'standalone-manifest.json',
});
