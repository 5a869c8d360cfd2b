import { WorkflowBuilder } from './workflow-builder/workflow-builder.js';
import { WorkflowList } from './workflow-list/workflow-list.js';
import { WorkflowEditor } from './workflow-editor/workflow-editor.js';

declare global {
  interface HTMLElementTagNameMap {
    'workflow-builder': WorkflowBuilder;
    'wb-workflow-list': WorkflowList;
    'wb-workflow-editor': WorkflowEditor;
  }
}

/** Safe to import twice (two bundles on one page): a tag already defined is left alone. */
function define(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}

// Parts first, so the root upgrades with its children ready.
define('wb-workflow-list', WorkflowList);
define('wb-workflow-editor', WorkflowEditor);
define('workflow-builder', WorkflowBuilder);
