/**
 * The list's view of the workflows: grouped by trigger in the order the runner uses (priority,
 * highest first; ties in creation order), each with its status. A workflow's place is its
 * draft's priority: the list reorders drafts, and `applyListChange` in the root publishes the
 * change at once when nothing else was pending (see docs/decisions.md, "The builder").
 */
import { TRIGGERS, type TriggerDef, type TriggerEvent } from '@baton/protocol/rule-fields';
import type { Workflow } from '@baton/protocol';

export interface TriggerGroup {
  trigger: TriggerDef;
  workflows: Workflow[];
}

const priorityOf = (w: Workflow) => w.draft.priority ?? 0;

export function executionOrder(a: Workflow, b: Workflow): number {
  return priorityOf(b) - priorityOf(a) || Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : 1);
}

export function groupByTrigger(workflows: readonly Workflow[]): TriggerGroup[] {
  const groups = new Map<TriggerEvent, Workflow[]>();
  for (const w of workflows) {
    const list = groups.get(w.draft.trigger.event) ?? [];
    list.push(w);
    groups.set(w.draft.trigger.event, list);
  }
  return TRIGGERS.filter((t) => groups.has(t.event)).map((trigger) => ({ trigger, workflows: groups.get(trigger.event)!.sort(executionOrder) }));
}

export type Status = 'draft' | 'published' | 'disabled';

export interface StatusInfo {
  status: Status;
  /** Published, and the draft has changes not yet live. */
  draftAhead: boolean;
  label: string;
}

export function statusOf(w: Workflow): StatusInfo {
  if (!w.published) return { status: 'draft', draftAhead: false, label: 'Draft' };
  const draftAhead = w.hasUnpublishedChanges;
  if (w.published.definition.enabled === false) return { status: 'disabled', draftAhead, label: 'Disabled' };
  return { status: 'published', draftAhead, label: 'Published' };
}

/**
 * New priorities after moving `id` by `delta` places (a button: ±1; a drop: any) within its trigger group: the group renumbered
 * 100 apart from the bottom, so equal priorities (which would tie on creation order) become a
 * visible order. Only workflows whose priority changes are returned.
 */
export function reorder(group: readonly Workflow[], id: string, delta: number): { changes: Map<string, number>; position: number } | null {
  const list = group.slice();
  const from = list.findIndex((w) => w.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= list.length) return null;
  const [moved] = list.splice(from, 1);
  list.splice(to, 0, moved!);
  const changes = new Map<string, number>();
  list.forEach((w, i) => {
    const priority = (list.length - i) * 100;
    if (priorityOf(w) !== priority) changes.set(w.id, priority);
  });
  return { changes, position: to + 1 };
}
