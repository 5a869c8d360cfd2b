import type { CSSResult, ReactiveElement } from 'lit';

/**
 * Parts of an element that only a click or a keystroke shows (a panel, a results list, a
 * dialog's content) load with `import()` so the first paint does not carry them; the standalone
 * build makes each a chunk of its own (docs/decisions.md, "Lazy parts of the first paint").
 */

/** One load per page for `load`; a failed load is forgotten, so the next use tries again. */
export function lazyModule<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    }));
}

/**
 * `getUpdateComplete` for an element that draws a lazily loaded part: its own update, then, while
 * `pending()` names a load still under way, that load and the update it brings, so "rendered"
 * means what it says. `pending` returns undefined once the part is there (or has failed).
 */
export async function updateWithLoads(update: () => Promise<boolean>, pending: () => Promise<unknown> | undefined): Promise<boolean> {
  let done = await update();
  for (let load = pending(); load; load = pending()) {
    await load;
    done = await update();
  }
  return done;
}

/** Adds a lazily loaded part's styles to `el`'s shadow root, after the ones it already has. */
export function addStyles(el: ReactiveElement, styles: CSSResult): void {
  const root = el.renderRoot as ShadowRoot;
  const sheet = styles.styleSheet;
  if (sheet) {
    if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  // No constructable stylesheets: a <style> after Lit's own, as Lit itself does there.
  const style = document.createElement('style');
  style.textContent = styles.cssText;
  root.append(style);
}
