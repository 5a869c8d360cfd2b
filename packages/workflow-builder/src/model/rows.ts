/**
 * The rule as the rows of a WAI-ARIA treegrid, in reading order: the trigger, the condition tree
 * (groups hold their children), the actions (an assign action holds its steps and the queue).
 * The editor renders nested boxes for the brackets, but focus moves over this flat list: Up and
 * Down go to the previous and next visible row, Left to the parent, Right into the first child.
 */
import type { AssignAction, ConditionNode, WorkflowDefinition } from '@baton/protocol';
import { childPath, childrenOf, groupKind, isGroup, pathKey, rootConditions, type Path } from './definition.js';

export type RowKind = 'trigger' | 'group' | 'condition' | 'actions' | 'action' | 'step' | 'queue';

export interface Row {
  key: string;
  path: Path;
  kind: RowKind;
  level: number;
  posinset: number;
  setsize: number;
  /** Has children (a group, the actions, an assign action). */
  parent: boolean;
  /** The key of the parent row, '' at the top. */
  parentKey: string;
}

export const TRIGGER_KEY = 'trigger';
export const ACTIONS_KEY = 'actions';

export function buildRows(def: WorkflowDefinition, collapsed: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  rows.push({ key: TRIGGER_KEY, path: ['trigger'], kind: 'trigger', level: 1, posinset: 1, setsize: 3, parent: false, parentKey: '' });

  const walk = (node: ConditionNode, path: Path, level: number, pos: number, size: number, parentKey: string) => {
    const key = pathKey(path);
    const group = isGroup(node);
    rows.push({ key, path, kind: group ? 'group' : 'condition', level, posinset: pos, setsize: size, parent: group, parentKey });
    if (!group || collapsed.has(key)) return;
    const children = childrenOf(node);
    children.forEach((child, i) => walk(child, childPath(path, node, i), level + 1, i + 1, children.length, key));
  };
  walk(rootConditions(def), ['conditions'], 1, 2, 3, '');

  rows.push({ key: ACTIONS_KEY, path: ['actions'], kind: 'actions', level: 1, posinset: 3, setsize: 3, parent: true, parentKey: '' });
  if (!collapsed.has(ACTIONS_KEY)) {
    def.actions.forEach((action, i) => {
      const path: Path = ['actions', i];
      const key = pathKey(path);
      const assign = action.type === 'assign';
      rows.push({ key, path, kind: 'action', level: 2, posinset: i + 1, setsize: def.actions.length, parent: assign, parentKey: ACTIONS_KEY });
      if (!assign || collapsed.has(key)) return;
      const steps = (action as AssignAction).steps;
      const size = steps.length + 1;
      steps.forEach((_, j) => {
        const stepPath: Path = ['actions', i, 'steps', j];
        rows.push({ key: pathKey(stepPath), path: stepPath, kind: 'step', level: 3, posinset: j + 1, setsize: size, parent: false, parentKey: key });
      });
      rows.push({ key: `${key}.queue`, path: [...path, 'onExhausted'], kind: 'queue', level: 3, posinset: size, setsize: size, parent: false, parentKey: key });
    });
  }
  return rows;
}

/** The group kind of the node at a row, for labels. */
export function kindLabel(node: ConditionNode): string {
  switch (groupKind(node)) {
    case 'all':
      return 'All of';
    case 'any':
      return 'Any of';
    case 'not':
      return 'Not';
    default:
      return 'Condition';
  }
}
