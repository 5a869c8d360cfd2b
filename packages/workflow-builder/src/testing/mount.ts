// Test-only: mounts a <workflow-builder> signed in as the fresh workspace's admin, and finds
// things in it by role and accessible name (looking through the parts' shadow roots).
import type { WorkflowDefinition } from '@baton/protocol';
import type { WorkflowBuilder } from '../workflow-builder/workflow-builder.js';
import type { WorkflowEditor } from '../workflow-editor/workflow-editor.js';
import { freshWorkspace, type TestWorkspace } from './workspace.js';
import '../define.js';

/** Every builder mounted since the last test ended (`freshWorkspaceEachTest` removes them). */
const mounted = new Set<WorkflowBuilder>();

export async function mountBuilder(ws: TestWorkspace, attrs: Record<string, string> = {}): Promise<WorkflowBuilder> {
  const el = document.createElement('workflow-builder');
  mounted.add(el);
  el.rest = ws.ana;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  await waitFor(() => !el.shadowRoot?.querySelector('.loading') && !!el.shadowRoot?.querySelector('wb-workflow-list, wb-workflow-editor'));
  return el;
}

/** The builder's editor part (while a workflow is open). */
export const editorOf = (el: WorkflowBuilder) => el.shadowRoot!.querySelector('wb-workflow-editor') as WorkflowEditor;

/**
 * Creates a workflow on the server (published unless told not to) and opens it in a builder, its
 * tree drawn and autosave quick (50 ms) so tests wait for saves, not for the default delay.
 */
export async function openWorkflow(ws: TestWorkspace, def: Partial<WorkflowDefinition> & { name: string }, publish = true) {
  const id = await ws.createWorkflow(def, publish);
  return { ...(await reopenWorkflow(ws, id)), id };
}

/** Opens a workflow already on the server in a new builder, the way `openWorkflow` does. */
export async function reopenWorkflow(ws: TestWorkspace, id: string) {
  const el = await mountBuilder(ws, { 'workflow-id': id });
  await waitFor(() => !!queryByRole(el, 'treegrid'), 5000, 'the tree');
  const editor = editorOf(el);
  editor.autosaveDelay = 50;
  return { el, editor };
}

/**
 * The per-test setup of the real-server suites, called inside a `describe`: a fresh workspace
 * before each test (handed to `use`), and every builder the test mounted removed after it.
 */
export function freshWorkspaceEachTest(use: (ws: TestWorkspace) => void): void {
  beforeEach(async () => {
    use(await freshWorkspace());
  });
  afterEach(() => {
    for (const el of mounted) el.remove();
    mounted.clear();
  });
}

/** Waits for the autosave to reach the server and returns the server's draft once `check` holds. */
export async function serverDraft(ws: TestWorkspace, id: string, check: (d: WorkflowDefinition) => boolean): Promise<WorkflowDefinition> {
  const start = Date.now();
  while (Date.now() - start < 8000) {
    const { workflow } = await ws.ana.getWorkflow(id);
    if (check(workflow.draft)) return workflow.draft;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server never saw the draft');
}

/** Every element under `root`, shadow roots included, in document order. */
export function deepAll(root: ParentNode): Element[] {
  const out: Element[] = [];
  const walk = (node: ParentNode) => {
    for (const el of Array.from(node.children)) {
      out.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
      walk(el);
    }
  };
  if (root instanceof Element && root.shadowRoot) walk(root.shadowRoot);
  walk(root);
  return out;
}

/** The accessible name the way these tests need it: aria-label, else labelledby, else text. */
export function nameOf(el: Element): string {
  const label = el.getAttribute('aria-label');
  if (label) return label.trim();
  const by = el.getAttribute('aria-labelledby');
  if (by) {
    const root = el.getRootNode() as ShadowRoot | Document;
    return by
      .split(/\s+/)
      .map((id) => root.getElementById(id)?.textContent?.trim() ?? '')
      .join(' ')
      .trim();
  }
  // A fieldset is named by its legend.
  if (el instanceof HTMLFieldSetElement) return el.querySelector('legend')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) {
    const labels = el.labels ? Array.from(el.labels) : [];
    // A wrapping label's own words, without the text of the control inside it (a select's options).
    return labels
      .map((l) => {
        const copy = l.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('select, input, textarea').forEach((c) => c.remove());
        return copy.textContent?.replace(/\s+/g, ' ').trim() ?? '';
      })
      .join(' ');
  }
  return (el.textContent ?? '').replace(/\s+/g, ' ').trim();
}

const ROLE_SELECTORS: Record<string, string> = {
  button: 'button,[role="button"]',
  link: 'a[href],[role="link"]',
  radio: 'input[type="radio"],[role="radio"]',
  group: 'fieldset,[role="group"]',
  // A text input with a `list` (suggestions) is a combobox, as browsers expose it.
  textbox: 'input:not([type]):not([list]),input[type="text"]:not([list]),input[type="number"],textarea,[role="textbox"]',
  combobox: 'select,input[list],[role="combobox"]',
  checkbox: 'input[type="checkbox"],[role="checkbox"]',
  row: '[role="row"]',
  treegrid: '[role="treegrid"]',
  alert: '[role="alert"],[role="alertdialog"]',
  status: '[role="status"]',
  list: 'ul,ol,[role="list"]',
  heading: 'h1,h2,h3,h4',
  region: 'section[aria-label],section[aria-labelledby],[role="region"]',
};

export function allByRole(root: ParentNode, role: string, name?: string | RegExp): HTMLElement[] {
  const selector = ROLE_SELECTORS[role] ?? `[role="${role}"]`;
  return deepAll(root).filter((el): el is HTMLElement => {
    if (!el.matches(selector)) return false;
    if (name === undefined) return true;
    const n = nameOf(el);
    return typeof name === 'string' ? n === name : name.test(n);
  });
}

export function byRole(root: ParentNode, role: string, name?: string | RegExp): HTMLElement {
  const found = allByRole(root, role, name);
  if (found.length === 0) {
    const names = allByRole(root, role).map(nameOf);
    throw new Error(`no ${role} named ${String(name)}; there are: ${JSON.stringify(names.slice(0, 40))}`);
  }
  return found[0]!;
}

export function queryByRole(root: ParentNode, role: string, name?: string | RegExp): HTMLElement | null {
  return allByRole(root, role, name)[0] ?? null;
}

export async function waitFor(check: () => boolean, timeoutMs = 8000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The focused element, looking through shadow roots. */
export function deepActive(): Element | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

/** The text of the builder's polite live region. */
export function liveText(el: WorkflowBuilder): string {
  return el.shadowRoot!.querySelector('[role="status"][aria-live="polite"]')?.textContent?.trim() ?? '';
}
