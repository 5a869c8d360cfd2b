import { expect } from '@esm-bundle/chai';
import type { Team } from '@baton/protocol';
import { ana, conversation, demoWorld, event, fixtureInbox, priya, support, until } from '../testing/fixtures.js';
import { allByRole, byRole, composedText, mountPart } from '../testing/mount.js';

const text = (root: ShadowRoot) => composedText(root).replace(/\s+/g, ' ');

describe('teams, live', () => {
  it('a team renamed elsewhere is renamed in the list, the header, the timeline, the details and the team filter, without a reload', async () => {
    const world = demoWorld();
    const since = new Date(Date.now() - 4 * 60_000 - 5_000).toISOString();
    world.conversations.push(conversation('conv_queued', priya.id, 4, { teamId: support.id, waitingSince: since }));
    world.timelines.set('conv_queued', [event('conv_queued', 'team_changed', { type: 'agent', id: ana.id }, { from: null, to: support.id }, 4)]);
    const inbox = await fixtureInbox({ world, view: 'all' });
    const parts = await Promise.all(
      (['inbox-conversation-list', 'inbox-conversation-header', 'inbox-timeline', 'inbox-details'] as const).map((tag) => mountPart(tag, inbox)),
    );
    const [list, header, timeline, details] = parts.map((p) => p.root) as [ShadowRoot, ShadowRoot, ShadowRoot, ShadowRoot];
    try {
      await inbox.store.open('conv_queued');
      byRole(list, 'button', 'Filters').click();
      const teamOptions = () => allByRole(list, 'combobox', 'Team').flatMap((s) => [...s.querySelectorAll('option')].map((o) => o.textContent!.trim()));
      // The details' "Team" term and its definition.
      const teamInDetails = () => [...details.querySelectorAll('dt')].find((dt) => dt.textContent === 'Team')?.nextElementSibling?.textContent;
      const says = (name: string) =>
        allByRole(list, 'option', new RegExp(`Waiting for ${name} · 4 min`)).length === 1 &&
        text(header).includes(`Waiting for ${name} · 4 min`) &&
        text(timeline).includes(`Ana moved this to ${name}`) &&
        teamInDetails() === name &&
        teamOptions().includes(name);
      await until(() => says('Support'), 3000, 'every part names Support');

      // The fixture server still says "Support": only the event can rename it.
      inbox.realtime.emit('team:updated', { seq: 2001, team: { ...support, name: 'Customer Care' } });
      await until(() => says('Customer Care'), 2000, 'every part names Customer Care');
      expect(text(list) + text(header) + text(timeline) + text(details)).not.to.contain('Support');
      expect(teamOptions()).to.deep.equal(['Any team', 'Customer Care']);

      // A team created elsewhere joins the filter, in its place by name.
      const billing: Team = { id: 'team_billing', name: 'Billing', memberIds: [ana.id], createdAt: support.createdAt };
      inbox.realtime.emit('team:updated', { seq: 2002, team: billing });
      await until(() => teamOptions().includes('Billing'), 2000, 'Billing in the team filter');
      expect(teamOptions()).to.deep.equal(['Any team', 'Billing', 'Customer Care']);
      expect(world.requests.filter((r) => r.startsWith('GET /v1/teams'))).to.have.length(1, 'one read of the teams for every part');
    } finally {
      for (const p of parts) p.remove();
    }
  });
});
