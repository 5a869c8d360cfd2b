import type { Workflow } from '@baton/protocol';

/** After the server saved a draft (autosave included). */
export interface WorkflowSaveDetail {
  workflow: Workflow;
}
/** After the server published a draft: `workflow.published` is the new live version. */
export interface WorkflowPublishDetail {
  workflow: Workflow;
}
/** After the server deleted a workflow. */
export interface WorkflowDeleteDetail {
  workflowId: string;
}

/** Internal: what a list row asks the root to do. */
export type ListIntent =
  | { action: 'open'; id: string }
  | { action: 'create'; template?: string }
  | { action: 'duplicate'; id: string }
  | { action: 'toggle'; id: string }
  | { action: 'move'; id: string; delta: number }
  | { action: 'delete'; id: string }
  | { action: 'settings' };

declare global {
  interface GlobalEventHandlersEventMap {
    'workflow-save': CustomEvent<WorkflowSaveDetail>;
    'workflow-publish': CustomEvent<WorkflowPublishDetail>;
    'workflow-delete': CustomEvent<WorkflowDeleteDetail>;
    'wb-list-intent': CustomEvent<ListIntent>;
  }
}

type WorkflowEventName = 'workflow-save' | 'workflow-publish' | 'workflow-delete' | 'wb-list-intent';
type DetailOf<N extends WorkflowEventName> = GlobalEventHandlersEventMap[N] extends CustomEvent<infer D> ? D : never;

/** Dispatches a builder event the way every one of them travels: bubbling out of shadow roots. */
export function fire<N extends WorkflowEventName>(target: EventTarget, name: N, detail: DetailOf<N>): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
