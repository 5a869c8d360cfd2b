import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { InboxStore } from '@baton/client';
import type { Conversation } from '@baton/protocol';
import { baseStyles } from '@baton/ui/tokens';
import { fire } from '../events.js';
import { plainError } from '../format/plain-error.js';
import { wakeTime } from '../format/snooze-time.js';
import { localInputValue, snoozePresets } from './presets.js';

/**
 * The header's "Snooze" choices: presets in the agent's local time ("Later today", "Tomorrow",
 * "Next week", each with the time it means) and a date and time of their own. Loaded with
 * `import()` the first time "Snooze" (or `s`) is pressed. Fires `inbox-snooze` after the server
 * agreed; `done` closes it (Escape too).
 */
export class InboxSnoozeMenu extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      [part='base'] {
        display: grid;
        gap: var(--baton-space-2);
      }
      ul {
        display: grid;
        gap: 2px;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      button,
      input {
        font: inherit;
        color: inherit;
      }
      .preset {
        display: flex;
        justify-content: space-between;
        gap: 12px;
        width: 100%;
        padding: 6px 8px;
        border: 0;
        border-radius: var(--baton-radius-small);
        background: none;
        text-align: start;
        cursor: pointer;
      }
      .preset:hover,
      .preset:focus-visible {
        background: var(--baton-color-hover);
      }
      .when {
        color: var(--baton-color-text-muted);
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
        padding-top: var(--baton-space-2);
        border-top: 1px solid var(--baton-color-border);
      }
      label {
        flex-basis: 100%;
        color: var(--baton-color-text-muted);
        font-size: var(--baton-font-size-small);
      }
      input {
        flex: 1 1 12em;
        min-width: 0;
        padding: 4px 6px;
        border: 1px solid var(--baton-color-border);
        border-radius: var(--baton-radius-small);
        background: var(--baton-color-bg);
      }
      form button {
        padding: 4px 10px;
        border: 1px solid var(--baton-color-border);
        border-radius: var(--baton-radius);
        background: var(--baton-color-bg);
        cursor: pointer;
      }
      .error {
        margin: 0;
        color: var(--baton-color-danger);
      }
    `,
  ];

  @property({ attribute: false }) conversation: Conversation | null = null;
  @property({ attribute: false }) store: InboxStore | undefined;
  @property({ attribute: false }) done: () => void = () => undefined;
  /** The time the presets count from; tests pin it. */
  @property({ attribute: false }) now: () => Date = () => new Date();

  @state() private busy = false;
  @state() private error = '';

  /** Focus on the first choice (the menu just opened). */
  override focus(): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.preset')?.focus());
  }

  private async snooze(at: Date): Promise<void> {
    const c = this.conversation;
    if (!c || !this.store || this.busy) return;
    if (at.getTime() <= Date.now()) {
      this.error = 'Pick a time in the future.';
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      const until = at.toISOString();
      await this.store.snooze(c.id, until);
      fire(this, 'inbox-snooze', { conversationId: c.id, until });
      this.done();
    } catch (e) {
      this.error = plainError(e);
    } finally {
      this.busy = false;
    }
  }

  private onCustom(e: Event): void {
    e.preventDefault();
    const value = (this.renderRoot.querySelector('#snooze-custom') as HTMLInputElement).value;
    // A datetime-local value has no zone: `new Date` reads it as the agent's local time.
    if (!value) this.error = 'Pick a date and time.';
    else void this.snooze(new Date(value));
  }

  /** Escape closes; Up and Down move between the presets (Tab too), as in a list of choices. */
  private onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.stopPropagation();
      this.done();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const presets = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.preset')];
    const at = presets.indexOf(e.composedPath()[0] as HTMLButtonElement);
    if (at < 0) return;
    e.preventDefault();
    presets[(at + (e.key === 'ArrowDown' ? 1 : presets.length - 1)) % presets.length]!.focus();
  }

  override render() {
    const now = this.now();
    return html`<div part="base" role="group" aria-label="Snooze until" aria-busy=${this.busy ? 'true' : 'false'} @keydown=${this.onKeydown}>
      <ul>
        ${snoozePresets(now).map(
          (p) => html`<li>
            <button class="preset" aria-disabled=${this.busy ? 'true' : 'false'} @click=${() => this.snooze(p.at)}>
              <span>${p.name}</span> <span class="when">${wakeTime(p.at.toISOString(), now.getTime())}</span>
            </button>
          </li>`,
        )}
      </ul>
      <form novalidate @submit=${this.onCustom}>
        <label for="snooze-custom">Pick a date and time</label>
        <input id="snooze-custom" type="datetime-local" min=${localInputValue(now)} />
        <button type="submit" ?disabled=${this.busy}>Snooze until then</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'inbox-snooze-menu': InboxSnoozeMenu;
  }
}

// Its own define module: only ever reached through `import()`.
if (!customElements.get('inbox-snooze-menu')) customElements.define('inbox-snooze-menu', InboxSnoozeMenu);
