import { expect } from '@esm-bundle/chai';
import type { EventItem } from '@baton/protocol';
import { ana, ben, event, support } from '../testing/fixtures.js';
import { eventSentence } from './event-sentence.js';

const agents = (id: string | null | undefined) => [ana, ben].find((a) => a.id === id);
const teams = (id: string) => (id === support.id ? support : undefined);
const by: { type: string; id: string | null } = { type: 'agent', id: ana.id };
const say = (type: string, data: Record<string, unknown>, actor = by) => eventSentence(event('conv_x', type, actor, data, 0) as EventItem, agents, teams);

describe('event sentences for edits and snoozes', () => {
  it('says what changed, in words', () => {
    expect(say('tagged', { added: ['vip', 'billing'], removed: [] })).to.equal('Ana added the tags vip, billing');
    expect(say('tagged', { added: [], removed: ['es'] })).to.equal('Ana removed the tag es');
    expect(say('tagged', { added: ['vip'], removed: ['es', 'new'] })).to.equal('Ana added the tag vip and removed the tags es, new');
    expect(say('priority_changed', { from: 'normal', to: 'urgent' })).to.equal('Ana set the priority to urgent');
    expect(say('team_changed', { from: null, to: support.id })).to.equal('Ana moved this to Support');
    expect(say('team_changed', { from: support.id, to: 'team_gone' })).to.equal('Ana moved this to another team');
    expect(say('team_changed', { from: support.id, to: null })).to.equal('Ana removed the team');
    expect(say('subject_changed', { from: null, to: 'Bulk import fails' })).to.equal('Ana changed the subject to “Bulk import fails”');
    expect(say('subject_changed', { from: 'x', to: null })).to.equal('Ana removed the subject');
    expect(say('priority_changed', { to: 'high' }, { type: 'workflow', id: null })).to.equal('Set the priority to high by a rule');
  });

  it('says when an agent took a conversation, and when their reply took it', () => {
    expect(say('assigned', { from: null, to: ana.id, teamId: null })).to.equal('Ana took this conversation');
    expect(say('assigned', { from: null, to: ana.id, teamId: null, reason: 'reply' })).to.equal('Ana took this conversation by replying');
    expect(say('assigned', { from: null, to: ben.id, teamId: null })).to.equal('Ana assigned this to Ben');
  });

  it('names the rule that changed tags, team or priority', () => {
    const wf = { type: 'workflow', id: 'wf_1' };
    expect(say('tagged', { added: ['es'], removed: [], workflowName: 'Spanish → bilingual' }, wf)).to.equal('Added the tag es by rule Spanish → bilingual');
    expect(say('priority_changed', { from: 'normal', to: 'urgent', workflowName: 'Refunds are urgent' }, wf)).to.equal('Set the priority to urgent by rule Refunds are urgent');
    expect(say('team_changed', { from: null, to: support.id, workflowName: 'Billing' }, wf)).to.equal('Moved this to Support by rule Billing');
    // An assignment from a team's pool moved it into that team (teamFrom set); one already in it did not.
    expect(say('assigned', { from: null, to: ana.id, teamId: support.id, teamFrom: null, workflowName: 'Everyone else' }, wf)).to.equal('Assigned to Ana in Support by rule Everyone else');
    expect(say('assigned', { from: null, to: ana.id, teamId: support.id, workflowName: 'Everyone else' }, wf)).to.equal('Assigned to Ana by rule Everyone else');
    expect(say('assigned', { from: null, to: ana.id, teamId: support.id, teamFrom: null }, wf)).to.equal('Assigned to Ana in Support by a rule');
    // How the rule picked: its step's required skills and strategy, as the runner records them.
    const picked = { from: null, to: ana.id, teamId: support.id, workflowName: 'Spanish → bilingual' };
    expect(say('assigned', { ...picked, skills: ['es'], strategy: 'round_robin' }, wf)).to.equal('Assigned to Ana by rule Spanish → bilingual (skill es, round-robin)');
    expect(say('assigned', { ...picked, skills: ['technical', 'senior'], strategy: 'least_loaded' }, wf)).to.equal(
      'Assigned to Ana by rule Spanish → bilingual (skill technical, skill senior, least loaded)',
    );
    expect(say('assigned', { ...picked, skills: [], strategy: 'round_robin' }, wf)).to.equal('Assigned to Ana by rule Spanish → bilingual (round-robin)');
    // An agent's edit never reads as a rule's, whatever its data holds.
    expect(say('tagged', { added: ['vip'], removed: [], workflowName: 'x' })).to.equal('Ana added the tag vip');
  });

  it('says until when a conversation was snoozed, as of that moment', () => {
    const item = event('conv_x', 'snoozed', by, {}, 0) as EventItem;
    const at = new Date(Date.parse(item.createdAt));
    const tomorrow9 = new Date(at.getFullYear(), at.getMonth(), at.getDate() + 1, 9);
    expect(eventSentence({ ...item, data: { from: null, until: tomorrow9.toISOString() } }, agents)).to.equal('Ana snoozed this until tomorrow 9:00 AM');
    expect(eventSentence({ ...item, data: { reason: 'manual' }, type: 'woke' }, agents)).to.equal('Ana woke this up');
  });

  it('says which team a queued conversation waits for', () => {
    const wf = { type: 'workflow', id: 'wf_1' };
    expect(say('queued', { teamId: support.id, teamName: 'Support', workflowName: 'Everyone else' }, wf)).to.equal('Waiting for Support (rule Everyone else): nobody available yet');
    expect(say('queued', { teamId: support.id }, wf)).to.equal('Waiting for Support: nobody available yet');
    expect(say('queued', {}, { type: 'system', id: null })).to.equal('Waiting for an available teammate');
    // Put back in the queue by the away policy: its own reason.
    expect(say('queued', { teamId: support.id, teamName: 'Support', workflowName: 'Everyone else', reason: 'its agent is away' }, wf)).to.equal(
      'Waiting for Support (rule Everyone else): its agent is away',
    );
    expect(say('queued', { teamId: support.id, teamName: 'Support', reason: 'step 1 (team Support): nobody eligible' }, wf)).to.equal('Waiting for Support: nobody available yet');
  });

  it('says whom the server unassigned and why (the away policy, a deactivation)', () => {
    const server = { type: 'system', id: null };
    expect(say('unassigned', { from: ben.id, to: null, reason: 'agent_away', policy: 'unassign_now' }, server)).to.equal('Unassigned from Ben, who went away');
    expect(say('unassigned', { from: ben.id, to: null, reason: 'agent_offline' }, server)).to.equal('Unassigned from Ben, who went offline');
    expect(say('unassigned', { from: ben.id, to: null, reason: 'agent_deactivated' }, server)).to.equal('Unassigned from Ben, who was deactivated');
    expect(say('unassigned', { from: ben.id, to: null, reason: 'constructor' }, server)).to.equal('Unassigned');
    expect(say('unassigned', { from: ben.id, to: null })).to.equal('Ana unassigned this');
  });
});
