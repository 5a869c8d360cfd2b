import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { consume } from '@lit/context';
import { property, state } from 'lit/decorators.js';
import type { InboxStore } from '@baton/client';
import { storeContext } from '@baton/ui/contexts/store';
import { baseStyles } from '@baton/ui/tokens';
import { fire } from '../events.js';
import { plainError } from '../format/plain-error.js';

/** What the agent just did that "Undo" takes back, in the words the toast shows. */
export type UndoableAction = {
  conversationId: string;
  /** "Resolved Emma Wilson", "Snoozed Emma Wilson until tomorrow 9:00 AM", "Assigned Emma Wilson to Ben Okafor". */
  said: string;
} & ({ kind: 'resolved' | 'snoozed' } | { kind: 'assigned'; assigneeId: string | null; previousAssigneeId: string | null });

/** How long the way back stays offered (Gmail and Front keep theirs for a few seconds too). */
export const UNDO_SHOWN_MS = 8000;

/**
 * "Resolved Emma Wilson · Undo": after the agent's own "Mark as Resolved", "Snooze" or "Assigned to"
 * the triage loop has often moved on to the next conversation (on a phone, with the details panel
 * still open on it), so a slip would otherwise mean finding the conversation again. Undo (or `z`)
 * reopens, wakes or gives it back through the same endpoints as "Reopen", "Unsnooze" and "Assigned
 * to" (so the timeline keeps both steps and `inbox-reopen` / `inbox-snooze` / `inbox-assign` fire
 * as for those), then asks the inbox to open it again. Loaded with `import()`
 * the first time either action succeeds; fires `close` when it times out, is dismissed or is done.
 */
export class InboxUndoToast extends LitElement {
  static override styles = [
    baseStyles,
    css`
      /*
       * Bottom left of the inbox (its base is the positioned box), over the end of the list and
       * above "Keyboard shortcuts", where Gmail and Front put theirs: never over the composer.
       */
      :host {
        position: absolute;
        inset-block-end: 44px;
        inset-inline-start: 12px;
        z-index: 3;
        max-width: min(420px, calc(100% - 24px));
      }
      [part='base'] {
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 8px 8px 8px 14px;
        border-radius: var(--baton-radius);
        background: var(--baton-color-text);
        color: var(--baton-color-bg);
        box-shadow: var(--baton-shadow-popover);
      }
      /* On the toast's inverted colours: its own text colour, outlined, not the page's button. */
      .undo {
        padding: 3px 10px;
        border: 1px solid currentColor;
        border-radius: var(--baton-radius-small);
        font-weight: 600;
      }
      .undo,
      .close {
        background: none;
        color: inherit;
        font: inherit;
        cursor: pointer;
      }
      .close {
        border: 0;
      }
    `,
  ];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  @property({ attribute: false }) action: UndoableAction | undefined;
  @state() private busy = false;
  @state() private error = '';
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Undo (the button and `z`): reopens or wakes the conversation, then opens it again. */
  async undo(): Promise<void> {
    const a = this.action;
    if (!a || !this.store || this.busy) return;
    clearTimeout(this.timer);
    this.busy = true;
    this.error = '';
    try {
      if (a.kind === 'resolved') {
        await this.store.reopen(a.conversationId);
        fire(this, 'inbox-reopen', { conversationId: a.conversationId });
      } else if (a.kind === 'assigned') {
        // Back to whoever had it (or nobody), with the version the store holds: a change someone
        // made since is a 409, said here, rather than overwritten.
        await this.store.assign(a.conversationId, a.previousAssigneeId);
        fire(this, 'inbox-assign', { conversationId: a.conversationId, assigneeId: a.previousAssigneeId, previousAssigneeId: a.assigneeId });
      } else {
        await this.store.snooze(a.conversationId, null);
        fire(this, 'inbox-snooze', { conversationId: a.conversationId, until: null });
      }
      fire(this, 'inbox-conversation-select', { conversationId: a.conversationId });
      this.close();
    } catch (e) {
      // Stays up with why, for another try (or Dismiss).
      this.error = `Couldn't undo: ${plainError(e)}`;
      this.startTimer();
    } finally {
      this.busy = false;
    }
  }

  private close(): void {
    clearTimeout(this.timer);
    this.dispatchEvent(new Event('close'));
  }

  private startTimer(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.close(), UNDO_SHOWN_MS);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('action')) this.error = '';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('action') && this.action) this.startTimer();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  override render() {
    if (!this.action) return nothing;
    // Not a live region: it would arrive with its words already in it, which screen readers skip.
    // <team-inbox> says what happened (and "Undo: z") in its own region; a failed undo is an alert.
    return html`<div part="base" role="group" aria-label="Undo">
      ${this.error ? html`<span role="alert">${this.error}</span>` : html`<span>${this.action.said}</span>`}
      <button class="undo" aria-keyshortcuts="z" ?disabled=${this.busy} @click=${() => void this.undo()}>Undo</button>
      <button class="close" aria-label="Dismiss" @click=${() => this.close()}>✕</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'inbox-undo-toast': InboxUndoToast;
  }
}

if (!customElements.get('inbox-undo-toast')) customElements.define('inbox-undo-toast', InboxUndoToast);
