import type { RoutingAgent, RuleFacts, WorkflowDefinition } from '@baton/protocol';

type Patch = {
  conversation?: Partial<RuleFacts['conversation']>;
  contact?: Partial<RuleFacts['contact']>;
  message?: RuleFacts['message'];
  time?: Partial<RuleFacts['time']>;
};

/** Facts of an ordinary conversation, with the given parts replaced. */
export function facts(patch: Patch = {}): RuleFacts {
  return {
    conversation: { channel: 'email', source: null, subject: null, tags: [], priority: 'normal', language: null, ...patch.conversation },
    contact: { name: 'Alex Doe', email: null, language: null, tags: [], attributes: {}, ...patch.contact },
    message: patch.message === undefined ? { body: 'hello there' } : patch.message,
    time: { weekday: 'mon', hour: 10, ...patch.time },
  };
}

export function agent(id: string, patch: Partial<RoutingAgent> = {}): RoutingAgent {
  return { id, name: id, active: true, availability: 'online', openAssigned: 0, capacity: 25, skills: [], lastAssignedAt: null, teamIds: ['support'], ...patch };
}

/** The seed's three rules (DESIGN §6, §8): Spanish → bilingual, technical → senior tech, everyone else round-robin. */
export const SEED_RULES: WorkflowDefinition[] = [
  {
    name: 'Spanish → bilingual',
    enabled: true,
    priority: 300,
    stopProcessing: true,
    trigger: { event: 'conversation.created' },
    conditions: {
      any: [
        { field: 'conversation.language', op: 'in', value: ['es'] },
        { field: 'contact.language', op: 'in', value: ['es'] },
        { field: 'contact.tags', op: 'contains_any', value: ['spanish'] },
      ],
    },
    actions: [
      { type: 'add_tag', tags: ['es'] },
      {
        type: 'assign',
        onlyIfUnassigned: true,
        steps: [
          { pool: { team: 'bilingual' }, require: { skills: ['es'] }, strategy: 'round_robin', timeoutSec: 120, skipIfNoneAvailable: true },
          { pool: { team: 'bilingual' }, strategy: 'least_loaded' },
        ],
        onExhausted: { type: 'queue' },
      },
      { type: 'add_note', body: 'Routed by {{rule.name}}' },
    ],
  },
  {
    name: 'Technical → senior tech',
    enabled: true,
    priority: 200,
    stopProcessing: true,
    trigger: { event: 'conversation.created' },
    conditions: {
      all: [
        { field: 'message.body', op: 'contains_any', value: ['error', 'bug', 'crash', 'api', 'integration', 'webhook', 'not working'] },
        { not: { field: 'contact.tags', op: 'contains_any', value: ['spam'] } },
      ],
    },
    actions: [
      { type: 'add_tag', tags: ['technical'] },
      {
        type: 'assign',
        steps: [
          { pool: { team: 'support' }, require: { skills: ['technical', 'senior'] }, strategy: 'least_loaded', timeoutSec: 300 },
          { pool: { team: 'support' }, strategy: 'round_robin' },
        ],
      },
    ],
  },
  {
    name: 'Everyone else → Support',
    enabled: true,
    priority: 100,
    stopProcessing: false,
    trigger: { event: 'conversation.created' },
    actions: [{ type: 'assign', steps: [{ pool: { team: 'support' }, strategy: 'round_robin' }] }],
  },
];
