import { WorkflowBuilder } from './workflow-builder/workflow-builder.js';
import { WorkflowList } from './workflow-list/workflow-list.js';
import { WorkflowEditor } from './workflow-editor/workflow-editor.js';
import { EditorTools } from './editor-tools/editor-tools.js';

declare global {
  interface HTMLElementTagNameMap {
    'workflow-builder': WorkflowBuilder;
    'wb-workflow-list': WorkflowList;
    'wb-workflow-editor': WorkflowEditor;
    'wb-editor-tools': EditorTools;
  }
}

/** Safe to import twice (two bundles on one page): a tag already defined is left alone. */
function define(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}

// Parts first, so the root upgrades with its children ready.
define('wb-workflow-list', WorkflowList);
define('wb-editor-tools', EditorTools);
define('wb-workflow-editor', WorkflowEditor);
define('workflow-builder', WorkflowBuilder);
