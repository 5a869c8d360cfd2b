// Test-only: puts a part under the same context providers and design tokens <team-inbox> gives it.
import { ContextProvider } from '@lit/context';
import { tokenStyles } from '@baton/ui/tokens';
import { storeContext } from '@baton/ui/contexts/store';
import { restContext } from '@baton/ui/contexts/rest';
import { realtimeContext } from '@baton/ui/contexts/realtime';
import { currentAgentContext } from '@baton/ui/contexts/current-agent';
import type { BatonRealtime } from '@baton/client';
import { ContactDirectory } from '../contacts/contact-directory.js';
import { contactsContext } from '../contacts/contacts-context.js';
import type { View } from '@baton/protocol';
import type { FixtureInbox } from './fixtures.js';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import '../define.js';
// Lazy in <team-inbox> (loaded with the first open conversation); parts mounted alone need them defined.
import '../composer/composer.js';
import '../details/details.js';

/** The shadow root of a part inside an inbox (throws while the part is not rendered: `until` waits on that). */
export const part = (inbox: TeamInbox, tag: string): ShadowRoot => inbox.shadowRoot!.querySelector(tag)!.shadowRoot!;

/** The focused element, through shadow roots. */
export function deepActive(): Element | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

/** A whole `<team-inbox>` over a fixture inbox, showing `view`, 640 px high, rendered once. */
export async function mountTeamInbox(fx: FixtureInbox, view: View = 'all'): Promise<TeamInbox> {
  const el = document.createElement('team-inbox');
  el.setAttribute('view', view);
  Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
  el.style.height = '640px';
  document.body.append(el);
  await el.updateComplete;
  return el;
}

export interface Mounted<E extends HTMLElement> {
  el: E;
  /** The element's shadow root, where the accessible tree of a part lives. */
  root: ShadowRoot;
  remove(): void;
}

/**
 * The light tokens <team-inbox>'s `:host` sets, on a mounted part's host: parts read them with no
 * fallback, as they only ever live inside the tag.
 */
function addTokens(): void {
  if (document.getElementById('baton-test-tokens')) return;
  const style = document.createElement('style');
  style.id = 'baton-test-tokens';
  // Only the plain `:host` rule becomes a valid selector; the dark ones are dropped.
  style.textContent = tokenStyles.cssText.replaceAll(':host', '.baton-tokens');
  document.head.append(style);
}

export async function mountPart<K extends keyof HTMLElementTagNameMap>(tag: K, inbox: FixtureInbox): Promise<Mounted<HTMLElementTagNameMap[K]>> {
  addTokens();
  const host = document.createElement('div');
  host.className = 'baton-tokens';
  new ContextProvider(host, { context: storeContext, initialValue: inbox.store });
  new ContextProvider(host, { context: restContext, initialValue: inbox.rest });
  new ContextProvider(host, { context: realtimeContext, initialValue: inbox.realtime as unknown as BatonRealtime });
  new ContextProvider(host, { context: currentAgentContext, initialValue: inbox.world.me });
  new ContextProvider(host, { context: contactsContext, initialValue: new ContactDirectory(inbox.rest) });
  document.body.append(host);
  const el = document.createElement(tag);
  host.append(el);
  await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  return { el, root: el.shadowRoot!, remove: () => host.remove() };
}

/** Waits for Lit to render after a state change (twice: a render can schedule another). */
export async function settled(el: Element): Promise<void> {
  const lit = el as unknown as { updateComplete: Promise<unknown> };
  await lit.updateComplete;
  await new Promise((r) => setTimeout(r, 0));
  await lit.updateComplete;
}

export function press(target: Element, key: string, init: KeyboardEventInit = {}): boolean {
  return target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true, ...init }));
}

/** Types text into an input or textarea as a person would, firing `input` after each character. */
export function type(field: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  for (const ch of text) {
    field.setRangeText(ch, field.selectionStart ?? field.value.length, field.selectionEnd ?? field.value.length, 'end');
    field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, data: ch, inputType: 'insertText' }));
  }
}

/** Accessible-ish lookup: an element with a role whose name (aria-label, labelled text or content) matches. */
export function byRole(root: ParentNode, role: string, name?: string | RegExp): HTMLElement {
  const found = allByRole(root, role, name);
  if (!found[0]) throw new Error(`no ${role}${name ? ` named ${String(name)}` : ''}`);
  return found[0];
}

const implicitRoles: Record<string, string> = { button: 'button', select: 'combobox', dialog: 'dialog', textarea: 'textbox', a: 'link', h1: 'heading', h2: 'heading', h3: 'heading', ul: 'list', ol: 'list', li: 'listitem', nav: 'navigation' };

function roleOf(el: Element): string | null {
  const explicit = el.getAttribute('role');
  if (explicit) return explicit;
  const tag = el.tagName.toLowerCase();
  if (tag === 'input') {
    const t = (el as HTMLInputElement).type;
    return t === 'search' ? 'searchbox' : t === 'checkbox' ? 'checkbox' : 'textbox';
  }
  if (tag === 'a' && !el.hasAttribute('href')) return null;
  return implicitRoles[tag] ?? null;
}

export function accessibleName(el: Element): string {
  const labelledBy = el.getAttribute('aria-labelledby');
  const root = el.getRootNode() as ParentNode & { getElementById?: (id: string) => HTMLElement | null };
  if (labelledBy && root.getElementById) {
    return labelledBy.split(/\s+/).map((id) => root.getElementById!(id)?.textContent?.trim() ?? '').join(' ').trim();
  }
  const label = el.getAttribute('aria-label');
  if (label) return label.trim();
  const id = el.id;
  if (id && 'querySelector' in root) {
    const forLabel = (root as ParentNode).querySelector(`label[for="${id}"]`);
    if (forLabel) return forLabel.textContent!.replace(/\s+/g, ' ').trim();
  }
  return composedText(el).replace(/\s+/g, ' ').trim();
}

/** Text as a screen reader gets it: through shadow roots, without aria-hidden parts or styles. */
export function composedText(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return (node as Text).data;
  if (!(node instanceof Element || node instanceof ShadowRoot)) return '';
  if (node instanceof Element && (node.getAttribute('aria-hidden') === 'true' || node.localName === 'style')) return '';
  if (node instanceof Element && node.getAttribute('role') === 'img' && node.hasAttribute('aria-label')) return ` ${node.getAttribute('aria-label')} `;
  const from = node instanceof Element && node.shadowRoot ? node.shadowRoot : node;
  let text = '';
  for (const child of from.childNodes) text += composedText(child);
  return text;
}

/** Every element under `root`, looking into open shadow roots as the accessibility tree does. */
function deepElements(root: ParentNode): HTMLElement[] {
  const out: HTMLElement[] = [];
  for (const el of root.querySelectorAll<HTMLElement>('*')) {
    out.push(el);
    if (el.shadowRoot) out.push(...deepElements(el.shadowRoot));
  }
  return out;
}

export function allByRole(root: ParentNode, role: string, name?: string | RegExp): HTMLElement[] {
  return deepElements(root).filter((el) => {
    if (roleOf(el) !== role) return false;
    if (name === undefined) return true;
    const n = accessibleName(el);
    return typeof name === 'string' ? n === name : name.test(n);
  });
}
