// How the builder reads the server: the list shows once with everything its rows hold (nothing
// moves under the pointer as details arrive), and, having no socket, it reads teams made elsewhere
// (the host's settings, another tab) again when the admin comes back to the page.
import { expect } from '@esm-bundle/chai';
import { BatonRestClient } from '@baton/client/rest';
import type { TestWorkspace } from '../testing/workspace.js';
import { deepAll, freshWorkspaceEachTest, openWorkflow as open, queryByRole, waitFor } from '../testing/mount.js';

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

describe('<workflow-builder> first display of the list (real server)', () => {
  let ws: TestWorkspace;
  freshWorkspaceEachTest((w) => (ws = w));

  it('shows each row with its warnings and run counts already in place, however late they come', async () => {
    await ws.createWorkflow({ name: 'Never', conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { field: 'conversation.channel', op: 'eq', value: 'email' }] } });
    await ws.createWorkflow({ name: 'Everyone else' });
    // The warnings and the run log answer 300 ms after the list itself.
    const slow: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('/v1/workflows/validate') || url.includes('/runs')) await new Promise((r) => setTimeout(r, 300));
      return fetch(input, init);
    };
    const rest = new BatonRestClient({ baseUrl: ws.url, token: ws.tokens.ana, maxAttempts: 1, fetch: slow });
    const el = document.createElement('workflow-builder');
    el.rest = rest;
    document.body.append(el);
    try {
      const list = () => el.shadowRoot?.querySelector('wb-workflow-list')?.shadowRoot;
      // Polled every 20 ms: the first look at the rows comes well inside the 300 ms.
      await waitFor(() => !!list()?.querySelector('.row'), 5000, 'the rows');
      const firstLook = { warnings: !!queryByRole(el, 'list', 'Warnings for Never'), counts: (list()!.textContent ?? '').includes('0 runs, 0 assigned in 24 h') };
      expect(firstLook).to.deep.equal({ warnings: true, counts: true });
    } finally {
      el.remove();
    }
  });
});

