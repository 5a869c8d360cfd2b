// Test-only helper: never imported by shipped code.
import 'axe-core';
import type { AxeResults, RunOptions } from 'axe-core';

type Axe = typeof import('axe-core');

/** axe-core is a UMD script: as a module it installs itself on `window` and exports nothing. */
function axe(): Axe {
  return (window as unknown as { axe: Axe }).axe;
}

/** Fails with a readable list when axe finds any violation inside `el` (shadow roots included). */
export async function expectNoAxeViolations(el: Element, options: RunOptions = {}): Promise<void> {
  const results: AxeResults = await axe().run(el, { resultTypes: ['violations'], ...options });
  if (results.violations.length === 0) return;
  const lines = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  throw new Error(`axe found ${results.violations.length} violation(s):\n${lines.join('\n')}`);
}
