/**
 * Starting points for "New workflow", filled in with the workspace's own teams and agents (by
 * name where the template means a particular team: "Bilingual", "Support"; the first team
 * otherwise; the active agents in a workspace without teams). Each one saves as it is; the admin
 * adjusts and publishes. `make` gives null in a workspace with nobody to assign to.
 */
import type { AssignPool, WorkflowDefinition } from '@baton/protocol';
import type { Workspace } from '../workspace-context.js';
import { defaultPool, newDefinition } from './definition.js';

export interface Template {
  key: string;
  label: string;
  make(ws: Workspace): WorkflowDefinition | null;
}

/** The template made with the workspace's default pool (by team name), or null when it has none. */
function withPool(ws: Workspace, teamName: string | undefined, make: (pool: AssignPool) => WorkflowDefinition): WorkflowDefinition | null {
  const pool = defaultPool(ws, teamName);
  return pool ? make(pool) : null;
}

/** The agent a "VIP → account owner" rule starts with: the admin making it, or the first active agent. */
const ownerOf = (ws: Workspace): string[] => {
  const id = ws.me?.id ?? ws.agents.find((a) => a.active)?.id;
  return id ? [id] : [];
};

export const TEMPLATES: readonly Template[] = [
  { key: 'blank', label: 'Blank', make: (ws) => newDefinition(ws) },
  {
    key: 'round-robin',
    label: 'Round-robin a team',
    make: (ws) => newDefinition(ws, 'Everyone → round-robin'),
  },
  {
    key: 'spanish',
    label: 'Spanish → bilingual',
    make: (ws) => withPool(ws, 'Bilingual', (pool) => ({
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
            { pool, require: { skills: ['es'] }, strategy: 'round_robin', timeoutSec: 120, skipIfNoneAvailable: true },
            { pool, strategy: 'least_loaded' },
          ],
        },
      ],
    })),
  },
  {
    key: 'technical',
    label: 'Technical → senior tech',
    make: (ws) => withPool(ws, 'Support', (pool) => ({
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
            { pool, require: { skills: ['technical', 'senior'] }, strategy: 'least_loaded', timeoutSec: 300 },
            { pool, strategy: 'round_robin' },
          ],
        },
      ],
    })),
  },
  {
    key: 'vip',
    label: 'VIP tag → account owner',
    make: (ws) => withPool(ws, undefined, (pool) => ({
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
            // The owner is the admin making the rule (or the first active agent), for the admin to change.
            ...ownerOf(ws).map((id) => ({ pool: { agents: [id] }, strategy: 'round_robin' as const, timeoutSec: 600, skipIfNoneAvailable: true })),
            { pool, strategy: 'least_loaded' },
          ],
        },
      ],
    })),
  },
  {
    key: 'unanswered',
    label: 'Reassign if unanswered 15 min',
    make: (ws) => withPool(ws, undefined, (pool) => ({
      name: 'Unanswered 15 min → reassign',
      enabled: true,
      trigger: { event: 'conversation.unanswered_for', minutes: 15 },
      conditions: { all: [] },
      actions: [{ type: 'assign', onlyIfUnassigned: false, steps: [{ pool, strategy: 'least_loaded' }] }],
    })),
  },
];
