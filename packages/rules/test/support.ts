import type { RoutingAgent, RuleFacts } from '@baton/protocol';

type Patch = {
  conversation?: Partial<RuleFacts['conversation']>;
  contact?: Partial<RuleFacts['contact']>;
  message?: RuleFacts['message'];
  time?: Partial<RuleFacts['time']>;
};

/** Facts of an ordinary conversation, with the given parts replaced. */
export function facts(patch: Patch = {}): RuleFacts {
  return {
    conversation: { channel: 'email', source: null, subject: null, tags: [], priority: 'normal', language: null, team: null, ...patch.conversation },
    contact: { name: 'Alex Doe', email: null, language: null, tags: [], attributes: {}, ...patch.contact },
    message: patch.message === undefined ? { body: 'hello there' } : patch.message,
    time: { weekday: 'mon', hour: 10, ...patch.time },
  };
}

export function agent(id: string, patch: Partial<RoutingAgent> = {}): RoutingAgent {
  return { id, name: id, active: true, availability: 'online', openAssigned: 0, capacity: 25, skills: [], lastAssignedAt: null, teamIds: ['support'], ...patch };
}

export { SEED_RULES } from './fixtures/seed-rules.js';
