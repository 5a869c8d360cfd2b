import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { WorkflowRun } from '@baton/protocol';
import { demoWorld, fixtureInbox, until } from '../testing/fixtures.js';
import { allByRole, byRole, composedText, mountPart } from '../testing/mount.js';

describe('Why it was routed this way', () => {
  it('is offered for a queued conversation and lists the rule runs in the runner’s words', async () => {
    const world = demoWorld();
    const since = new Date(Date.now() - 4 * 60_000).toISOString();
    world.conversations = world.conversations.map((c) => (c.id === 'conv_lucia' ? { ...c, assigneeId: null, waitingSince: since } : c));
    const run: WorkflowRun = {
      id: 'run_1', workflowId: 'wf_es', workflowName: 'Spanish → bilingual', version: 3, trigger: 'conversation.created', eventId: 7,
      conversationId: 'conv_lucia', matched: true, outcome: 'queued', conditions: null, createdAt: since,
      actions: [{ index: 0, type: 'assign', status: 'queued', detail: 'maria away; luis at capacity 25/25' }],
    };
    world.routing = new Map([['conv_lucia', [run]]]);
    const inbox = await fixtureInbox({ world });
    const { root, remove } = await mountPart('inbox-details', inbox);

    // Not offered where no rule was involved.
    await inbox.store.open('conv_priya');
    await until(() => allByRole(root, 'button', 'Edit details').length === 1, 2000, 'details');
    expect(root.querySelector('summary.routing, .routing summary')).to.equal(null);

    await inbox.store.open('conv_lucia');
    const summary = () => root.querySelector<HTMLElement>('.routing summary');
    await until(() => !!summary(), 2000, 'the disclosure');
    expect(summary()!.textContent).to.equal('Why it was routed this way');
    expect(inbox.world.requests.some((r) => r.endsWith('/routing'))).to.equal(false); // asked only when opened
    summary()!.click();
    const why = () => root.querySelector('inbox-routing-why')?.shadowRoot ?? null;
    await until(() => !!why() && allByRole(why()!, 'list', 'Rule runs').length === 1, 3000, 'rule runs');
    const text = composedText(why()!).replace(/\s+/g, ' ');
    expect(text).to.contain('Spanish → bilingual · queued: nobody available · 4m').and.contain('maria away; luis at capacity 25/25');
    expect(inbox.world.requests).to.include('GET /v1/conversations/conv_lucia/routing');
    expect(byRole(root, 'heading', 'Conversation')).to.exist;
    await expectNoAxeViolations(root.host);
    remove();
  });
});
