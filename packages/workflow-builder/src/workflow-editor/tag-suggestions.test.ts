import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { TagUsage } from '@baton/protocol';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { TestWorkspace } from '../testing/workspace.js';
import { byRole, editorOf, freshWorkspaceEachTest, mountBuilder, openWorkflow as open, waitFor } from '../testing/mount.js';
import type { WorkflowBuilder } from '../workflow-builder/workflow-builder.js';

/**
 * A workspace with 5,000 tags in use, answered in the browser: `GET /v1/tags` on the test
 * server's URL goes to this fake (prefix case-insensitive, most used first, at most `limit`), every
 * other request to the real server. Each tags request is logged as path and query; `hold(prefix)`
 * keeps that prefix's answers back until `release(prefix)`, to make them slow and out of order.
 */
function fakeTagsServer(ws: TestWorkspace) {
  const tags: TagUsage[] = [
    ...Array.from({ length: 4996 }, (_, i) => ({ name: `t${String(i).padStart(4, '0')}`, conversations: 10_000 - i, contacts: 0 })),
    { name: 'zebra', conversations: 3, contacts: 2 },
    { name: 'zeal', conversations: 2, contacts: 0 },
    { name: 'zebu', conversations: 1, contacts: 0 },
    { name: 'zest', conversations: 0, contacts: 1 },
  ];
  const requests: string[] = [];
  const holding = new Set<string>();
  const held = new Map<string, (() => void)[]>();
  /** Answers delivered to the page, by prefix. */
  const delivered: string[] = [];
  const realFetch = window.fetch;
  window.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!url.href.startsWith(`${ws.url}/v1/tags`)) return realFetch(input, init);
    requests.push(url.pathname + url.search);
    const prefix = (url.searchParams.get('prefix') ?? '').toLowerCase();
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const answer = () => {
      delivered.push(prefix);
      const body = { tags: tags.filter((t) => t.name.toLowerCase().startsWith(prefix)).slice(0, limit) };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    if (!holding.has(prefix)) return Promise.resolve(answer());
    return new Promise<Response>((resolve) => held.set(prefix, [...(held.get(prefix) ?? []), () => resolve(answer())]));
  };
  return {
    requests,
    delivered,
    hold: (prefix: string) => void holding.add(prefix),
    release(prefix: string) {
      holding.delete(prefix);
      for (const go of held.get(prefix) ?? []) go();
      held.delete(prefix);
    },
    restore: () => void (window.fetch = realFetch),
  };
}

const FIRST_PAGE = Array.from({ length: 200 }, (_, i) => `t${String(i).padStart(4, '0')}`);
const ZE = ['zebra', 'zeal', 'zebu', 'zest'];
/** A tag field's suggestions, as its datalist holds them. */
const options = (input: HTMLInputElement) => Array.from(input.list?.options ?? []).map((o) => o.value);
const inUse = (input: HTMLInputElement) => options(input).filter((t) => !['es', 'spanish'].includes(t));

describe('<workflow-builder> tag suggestions in a workspace with 5,000 tags', () => {
  let ws: TestWorkspace;
  let server: ReturnType<typeof fakeTagsServer>;
  freshWorkspaceEachTest((w) => {
    ws = w;
    server = fakeTagsServer(ws);
  });
  afterEach(() => server.restore());

  /** A rule with a tag condition ("spanish") and an Add tags action ("es"), open in the editor. */
  async function openTagRule(): Promise<{ el: WorkflowBuilder; action: () => HTMLInputElement; condition: () => HTMLInputElement }> {
    const { el } = await open(ws, {
      name: 'Tags',
      conditions: { all: [{ field: 'contact.tags', op: 'contains_any', value: ['spanish'] }] },
      actions: [{ type: 'add_tag', tags: ['es'] }],
    });
    return {
      el,
      action: () => byRole(byRole(el, 'row', /^Action 1:/), 'combobox', 'Add value') as HTMLInputElement,
      condition: () => byRole(byRole(el, 'row', /^Condition: contact tags/), 'combobox', 'Add value') as HTMLInputElement,
    };
  }

  it('offers the first page at once, then asks GET /v1/tags?prefix= for what is typed and offers the matching tags, in actions and conditions', async () => {
    const { el, action, condition } = await openTagRule();
    await waitFor(() => inUse(action()).length === 200, 5000, 'the first page');
    expect(inUse(action())).to.deep.equal(FIRST_PAGE);
    // The rules' own tags follow the workspace's; a field leaves out the tags it has.
    expect(options(action()).slice(200)).to.deep.equal(['spanish']);
    expect(options(condition()).slice(200)).to.deep.equal(['es']);
    expect(server.requests).to.deep.equal(['/v1/tags?limit=200']);

    action().focus();
    await sendKeys({ type: 'ze' });
    await waitFor(() => inUse(action()).includes('zebra'), 5000, 'zebra offered');
    expect(server.requests).to.deep.equal(['/v1/tags?limit=200', '/v1/tags?prefix=ze&limit=50']);
    expect(inUse(action())).to.deep.equal(ZE);
    await expectNoAxeViolations(el);

    // The condition's field is empty: focused, it offers the first page again; typed, it narrows.
    condition().focus();
    await waitFor(() => inUse(condition()).length === 200, 2000, 'the first page in the condition');
    await sendKeys({ type: 'zes' });
    await waitFor(() => inUse(condition()).length === 1, 2000, 'zest offered');
    expect(inUse(condition())).to.deep.equal(['zest']);
    // "ze" had fewer than a page: "zes" was answered from it, without asking.
    await new Promise((r) => setTimeout(r, 400));
    expect(server.requests).to.have.length(2);
  });

  it('backspacing to a shorter prefix offers that prefix’s tags: the longer prefix’s slower answer, arriving last, does not replace them', async () => {
    const { el, action } = await openTagRule();
    await waitFor(() => inUse(action()).length === 200, 5000, 'the first page');
    server.hold('zeb');
    server.hold('ze');
    action().focus();
    await sendKeys({ type: 'zeb' });
    await waitFor(() => server.requests.includes('/v1/tags?prefix=zeb&limit=50'), 2000, 'zeb asked for');

    await sendKeys({ press: 'Backspace' });
    expect(action().value).to.equal('ze');
    await waitFor(() => server.requests.includes('/v1/tags?prefix=ze&limit=50'), 2000, 'ze asked for');
    // Until its answer comes, the first page stands in (never the longer prefix's list).
    expect(inUse(action())).to.deep.equal(FIRST_PAGE);

    server.release('ze');
    await waitFor(() => inUse(action()).includes('zeal'), 2000, 'ze answered');
    expect(inUse(action())).to.deep.equal(ZE);

    server.release('zeb');
    await waitFor(() => server.delivered.includes('zeb'), 2000, 'zeb answered');
    await new Promise((r) => setTimeout(r, 100));
    // Whatever draws the editor next (here, a redraw asked for) still shows "ze"'s tags.
    const editor = editorOf(el);
    editor.requestUpdate();
    await editor.updateComplete;
    expect(inUse(action())).to.deep.equal(ZE);
  });

  it('paints the list and the editor before the tags arrive', async () => {
    server.hold('');
    // The list of workflows does not ask for tags at all.
    const list = await mountBuilder(ws);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests).to.deep.equal([]);
    list.remove();

    // The editor is drawn, tag fields and all, while its first page of tags is still on the way.
    const { action } = await openTagRule();
    expect(server.requests).to.deep.equal(['/v1/tags?limit=200']);
    expect(server.delivered).to.deep.equal([]);
    expect(options(action())).to.deep.equal(['spanish']);

    server.release('');
    await waitFor(() => inUse(action()).length === 200, 5000, 'the first page');
  });
});
