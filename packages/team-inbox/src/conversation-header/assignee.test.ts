import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { ben, demoWorld, fixtureInbox, until, type FixtureInbox, type World } from '../testing/fixtures.js';
import { settled } from '../testing/mount.js';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import '../define.js';

/** The header's "who has it" line as a screen reader says it (what is `aria-hidden` left out), or '' where it is not shown. */
function assigneeLine(el: TeamInbox): string {
  const line = el.shadowRoot!.querySelector('inbox-conversation-header')?.shadowRoot?.querySelector<HTMLElement>('[part="assignee"]');
  if (!line || line.getBoundingClientRect().height === 0) return '';
  const copy = line.cloneNode(true) as HTMLElement;
  copy.querySelectorAll('[aria-hidden="true"]').forEach((n) => n.remove());
  return copy.textContent!.replace(/\s+/g, ' ').trim();
}

describe('inbox-conversation-header: who has the conversation, where the details are a drawer', () => {
  let fx: FixtureInbox;
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  async function mountAt(width: number, conversationId: string, world?: World): Promise<TeamInbox> {
    fx = await fixtureInbox({ view: 'all', ...(world ? { world } : {}) });
    const el = document.createElement('team-inbox');
    el.setAttribute('view', 'all');
    el.setAttribute('conversation-id', conversationId);
    Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
    el.style.width = `${width}px`;
    el.style.height = '800px';
    document.body.append(el);
    await el.updateComplete;
    return el;
  }

  it('390 px: names the assignee and the team on one line, and follows reassignment', async () => {
    const el = await mountAt(390, 'conv_lucia');
    await until(() => assigneeLine(el) === 'Assigned to María García, team Support', 3000, 'the assignee and team');
    const line = el.shadowRoot!.querySelector('inbox-conversation-header')!.shadowRoot!.querySelector<HTMLElement>('[part="assignee"]')!;
    expect(line.getBoundingClientRect().height).to.be.at.most(parseFloat(getComputedStyle(line).lineHeight) + 1);
    await expectNoAxeViolations(el);

    await fx.store.assign('conv_lucia', null);
    await until(() => assigneeLine(el) === 'Unassigned, team Support', 2000, 'Unassigned');
    await fx.store.assign('conv_lucia', ben.id);
    await until(() => assigneeLine(el) === 'Assigned to Ben Okafor, team Support', 2000, 'reassigned to Ben');
  });

  it('390 px: a long line keeps to one line, cut with an ellipsis, inside the header', async () => {
    const world = demoWorld();
    world.teams = world.teams.map((t) => ({ ...t, name: 'Second-line support for enterprise customers in Europe' }));
    const el = await mountAt(390, 'conv_lucia', world);
    await until(() => assigneeLine(el).endsWith('in Europe'), 3000, 'the long team name');
    const line = el.shadowRoot!.querySelector('inbox-conversation-header')!.shadowRoot!.querySelector<HTMLElement>('[part="assignee"]')!;
    expect(line.getBoundingClientRect().height).to.be.at.most(parseFloat(getComputedStyle(line).lineHeight) + 1);
    expect(line.scrollWidth, 'it is cut').to.be.greaterThan(line.clientWidth);
    expect(line.getBoundingClientRect().right).to.be.at.most(el.getBoundingClientRect().right + 1);
  });

  it('390 px: a conversation with no team names the assignee only', async () => {
    const el = await mountAt(390, 'conv_priya');
    await until(() => assigneeLine(el) === 'Assigned to Ana Silva', 3000, 'the assignee');
  });

  it('800 px, where the details are a drawer too: shown', async () => {
    const el = await mountAt(800, 'conv_lucia');
    await until(() => assigneeLine(el) === 'Assigned to María García, team Support', 3000, 'the assignee and team');
  });

  it('1,440 px: not in the header, where the details pane beside it has "Assigned to"', async () => {
    const el = await mountAt(1440, 'conv_lucia');
    await settled(el);
    const picker = () => el.shadowRoot!.querySelector('inbox-details')?.shadowRoot?.querySelector('inbox-assignee-picker');
    await until(() => !!picker(), 3000, 'the details pane');
    const heading = () => el.shadowRoot!.querySelector('inbox-conversation-header')?.shadowRoot?.querySelector('h2')?.textContent;
    await until(() => heading() === 'Lucía Fernández', 3000, 'the header');
    expect(assigneeLine(el)).to.equal('');
    // The same element shows it again once the inbox is narrow.
    el.style.width = '390px';
    await until(() => assigneeLine(el) === 'Assigned to María García, team Support', 2000, 'shown at 390 px');
  });
});
