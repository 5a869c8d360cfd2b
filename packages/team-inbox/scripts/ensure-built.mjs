// Builds dist/ when the standalone bundle is missing or older than its sources (see
// @baton/ui/tooling/ensure-built). `pnpm start` in apps/demo-crm runs this first.
import { fileURLToPath } from 'node:url';
import { ensureBuilt, packageSrc } from '@baton/ui/tooling/ensure-built';

ensureBuilt({
  root: fileURLToPath(new URL('..', import.meta.url)),
  name: 'team-inbox',
  // The manifest is written by the same build as the bundle and its lazy chunks; a dist/ from
  // before lazy chunks has none.
  outputs: ['dist/team-inbox.standalone.js', 'dist/standalone-manifest.json'],
  dependencies: ['@baton/ui/tokens', '@baton/client', '@baton/protocol/constants'].map((s) => packageSrc(import.meta.resolve(s))),
});
