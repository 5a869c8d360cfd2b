// Screenshots of the demo's Automation page for docs/screenshots/: the list and the editor of
// "Spanish → bilingual", light and dark, and the routing settings (light). Needs a running demo: `pnpm start`, then
// `node packages/workflow-builder/scripts/screenshots.mjs [http://localhost:3000]`.
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions } from '@baton/ui/tooling/chromium';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:3000';
const out = (name) => fileURLToPath(new URL(`../../../docs/screenshots/${name}`, import.meta.url));
const browser = await chromium.launch(chromiumLaunchOptions());
for (const theme of ['light', 'dark']) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: theme });
  await page.goto(`${base}/demo/automation?agent=ana&theme=${theme}`);
  await page.getByRole('button', { name: 'Spanish → bilingual', exact: true }).waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out(`workflow-builder-list-${theme}.png`) });
  await page.getByRole('button', { name: 'Spanish → bilingual', exact: true }).click();
  await page.getByRole('treegrid').waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out(`workflow-builder-editor-${theme}.png`), fullPage: true });
  if (theme === 'light') {
    await page.getByRole('button', { name: '← Workflows' }).click();
    await page.getByRole('button', { name: 'Routing settings' }).click();
    await page.getByRole('table').waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: out('workflow-builder-settings-light.png'), fullPage: true });
  }
  await page.close();
}
await browser.close();
console.log('written: docs/screenshots/workflow-builder-{list,editor}-{light,dark}.png, workflow-builder-settings-light.png');
