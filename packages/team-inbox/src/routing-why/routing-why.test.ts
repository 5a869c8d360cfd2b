import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import type { WorkflowRun } from '@baton/protocol';
import { ana, ben, demoWorld, fixtureInbox, until } from '../testing/fixtures.js';
import { matchedConditions, missedConditions } from '@baton/rules/deciding';
import { allByRole, byRole, composedText, mountPart } from '../testing/mount.js';

/** The details pane of `id`, with its routing disclosure opened; `why()` is the runs' shadow root once loaded. */
async function openWhy(world: ReturnType<typeof demoWorld>, id: string) {
  const inbox = await fixtureInbox({ world });
  const { root, remove } = await mountPart('inbox-details', inbox);
  await inbox.store.open(id);
  await until(() => !!root.querySelector('.routing summary'), 2000, 'the disclosure');
  root.querySelector<HTMLElement>('.routing summary')!.click();
  const why = () => root.querySelector('inbox-routing-why')?.shadowRoot ?? null;
  return { root, why, remove };
}

/** The demo world with Lucía's conversation queued for 4 minutes by "Spanish → bilingual", whose run says `detail`. */
function queuedWorld(detail: string) {
  const world = demoWorld();
  const since = new Date(Date.now() - 4 * 60_000).toISOString();
  world.conversations = world.conversations.map((c) => (c.id === 'conv_lucia' ? { ...c, assigneeId: null, waitingSince: since } : c));
  const run: WorkflowRun = {
    id: 'run_1', workflowId: 'wf_es', workflowName: 'Spanish → bilingual', version: 3, trigger: 'conversation.created', eventId: 7,
    conversationId: 'conv_lucia', contactName: 'Lucía Fernández', matched: true, outcome: 'queued', conditions: null, createdAt: since,
    actions: [{ index: 0, type: 'assign', status: 'queued', detail }],
  };
  world.routing = new Map([['conv_lucia', [run]]]);
  return world;
}

/** A condition's trace as the run log inflates it. */
const leaf = (field: string, text: string, actual: unknown, result: boolean, path: (string | number)[]) =>
  ({ kind: 'condition', path, field, operator: 'in', expected: [], actual, result, text }) as const;

/** The items of the list named `name` in the runs, once it is there, as text. */
async function listTexts(why: () => ShadowRoot | null, name: string): Promise<string[]> {
  await until(() => !!why() && allByRole(why()!, 'list', name).length === 1, 3000, name);
  return [...allByRole(why()!, 'list', name)[0]!.querySelectorAll('li')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
}

describe('Why it was routed this way', () => {
  it('is offered for a queued conversation and lists the rule runs in the runner’s words', async () => {
    const world = queuedWorld('maria away; luis at capacity 25/25');
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
    expect(allByRole(why()!, 'list', 'Why it matched')[0]!.textContent!.trim()).to.equal('It has no conditions: every conversation matches.');
    expect(inbox.world.requests).to.include('GET /v1/conversations/conv_lucia/routing');
    expect(byRole(root, 'heading', 'Conversation')).to.exist;
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('says which conditions kept a rule from matching, with what they saw', async () => {
    const world = demoWorld();
    const since = new Date(Date.now() - 60_000).toISOString();
    world.conversations = world.conversations.map((c) => (c.id === 'conv_lucia' ? { ...c, assigneeId: null, waitingSince: since } : c));
    const notMatched: WorkflowRun = {
      id: 'run_2', workflowId: 'wf_tech', workflowName: 'Technical → senior tech', version: 1, trigger: 'conversation.created', eventId: 8,
      conversationId: 'conv_lucia', contactName: 'Lucía Fernández', matched: false, outcome: 'not_matched', createdAt: since, actions: [],
      conditions: {
        kind: 'all', path: [], result: false,
        children: [
          { kind: 'any', path: ['all', 0], result: false, children: [
            leaf('conversation.language', 'conversation language is Spanish', 'en', false, ['all', 0, 'any', 0]),
            leaf('contact.tags', 'contact tags include spanish', [], false, ['all', 0, 'any', 1]),
          ] },
          leaf('conversation.channel', 'channel is SMS', 'sms', true, ['all', 1]),
          { kind: 'not', path: ['all', 2], result: false, child: leaf('contact.tags', 'contact tags include spam', ['spam', 'vip'], true, ['all', 2, 'not']) },
        ],
      },
    };
    expect(missedConditions(notMatched.conditions!).map((m) => ('leaf' in m ? [m.leaf.field, m.negated] : m))).to.deep.equal([
      ['conversation.language', false], ['contact.tags', false], ['contact.tags', true],
    ]);
    // not(all(a, b)) that failed: a and b held, and only both together are unwanted.
    const a = leaf('contact.tags', 'contact tags include vip', ['vip'], true, ['not', 'all', 0]);
    const b = leaf('conversation.channel', 'channel is SMS', 'sms', true, ['not', 'all', 1]);
    const together = missedConditions({ kind: 'not', path: [], result: false, child: { kind: 'all', path: ['not'], result: true, children: [a, b] } });
    expect(together).to.deep.equal([{ together: [a, b] }]);
    world.routing = new Map([['conv_lucia', [notMatched]]]);
    const { root, why, remove } = await openWhy(world, 'conv_lucia');
    expect(await listTexts(why, 'Why it did not match')).to.deep.equal([
      'conversation language is Spanish: was English',
      'contact tags include spanish: was none',
      'contact tags include spam (must not): was spam, vip',
    ]);
    expect(composedText(why()!)).to.not.contain('channel is SMS');
    await expectNoAxeViolations(root.host);
    remove();
  });

  it('says which conditions made a rule match, with what they saw', async () => {
    const world = demoWorld();
    const since = new Date(Date.now() - 60_000).toISOString();
    const conditions: NonNullable<WorkflowRun['conditions']> = {
      kind: 'all', path: [], result: true,
      children: [
        { kind: 'any', path: ['all', 0], result: true, children: [
          leaf('conversation.language', 'conversation language is Spanish', 'es', true, ['all', 0, 'any', 0]),
          leaf('contact.tags', 'contact tags include spanish', [], false, ['all', 0, 'any', 1]),
        ] },
        { kind: 'not', path: ['all', 1], result: true, child: { kind: 'any', path: ['all', 1, 'not'], result: false, children: [
          leaf('contact.tags', 'contact tags include spam', [], false, ['all', 1, 'not', 'any', 0]),
        ] } },
      ],
    };
    // The one of the `any` that held, and under the `not` the one that did not; not the `any`'s other.
    expect(matchedConditions(conditions).map((m) => [m.leaf.text, m.negated])).to.deep.equal([
      ['conversation language is Spanish', false],
      ['contact tags include spam', true],
    ]);
    const matched: WorkflowRun = {
      id: 'run_3', workflowId: 'wf_es', workflowName: 'Spanish → bilingual', version: 2, trigger: 'conversation.created', eventId: 9,
      conversationId: 'conv_lucia', contactName: 'Lucía Fernández', matched: true, outcome: 'applied', createdAt: since, conditions,
      actions: [{ index: 0, type: 'assign', status: 'done', detail: 'Assigned to maria (skill es, round-robin)' }],
    };
    // Queued by an earlier rule, so the disclosure is offered (a workflow's timeline event would do too).
    world.conversations = world.conversations.map((c) => (c.id === 'conv_lucia' ? { ...c, assigneeId: null, waitingSince: since } : c));
    world.routing = new Map([['conv_lucia', [matched]]]);
    const { root, why, remove } = await openWhy(world, 'conv_lucia');
    expect(await listTexts(why, 'Why it matched')).to.deep.equal([
      'conversation language is Spanish: was Spanish',
      'contact tags include spam (must not): was none',
    ]);
    expect(byRole(why()!, 'list', 'What it did').textContent).to.contain('Assigned to maria (skill es, round-robin)');
    expect(composedText(why()!)).to.not.contain('include spanish');
    await expectNoAxeViolations(root.host);
    remove();
  });

  it("links each rule to the host's page for it (workflow-href), for admins only", async () => {
    for (const [me, linked] of [[ana, true], [ben, false]] as const) {
      const world = queuedWorld('maria away');
      world.me = me;
      const { root, why, remove } = await openWhy(world, 'conv_lucia');
      (root.host as HTMLElement & { workflowHref: string }).workflowHref = '/crm/automation?workflow={id}';
      await until(() => !!why() && allByRole(why()!, 'list', 'Rule runs').length === 1, 3000, 'rule runs');
      await (root.querySelector('inbox-routing-why') as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
      const links = why()!.querySelectorAll('a');
      expect(links.length, me.username).to.equal(linked ? 1 : 0);
      if (linked) expect([links[0]!.textContent, links[0]!.getAttribute('href')]).to.deep.equal(['Spanish → bilingual', '/crm/automation?workflow=wf_es']);
      remove();
    }
  });

  it('says when a conversation is older than the runs the log keeps', async () => {
    const world = demoWorld();
    world.conversations = world.conversations.map((c) => (c.id === 'conv_priya' ? { ...c, assigneeId: null } : c));
    // conv_priya started 30 minutes ago: pretend the log keeps runs only from 10 minutes ago.
    world.runsKeptSince = new Date(Date.now() - 10 * 60_000).toISOString();
    const { why, remove } = await openWhy(world, 'conv_priya');
    await until(() => !!why() && /no longer kept/.test(composedText(why()!)), 3000, 'the retention note');
    expect(composedText(why()!)).to.contain('the timeline still says who assigned it').and.not.contain('No rule has looked');
    remove();
  });

  it('asks "Why no rule assigned it" of an open conversation nobody has, and nothing of a resolved one', async () => {
    const world = demoWorld();
    world.conversations = world.conversations.map((c) =>
      c.id === 'conv_priya' ? { ...c, assigneeId: null } : c.id === 'conv_priya_old' ? { ...c, assigneeId: null } : c,
    );
    const inbox = await fixtureInbox({ world });
    const { root, remove } = await mountPart('inbox-details', inbox);
    await inbox.store.open('conv_priya');
    await until(() => !!root.querySelector('.routing summary'), 2000, 'the disclosure');
    expect(root.querySelector('.routing summary')!.textContent).to.equal('Why no rule assigned it');
    await inbox.store.open('conv_priya_old');
    await until(() => root.querySelector('dd') !== null && !root.querySelector('.routing summary'), 2000, 'no disclosure for a resolved conversation');
    remove();
  });
});
