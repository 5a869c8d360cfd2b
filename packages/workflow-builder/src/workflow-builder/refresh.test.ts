// The builder has no socket: teams made elsewhere while it is open (the host's settings, another
// tab) reach its pickers when the admin comes back to the page.
import { expect } from '@esm-bundle/chai';
import type { TestWorkspace } from '../testing/workspace.js';
import { deepAll, freshWorkspaceEachTest, openWorkflow as open, waitFor } from '../testing/mount.js';

const teamOptions = (root: ParentNode) =>
  deepAll(root)
    .filter((e): e is HTMLOptionElement => e instanceof HTMLOptionElement && e.value.startsWith('team:'))
    .map((o) => o.textContent!.trim());

describe('<workflow-builder> teams made elsewhere (real server)', () => {
  let ws: TestWorkspace;
  freshWorkspaceEachTest((w) => (ws = w));

  it("coming back to the page reads the teams again: a team created meanwhile is in the step's pool picker", async () => {
    const { el } = await open(ws, { name: 'Refresh' });
    await waitFor(() => teamOptions(el).includes('Support'), 5000, 'the pool picker');
    expect(teamOptions(el)).to.not.include('Billing');

    const res = await fetch(`${ws.url}/v1/teams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Billing', memberIds: [ws.agents.ben] }),
    });
    expect(res.status).to.equal(201);
    window.dispatchEvent(new Event('focus'));
    await waitFor(() => teamOptions(el).includes('Billing'), 5000, 'Billing in the pool picker');
  });
});
