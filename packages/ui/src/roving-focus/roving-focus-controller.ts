import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface RovingFocusOptions {
  /** How many items the list has (all of them, not only the rendered ones). */
  count(): number;
  /** The rendered element of an item, or null when it is not in the DOM (a virtualized list). */
  item(index: number): HTMLElement | null | undefined;
  /** Brings an item into the rendered range (scrolls a virtual list) before it is focused. */
  reveal?(index: number): void;
  /** `j`/`k` move too, as in most inboxes. */
  letterKeys?: boolean;
  /** Enter or Space on an item. */
  onActivate?(index: number): void;
  /** Called when the active item changes by keyboard. */
  onMove?(index: number): void;
}

/**
 * Roving tabindex for a list: one item is in the tab order (`tabIndexFor`), arrows (and j/k)
 * move it, Home/End jump, Enter activates. The index is kept by the controller, not the DOM, so it
 * works for a virtualized list whose items come and go.
 */
export class RovingFocusController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly options: RovingFocusOptions;
  /** The item that is tabbable. */
  active = 0;

  constructor(host: ReactiveControllerHost, options: RovingFocusOptions) {
    this.host = host;
    this.options = options;
    host.addController(this);
  }

  hostUpdate(): void {
    const last = Math.max(0, this.options.count() - 1);
    if (this.active > last) this.active = last;
  }

  tabIndexFor(index: number): 0 | -1 {
    return index === this.active ? 0 : -1;
  }

  /** Remembers where focus is when it lands on an item by click or Tab. */
  setActive(index: number): void {
    if (index === this.active) return;
    this.active = index;
    this.host.requestUpdate();
  }

  /** Handles a keydown on the list; returns whether it was a list key (and prevented it). */
  handleKeydown(event: KeyboardEvent): boolean {
    if (event.altKey || event.ctrlKey || event.metaKey) return false;
    const count = this.options.count();
    if (count === 0) return false;
    const letters = this.options.letterKeys === true;
    let next: number | null = null;
    switch (event.key) {
      case 'ArrowDown':
        next = this.active + 1;
        break;
      case 'ArrowUp':
        next = this.active - 1;
        break;
      case 'j':
        if (letters) next = this.active + 1;
        break;
      case 'k':
        if (letters) next = this.active - 1;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Enter':
      case ' ':
        if (!this.options.onActivate) return false;
        event.preventDefault();
        this.options.onActivate(this.active);
        return true;
    }
    if (next === null) return false;
    event.preventDefault();
    void this.focus(Math.min(count - 1, Math.max(0, next)));
    return true;
  }

  /** Makes the item active, renders it if needed and focuses it. */
  async focus(index: number): Promise<void> {
    this.active = index;
    this.options.reveal?.(index);
    this.host.requestUpdate();
    await this.host.updateComplete;
    this.options.item(index)?.focus();
    this.options.onMove?.(index);
  }
}
