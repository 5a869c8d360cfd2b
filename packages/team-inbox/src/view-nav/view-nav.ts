import { LitElement, html } from 'lit';
import { consume } from '@lit/context';
import { state } from 'lit/decorators.js';
import type { InboxStore } from '@baton/client';
import type { View } from '@baton/protocol';
import { VIEWS } from '@baton/protocol/constants';
import { storeContext } from '@baton/ui/contexts/store';
import { baseStyles } from '@baton/ui/tokens';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { fire } from '../events.js';
import { viewNavStyles } from './view-nav.styles.js';

/** The names the help article uses. */
export const VIEW_LABELS: Record<View, string> = {
  mine: 'Mine',
  unassigned: 'Unassigned',
  mentioned: 'Mentioned',
  unread: 'Unread',
  all: 'All',
  resolved: 'Resolved',
  snoozed: 'Snoozed',
};

/** The seven views with their live counts; picking one asks the root to switch (`inbox-view-select`). */
export class InboxViewNav extends LitElement {
  static override styles = [baseStyles, viewNavStyles];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({ view: s.view, counts: s.counts }));

  /** Focus on the current view's button. */
  focusCurrent(): void {
    this.renderRoot.querySelector<HTMLElement>('[aria-current="page"]')?.focus();
  }

  override render() {
    const { view, counts } = this.snapshot.value ?? { view: 'mine' as View, counts: null };
    return html`<nav aria-label="Views">
      <ul part="base">
        ${VIEWS.map(
          (v) => html`<li>
            <button
              part="view"
              aria-current=${v === view ? 'page' : 'false'}
              @click=${() => fire(this, 'inbox-view-select', { view: v })}
            >
              <span>${VIEW_LABELS[v]}</span>
              ${counts ? html`<baton-badge count=${counts[v]} max="9999"></baton-badge>` : null}
            </button>
          </li>`,
        )}
      </ul>
    </nav>`;
  }
}
