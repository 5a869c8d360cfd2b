import type { Agent, EventItem, Team } from '@baton/protocol';
import { REQUEUE_REASONS, type ServerUnassignReason } from '@baton/protocol/constants';
import { ruleName } from './rule-name.js';
import { wakeTime } from './snooze-time.js';

type AgentLookup = (id: string | null | undefined) => Pick<Agent, 'name'> | undefined;
type TeamLookup = (id: string) => Pick<Team, 'name'> | undefined;

const firstName = (agent: Pick<Agent, 'name'> | undefined) => agent?.name.split(/\s+/)[0] ?? 'Someone';
const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);

/** Why the server took a conversation from its agent (`unassigned` events' `reason`). */
const UNASSIGNED_BECAUSE: Record<ServerUnassignReason, string> = { agent_away: 'went away', agent_offline: 'went offline', agent_deactivated: 'was deactivated' };
/** One of the server's reasons, not any string (`constructor` is a key of every object). */
const isServerReason = (reason: unknown): reason is ServerUnassignReason => typeof reason === 'string' && Object.hasOwn(UNASSIGNED_BECAUSE, reason);
/** The reasons of a conversation put back in its queue by the away policy (`queued` events). */
const REQUEUED_BECAUSE = new Set<string>(Object.values(REQUEUE_REASONS));

/** How a rule picked the agent, from its `assigned` event: "skill es, round-robin" (null on older rows). */
function howPicked(data: EventItem['data']): string | null {
  const skills = Array.isArray(data.skills) ? data.skills.filter((s): s is string => typeof s === 'string') : [];
  const strategy = data.strategy === 'round_robin' ? 'round-robin' : data.strategy === 'least_loaded' ? 'least loaded' : null;
  const parts = [...skills.map((s) => `skill ${s}`), ...(strategy ? [strategy] : [])];
  return parts.length ? parts.join(', ') : null;
}

/**
 * A timeline event as a sentence people say: "Ana assigned this to Ben", "Reopened by a new
 * message", "Resolved by Ana", "Assigned to Ben by rule Spanish → bilingual (skill es, round-robin)".
 */
export function eventSentence(event: EventItem, agentById: AgentLookup, teamById: TeamLookup = () => undefined): string {
  const actorIsAgent = event.actor.type === 'agent';
  const actor = firstName(agentById(event.actor.id));
  const rule = ruleName(event);
  const byRule = event.actor.type !== 'workflow' ? '' : rule ? ` by rule ${rule}` : ' by a rule';
  switch (event.type) {
    case 'created': {
      const source = text(event.data.source);
      return source ? `Conversation started from ${source}` : 'Conversation started';
    }
    case 'assigned': {
      const toId = text(event.data.to);
      const to = firstName(agentById(toId));
      // `reason: 'reply'`: their reply took it (the workspace's assignOnReply).
      if (actorIsAgent && toId === event.actor.id) return `${actor} took this conversation${event.data.reason === 'reply' ? ' by replying' : ''}`;
      if (actorIsAgent) return `${actor} assigned this to ${to}`;
      if (event.actor.type === 'workflow') {
        // A rule that assigned from a team's pool moved the conversation into that team (`teamFrom` is set then).
        const teamId = 'teamFrom' in event.data ? text(event.data.teamId) : null;
        const team = teamId ? ` in ${teamById(teamId)?.name ?? 'another team'}` : '';
        const how = howPicked(event.data);
        return `Assigned to ${to}${team}${byRule}${how ? ` (${how})` : ''}`;
      }
      return `Assigned to ${to}`;
    }
    case 'unassigned': {
      if (actorIsAgent) return `${actor} unassigned this`;
      // The workspace's away policy, or a deactivation, took it from its agent.
      const reason = event.data.reason;
      return isServerReason(reason) ? `Unassigned from ${firstName(agentById(text(event.data.from)))}, who ${UNASSIGNED_BECAUSE[reason]}` : 'Unassigned';
    }
    case 'resolved':
      return actorIsAgent ? `Resolved by ${actor}` : 'Resolved';
    case 'reopened': {
      const reason = text(event.data.reason);
      if (reason === 'inbound_message') return 'Reopened by a new message';
      if (reason === 'reply') return actorIsAgent ? `Reopened by a reply from ${actor}` : 'Reopened by a reply';
      return actorIsAgent ? `Reopened by ${actor}` : 'Reopened';
    }
    case 'tagged': {
      // `added`/`removed` from PATCH /v1/conversations/:id; `tags` from older rows.
      const strings = (v: unknown) => (Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : []);
      const added = [...strings(event.data.tags), ...strings(event.data.added)];
      const removed = strings(event.data.removed);
      const parts = [added.length ? `added the tag${added.length > 1 ? 's' : ''} ${added.join(', ')}` : '', removed.length ? `removed the tag${removed.length > 1 ? 's' : ''} ${removed.join(', ')}` : ''].filter(Boolean);
      const what = parts.join(' and ') || 'changed the tags';
      return actorIsAgent ? `${actor} ${what}` : `${what.charAt(0).toUpperCase()}${what.slice(1)}${byRule}`;
    }
    case 'priority_changed':
      return `${actorIsAgent ? `${actor} set` : 'Set'} the priority to ${text(event.data.to) ?? 'normal'}${byRule}`;
    case 'team_changed': {
      const to = text(event.data.to);
      if (!to) return `${actorIsAgent ? `${actor} removed` : 'Removed'} the team${byRule}`;
      return `${actorIsAgent ? `${actor} moved` : 'Moved'} this to ${teamById(to)?.name ?? 'another team'}${byRule}`;
    }
    case 'subject_changed': {
      const to = text(event.data.to);
      if (!to) return `${actorIsAgent ? `${actor} removed` : 'Removed'} the subject`;
      return `${actorIsAgent ? `${actor} changed` : 'Changed'} the subject to “${to}”`;
    }
    case 'snoozed': {
      // Said as of when it was snoozed ("until tomorrow 9:00 AM" on the day it happened; the day label is above it).
      const until = text(event.data.until);
      const when = until ? ` until ${wakeTime(until, Date.parse(event.createdAt))}` : '';
      return actorIsAgent ? `${actor} snoozed this${when}` : `Snoozed${when}`;
    }
    case 'woke': {
      const reason = text(event.data.reason);
      if (reason === 'inbound_message') return 'Woke up: a new message';
      if (reason === 'timer') return 'Woke up: snooze ended';
      return actorIsAgent ? `${actor} woke this up` : 'Woke up';
    }
    case 'rule_applied':
      return rule ? `Rule ${rule} applied` : 'A rule was applied';
    case 'queued': {
      // The runner names the team it waits for; older rows only have its id.
      const teamId = text(event.data.teamId);
      const team = text(event.data.teamName) ?? (teamId ? teamById(teamId)?.name : undefined);
      const by = rule ? ` (rule ${rule})` : '';
      // Requeued by the away policy, its reason is short and says it all; the runner's is its plan.
      const reason = REQUEUED_BECAUSE.has(String(event.data.reason)) ? String(event.data.reason) : 'nobody available yet';
      return team ? `Waiting for ${team}${by}: ${reason}` : `Waiting for an available teammate${by}`;
    }
  }
}
