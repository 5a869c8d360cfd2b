import type { WorkflowDefinition } from '@baton/protocol';

/**
 * The demo seed's routing as rules (DESIGN §8: teams Support and Bilingual; maria has es, tom has
 * technical and senior): Spanish → bilingual, technical words → the senior, everyone else
 * round-robin over Support. One copy for everyone who needs them: the demo publishes them, the
 * server's HTTP benchmark routes with them, the rules package's tests and benchmark evaluate them,
 * and docs/rules.md shows them. Team ids are the caller's.
 */
export function seedRules(teams: { support: string; bilingual: string }): WorkflowDefinition[] {
  return [
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
            { pool: { team: teams.bilingual }, require: { skills: ['es'] }, strategy: 'round_robin', timeoutSec: 120, skipIfNoneAvailable: true },
            { pool: { team: teams.bilingual }, strategy: 'least_loaded' },
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
            { pool: { team: teams.support }, require: { skills: ['technical', 'senior'] }, strategy: 'least_loaded', timeoutSec: 300 },
            { pool: { team: teams.support }, strategy: 'round_robin' },
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
      actions: [{ type: 'assign', steps: [{ pool: { team: teams.support }, strategy: 'round_robin' }] }],
    },
  ];
}
