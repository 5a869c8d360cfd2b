// Builds dist/ when the standalone bundle is missing or older than its sources (see
// @baton/ui/tooling/ensure-built). `pnpm start` in apps/demo-crm runs this after team-inbox's.
import { fileURLToPath } from 'node:url';
import { ensureBuilt, packageSrc } from '@baton/ui/tooling/ensure-built';

ensureBuilt({
  root: fileURLToPath(new URL('..', import.meta.url)),
  name: 'workflow-builder',
  // The manifest is written by the same build as the bundle and its lazy chunks (scripts/bundle-size.mjs reads it).
  outputs: ['dist/workflow-builder.standalone.js', 'dist/standalone-manifest.json'],
  dependencies: ['@baton/ui/tokens', '@baton/client', '@baton/protocol/rule-fields', '@baton/rules'].map((s) => packageSrc(import.meta.resolve(s))),
});
