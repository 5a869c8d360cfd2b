// How the builder reads the server: the list shows once with everything its rows hold (nothing
// moves under the pointer as details arrive), and, having no socket, it reads teams made elsewhere
// (the host's settings, another tab) again when the admin comes back to the page.
import { expect } from '@esm-bundle/chai';
import { BatonRestClient } from '@baton/client/rest';
import type { TestWorkspace } from '../testing/workspace.js';
import { allByRole, byRole, deepAll, freshWorkspaceEachTest, nameOf, openWorkflow as open, queryByRole, waitFor } from '../testing/mount.js';
import type { WorkflowBuilder } from './workflow-builder.js';

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

describe('<workflow-builder> reading the list (real server)', () => {
  let ws: TestWorkspace;
  freshWorkspaceEachTest((w) => (ws = w));

  /** A client whose warnings and run log answer 300 ms after everything else. */
  const slowDetails = () => {
    const slow: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('/v1/workflows/validate') || url.includes('/runs')) await new Promise((r) => setTimeout(r, 300));
      return fetch(input, init);
    };
    return new BatonRestClient({ baseUrl: ws.url, token: ws.tokens.ana, maxAttempts: 1, fetch: slow });
  };
  const names = (el: WorkflowBuilder) => allByRole(el, 'button').filter((b) => b.dataset.control === 'open').map(nameOf);

  it('shows each row with its warnings and run counts already in place, however late they come', async () => {
    await ws.createWorkflow({ name: 'Never', conditions: { all: [{ field: 'conversation.channel', op: 'eq', value: 'sms' }, { field: 'conversation.channel', op: 'eq', value: 'email' }] } });
    await ws.createWorkflow({ name: 'Everyone else' });
    const el = document.createElement('workflow-builder');
    el.rest = slowDetails();
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

  it('a reload that was reading while the admin moved a rule does not put the old order back', async () => {
    await ws.createWorkflow({ name: 'First', priority: 200 });
    await ws.createWorkflow({ name: 'Second', priority: 100 });
    const el = document.createElement('workflow-builder');
    el.rest = slowDetails();
    document.body.append(el);
    try {
      await waitFor(() => names(el).length === 2, 5000, 'the rows');
      // The list is read again (as after "← Workflows"), and while that load waits on its details the admin moves a rule.
      const reload = el.load();
      byRole(el, 'button', 'Move up: Second').click();
      await waitFor(() => names(el)[0] === 'Second', 5000, 'the move');
      await reload;
      await el.updateComplete;
      expect(names(el)).to.deep.equal(['Second', 'First']);
      expect(queryByRole(el, 'alert')).to.equal(null);
    } finally {
      el.remove();
    }
  });
});

describe('<workflow-builder> signing in (real server)', () => {
  let ws: TestWorkspace;
  freshWorkspaceEachTest((w) => (ws = w));

  it('asks nothing until the host gives it a credential, then every request carries it', async () => {
    const sent: { url: string; auth: boolean }[] = [];
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith(ws.url)) sent.push({ url, auth: new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).has('authorization') });
      return realFetch(input, init);
    };
    const el = document.createElement('workflow-builder') as WorkflowBuilder;
    try {
      // As a host page does: the element first, with its server; the token provider a moment later.
      el.setAttribute('server', ws.url);
      document.body.append(el);
      await el.updateComplete;
      await new Promise((r) => setTimeout(r, 100));
      expect(sent).to.deep.equal([]);
      el.tokenProvider = async () => ws.tokens.ana;
      await waitFor(() => !!el.shadowRoot!.querySelector('wb-workflow-list'), 8000, 'the list');
      expect(sent.length).to.be.greaterThan(0);
      expect(sent.filter((r) => !r.auth).map((r) => r.url)).to.deep.equal([]);
    } finally {
      window.fetch = realFetch;
      el.remove();
    }
  });

  it("an agent's token (not an admin's) is told who may edit workflows, with no Try again that could not help", async () => {
    const el = document.createElement('workflow-builder') as WorkflowBuilder;
    try {
      el.setAttribute('server', ws.url);
      el.tokenProvider = async () => ws.tokens.ben;
      document.body.append(el);
      await waitFor(() => !!queryByRole(el, 'alert'), 8000, 'the refusal');
      expect(byRole(el, 'alert').textContent).to.contain('Only workspace admins can change workflows');
      expect(queryByRole(el, 'button', 'Try again')).to.equal(null);
    } finally {
      el.remove();
    }
  });
});
