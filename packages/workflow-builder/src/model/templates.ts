/**
 * Starting points for "New workflow", filled in with the workspace's own teams and agents (by
 * name where the template means a particular team: "Bilingual", "Support"; the first team
 * otherwise). Each one saves as it is; the admin adjusts and publishes.
 */
import type { WorkflowDefinition } from '@baton/protocol';
import type { Workspace } from '../workspace-context.js';
import { newDefinition } from './definition.js';

export interface Template {
  key: string;
  label: string;
  make(ws: Workspace): WorkflowDefinition;
}

const team = (ws: Workspace, name: string) => (ws.teams.find((t) => t.name.toLowerCase() === name.toLowerCase()) ?? ws.teams[0])?.id ?? '';

export const TEMPLATES: readonly Template[] = [
  { key: 'blank', label: 'Blank', make: (ws) => newDefinition(ws.teams[0]?.id) },
  {
    key: 'round-robin',
    label: 'Round-robin a team',
    make: (ws) => ({ ...newDefinition(ws.teams[0]?.id, 'Everyone → round-robin'), conditions: { all: [] } }),
  },
  {
    key: 'spanish',
    label: 'Spanish → bilingual',
    make: (ws) => ({
      name: 'Spanish → bilingual',
      enabled: true,
      stopProcessing: true,
      trigger: { event: 'conversation.created' },
      conditions: {
        any: [
          { field: 'conversation.language', op: 'in', value: ['es'] },
          { field: 'contact.tags', op: 'contains_any', value: ['spanish'] },
        ],
      },
      actions: [
        { type: 'add_tag', tags: ['es'] },
        {
          type: 'assign',
          steps: [
            { pool: { team: team(ws, 'Bilingual') }, require: { skills: ['es'] }, strategy: 'round_robin', timeoutSec: 120, skipIfNoneAvailable: true },
            { pool: { team: team(ws, 'Bilingual') }, strategy: 'least_loaded' },
          ],
        },
      ],
    }),
  },
  {
    key: 'technical',
    label: 'Technical → senior tech',
    make: (ws) => ({
      name: 'Technical → senior tech',
      enabled: true,
      stopProcessing: true,
      trigger: { event: 'conversation.created' },
      conditions: { all: [{ field: 'message.body', op: 'contains_any', value: ['error', 'bug', 'crash', 'api', 'not working'] }] },
      actions: [
        { type: 'add_tag', tags: ['technical'] },
        {
          type: 'assign',
          steps: [
            { pool: { team: team(ws, 'Support') }, require: { skills: ['technical', 'senior'] }, strategy: 'least_loaded', timeoutSec: 300 },
            { pool: { team: team(ws, 'Support') }, strategy: 'round_robin' },
          ],
        },
      ],
    }),
  },
  {
    key: 'vip',
    label: 'VIP tag → account owner',
    make: (ws) => ({
      name: 'VIP → account owner',
      enabled: true,
      stopProcessing: true,
      trigger: { event: 'conversation.created' },
      conditions: { all: [{ field: 'contact.tags', op: 'contains_any', value: ['vip'] }] },
      actions: [
        { type: 'set_priority', priority: 'high' },
        {
          type: 'assign',
          steps: [
            { pool: { agents: [ws.me?.id ?? ws.agents[0]?.id ?? ''] }, strategy: 'round_robin', timeoutSec: 600, skipIfNoneAvailable: true },
            { pool: { team: ws.teams[0]?.id ?? '' }, strategy: 'least_loaded' },
          ],
        },
      ],
    }),
  },
  {
    key: 'unanswered',
    label: 'Reassign if unanswered 15 min',
    make: (ws) => ({
      name: 'Unanswered 15 min → reassign',
      enabled: true,
      trigger: { event: 'conversation.unanswered_for', minutes: 15 },
      conditions: { all: [] },
      actions: [{ type: 'assign', onlyIfUnassigned: false, steps: [{ pool: { team: ws.teams[0]?.id ?? '' }, strategy: 'least_loaded' }] }],
    }),
  },
];
