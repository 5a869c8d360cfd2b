// End to end for <workflow-builder> (issue #10): the demo started as `pnpm start` starts it, driven in
// Debian's Chromium. An admin builds "conversation created → channel is SMS and contact tag spanish →
// assign round-robin in Bilingual, else queue", moves it to the top, replays it on recent
// conversations and publishes; a message from a Spanish-tagged contact then lands in a bilingual
// agent's Mine and the run log explains it. Two admin tabs on one workflow: the second save conflicts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, printOutputOnFailure, startDemo, type RunningDemo } from './demo-process.js';

const RULE = 'Spanish SMS → Bilingual';

describe('demo CRM: Automation → Workflows end to end', () => {
  let demo: RunningDemo;
  let dataDir: string;
  let base: string;
  let browser: Browser;

  before(async () => {
    demo = await startDemo('baton-automation-');
    ({ base, dataDir } = demo);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });
  afterEach(printOutputOnFailure(() => demo));

  const page = async (url: string): Promise<Page> => {
    const p = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    p.on('pageerror', (e) => (demo.output.text += `[page error] ${e.message}\n`));
    await p.goto(`${base}${url}`);
    return p;
  };
  const apiKey = async () => (JSON.parse(await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as { apiKey: string }).apiKey;
  const api = async (method: string, p: string, body?: unknown) =>
    (await fetch(`${base}${p}`, { method, headers: { authorization: `Bearer ${await apiKey()}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })).json() as Promise<any>;

  it('builds, replays and publishes a rule; a Spanish-tagged SMS then lands in a bilingual agent’s Mine and the run log says why', async () => {
    const ana = await page('/demo/automation?agent=ana');
    // The seed's three rules are there, published, in execution order.
    await ana.getByRole('button', { name: 'Spanish → bilingual', exact: true }).waitFor({ timeout: 15_000 });
    await ana.getByRole('button', { name: 'New workflow' }).click();
    const tree = ana.getByRole('treegrid');
    await tree.waitFor();

    await ana.getByRole('textbox', { name: 'Name' }).fill(RULE);
    const ifRow = ana.getByRole('row', { name: /^If:/ });
    await ifRow.getByRole('button', { name: 'Add condition' }).click();
    await ana.getByRole('row', { name: 'Condition: channel is SMS' }).waitFor();
    await ifRow.getByRole('button', { name: 'Add condition' }).click();
    await ana.getByRole('row', { name: /^Condition:/ }).nth(1).getByRole('combobox', { name: 'Field' }).selectOption('contact.tags');
    const tagRow = ana.getByRole('row', { name: /^Condition: contact tags/ });
    await tagRow.getByRole('combobox', { name: 'Add value' }).fill('spanish');
    await tagRow.getByRole('combobox', { name: 'Add value' }).press('Enter');
    await ana.getByRole('row', { name: 'Condition: contact tags include spanish' }).waitFor();
    const bilingual = await ana.getByRole('row', { name: /^Step 1:/ }).getByRole('combobox', { name: 'Pool' }).locator('option', { hasText: 'Bilingual' }).getAttribute('value');
    await ana.getByRole('row', { name: /^Step 1:/ }).getByRole('combobox', { name: 'Pool' }).selectOption(bilingual!);
    await ana.getByRole('row', { name: 'Action 1: Assign round-robin in Bilingual, else queue' }).waitFor();

    // Replay on recent conversations.
    await ana.getByRole('button', { name: 'Test on recent conversations' }).click();
    await ana.getByRole('region', { name: 'Test on recent conversations' }).getByRole('table').waitFor({ timeout: 15_000 });
    assert.ok((await ana.getByRole('region', { name: 'Test on recent conversations' }).getByRole('row').count()) > 1);

    // Publish, then move it to the top of its trigger's order from the list.
    await ana.getByText('All changes saved').waitFor({ timeout: 10_000 });
    await ana.getByRole('button', { name: 'Publish' }).click();
    await ana.getByText('Live: version 1').waitFor({ timeout: 10_000 });
    await ana.getByRole('button', { name: '← Workflows' }).click();
    for (let i = 0; i < 3; i++) {
      const up = ana.getByRole('button', { name: `Move up: ${RULE}` });
      await up.click();
      await ana.getByRole('status').filter({ hasText: `Moved “${RULE}” to position ${3 - i} of 4` }).waitFor({ timeout: 10_000 });
    }

    // A customer message from a Spanish-tagged contact, as the host forwards it.
    const { conversation } = await api('POST', '/v1/conversations', { contact: { name: 'Lucía Fernández', tags: ['spanish'] }, channel: 'sms', message: { body: 'Hola, ¿me ayudan?' } });
    let assignee: string | null = null;
    for (let i = 0; i < 100 && !assignee; i++) {
      assignee = (await api('GET', `/v1/conversations/${conversation.id}`)).conversation.assigneeId;
      if (!assignee) await new Promise((r) => setTimeout(r, 100));
    }
    const agents: { id: string; username: string }[] = (await api('GET', '/v1/agents')).items;
    const username = agents.find((a) => a.id === assignee)?.username;
    assert.ok(username === 'maria' || username === 'ana', `assigned to ${username}`);
    const inbox = await page(`/demo?agent=${username}&view=mine`);
    await inbox.getByRole('listbox', { name: 'Conversations, Mine' }).getByRole('option', { name: /Hola, ¿me ayudan\?/ }).waitFor({ timeout: 10_000 });

    // The run log explains it.
    await ana.getByRole('button', { name: RULE, exact: true }).click();
    await ana.getByRole('button', { name: 'Runs' }).click();
    await ana.getByText('✓ contact tags include spanish').first().waitFor({ timeout: 10_000 });
    await ana.getByText('✓ channel is SMS — was SMS').first().waitFor();
  });

  it('the open workflow is in the address: a reload reopens it, and back at the list it is gone', async () => {
    const ana = await page('/demo/automation?agent=ana');
    await ana.getByRole('button', { name: 'Technical → senior tech', exact: true }).click();
    await ana.getByRole('treegrid').waitFor();
    await ana.waitForURL(/[?&]workflow=wf_/);
    await ana.reload();
    await ana.getByRole('treegrid').waitFor({ timeout: 15_000 });
    assert.equal(await ana.getByRole('textbox', { name: 'Name' }).inputValue(), 'Technical → senior tech');
    await ana.getByRole('button', { name: '← Workflows' }).click();
    await ana.getByRole('button', { name: 'New workflow' }).waitFor();
    await ana.waitForURL((url) => !url.searchParams.has('workflow'));
    assert.equal(new URL(ana.url()).searchParams.get('agent'), 'ana');
    await ana.context().close();
  });

  it('two admins on one workflow: the second save gets the conflict screen', async () => {
    const first = await page('/demo/automation?agent=ana');
    const second = await page('/demo/automation?agent=ana');
    for (const p of [first, second]) {
      await p.getByRole('button', { name: 'Everyone else → Support', exact: true }).click();
      await p.getByRole('treegrid').waitFor();
    }
    await first.getByRole('textbox', { name: 'Name' }).fill('Everyone else → Support (first)');
    for (let i = 0; i < 100; i++) {
      const { items } = await api('GET', '/v1/workflows');
      if (items.some((w: { draft: { name: string } }) => w.draft.name === 'Everyone else → Support (first)')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await second.getByRole('textbox', { name: 'Name' }).fill('Everyone else → Support (second)');
    const alert = second.getByRole('alert').filter({ hasText: 'saved a newer draft' });
    await alert.waitFor({ timeout: 10_000 });
    for (const name of ['Review changes', 'Keep mine', 'Discard mine']) await alert.getByRole('button', { name }).waitFor();
  });
});
