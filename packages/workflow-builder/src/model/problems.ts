/**
 * Where a validator finding belongs in the editor. The server reports every error and warning at
 * the JSON path of the offending value (`["actions", 0, "steps", 1, "pool", "team"]`); the
 * editor has a control for some paths (a field select, a team picker) and a row for every node.
 * `controlFor` walks the path back to the nearest thing on screen, so a finding always lands on
 * the control that holds the value, or at worst on its row (never "somewhere in the workflow").
 */
import type { Path } from './definition.js';
import { pathKey } from './definition.js';

/** Last path segments that are a control of their own. */
const CONTROL_SEGMENTS = new Set([
  'name', 'event', 'minutes',
  'field', 'op', 'value',
  'team', 'tags', 'priority', 'body', 'to', 'onlyIfUnassigned',
  'pool', 'strategy', 'require', 'timeoutSec', 'skipIfNoneAvailable',
]);

/** Whether `path` addresses a node that has a row: a condition or group, an action, a step. */
export function isNodePath(path: Path): boolean {
  const last = path[path.length - 1];
  const prev = path[path.length - 2];
  if (path.length === 1 && last === 'conditions') return true;
  if (last === 'not' && path[0] === 'conditions') return true;
  return typeof last === 'number' && (prev === 'all' || prev === 'any' || prev === 'actions' || prev === 'steps');
}

function isControlPath(path: Path): boolean {
  const last = path[path.length - 1];
  if (typeof last !== 'string' || !CONTROL_SEGMENTS.has(last)) return false;
  // `pool.team` is edited by the pool picker; `priority` at the top is the list's order, not a control here.
  if (last === 'team' && path[path.length - 2] === 'pool') return false;
  if (path.length === 1 && last === 'priority') return false;
  return true;
}

/** The key of the control (or row) a finding at `path` belongs to; '' for the workflow as a whole. */
export function controlFor(path: Path): string {
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    if (isControlPath(prefix) || isNodePath(prefix)) return pathKey(prefix);
  }
  return '';
}

export interface Finding {
  path: Path;
  code: string;
  message: string;
}

/** Findings by the key of the control or row they belong to. */
export function byControl<F extends Finding>(findings: readonly F[]): Map<string, F[]> {
  const map = new Map<string, F[]>();
  for (const f of findings) {
    const key = controlFor(f.path);
    map.set(key, [...(map.get(key) ?? []), f]);
  }
  return map;
}

/** Zod's wording for the shape problems an admin can make here, in the builder's words. */
export function plainIssue(path: (string | number)[], message: string): string {
  const last = path[path.length - 1];
  if (/too small/i.test(message) && (last === 'tags' || last === 'skills')) return `Add at least one ${last === 'tags' ? 'tag' : 'skill'}.`;
  if (/too small/i.test(message) && last === 'name') return 'Give the workflow a name.';
  if (/too small/i.test(message) && last === 'body') return 'Write the note.';
  if (/too small/i.test(message) && last === 'actions') return 'Add at least one action.';
  // Any shape problem of a number the admin types (too small, too big, not whole, empty) has one fix.
  if (last === 'minutes') return 'Enter a whole number of minutes from 1 to 10080.';
  if (last === 'timeoutSec') return 'Enter a whole number of seconds from 1 to 604800.';
  return message;
}
