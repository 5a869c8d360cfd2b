import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { query, state } from 'lit/decorators.js';
import { BatonApiError, type AgentWithLoad, type InboxStore } from '@baton/client';
import { storeContext } from '@baton/ui/contexts/store';
import { comboboxStyles } from '@baton/ui/combobox-styles';
import { baseStyles } from '@baton/ui/tokens';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { fire } from '../events.js';
import { assigneeName } from '../format/assignee-name.js';
import { assigneePickerStyles } from './assignee-picker.styles.js';

/** The "Unassigned" choice in the list, next to the teammates. */
const UNASSIGNED = null;
type Choice = AgentWithLoad | typeof UNASSIGNED;

const availabilityOrder = { online: 0, away: 1, offline: 2 } as const;

/**
 * "Assigned to": a combobox over teammates (type to search by name or username), each with
 * availability and open load ("3/25"), plus "Unassigned". Choosing assigns through the store,
 * which sends the version it knows; if someone else changed the conversation first the store
 * takes theirs and this says so. Fires `inbox-assign` after the server agreed.
 */
export class InboxAssigneePicker extends LitElement {
  static override styles = [baseStyles, comboboxStyles, assigneePickerStyles];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  @state() private expanded = false;
  @state() private filter = '';
  @state() private active = 0;
  @state() private busy = false;
  @state() private error = '';

  @query('input') private input!: HTMLInputElement;

  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({
    conversation: s.open?.conversation ?? null,
    agents: s.agents,
  }));

  focusInput(): void {
    this.input?.focus();
  }

  private get choices(): Choice[] {
    const term = this.filter.trim().toLowerCase();
    // Deactivated teammates cannot be assigned; they stay in the store so history shows their names.
    const agents = [...(this.snapshot.value?.agents ?? [])]
      .filter((a) => a.active && (!term || a.name.toLowerCase().includes(term) || a.username.toLowerCase().startsWith(term)))
      .sort((a, b) => availabilityOrder[a.availability] - availabilityOrder[b.availability] || a.name.localeCompare(b.name));
    const showUnassigned = !term || 'unassigned'.startsWith(term);
    return showUnassigned ? [UNASSIGNED, ...agents] : agents;
  }

  private currentName(): string {
    const v = this.snapshot.value;
    return assigneeName(v?.agents ?? [], v?.conversation?.assigneeId);
  }

  private openList(): void {
    if (!this.snapshot.value?.conversation) return;
    this.expanded = true;
    const currentId = this.snapshot.value.conversation.assigneeId;
    const index = this.choices.findIndex((c) => (c?.id ?? null) === currentId);
    this.active = Math.max(0, index);
  }

  private closeList(): void {
    this.expanded = false;
    this.filter = '';
    if (this.input) this.input.value = this.currentName();
  }

  private onFocus(): void {
    this.input.select();
  }

  private onInput(): void {
    this.filter = this.input.value;
    this.expanded = true;
    this.active = 0;
  }

  private onKeydown(e: KeyboardEvent): void {
    const choices = this.choices;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        e.preventDefault();
        if (!this.expanded) return this.openList();
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : -1) + choices.length) % Math.max(1, choices.length);
        void this.updateComplete.then(() => this.renderRoot.querySelector('[role="option"][aria-selected="true"]')?.scrollIntoView({ block: 'nearest' }));
        return;
      case 'Enter':
        if (!this.expanded) return;
        e.preventDefault();
        if (choices.length) void this.choose(choices[this.active] ?? null);
        return;
      case 'Escape':
        if (!this.expanded) return;
        e.preventDefault();
        e.stopPropagation();
        this.closeList();
        return;
    }
  }

  private async choose(choice: Choice): Promise<void> {
    const c = this.snapshot.value?.conversation;
    this.closeList();
    if (!c || !this.store) return;
    const assigneeId = choice?.id ?? null;
    if (assigneeId === c.assigneeId) return;
    this.busy = true;
    this.error = '';
    try {
      await this.store.assign(c.id, assigneeId);
      fire(this, 'inbox-assign', { conversationId: c.id, assigneeId, previousAssigneeId: c.assigneeId });
    } catch (e) {
      this.error =
        e instanceof BatonApiError && e.code === 'version_conflict'
          ? `Someone else changed this conversation first: it is now assigned to ${this.currentName()}.`
          : e instanceof Error
            ? e.message
            : String(e);
    } finally {
      this.busy = false;
      if (this.input) this.input.value = this.currentName();
    }
  }

  protected override updated(): void {
    // Follow the conversation's assignee unless the user is typing a search.
    if (this.input && !this.expanded && this.shadowRoot!.activeElement !== this.input) this.input.value = this.currentName();
  }

  override render() {
    const v = this.snapshot.value;
    const disabled = !v?.conversation;
    const choices = this.choices;
    const assignee = v?.conversation?.assigneeId ? v.agents.find((a) => a.id === v.conversation!.assigneeId) : undefined;
    return html`<label for="assignee">Assigned to</label>
      <div part="base">
        ${assignee ? html`<baton-avatar name=${assignee.name} availability=${assignee.availability}></baton-avatar>` : nothing}
        <input
          id="assignee"
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded=${this.expanded ? 'true' : 'false'}
          aria-controls="assignee-options"
          aria-activedescendant=${this.expanded && choices[this.active] !== undefined ? `choice-${choices[this.active]?.id ?? 'none'}` : nothing}
          aria-keyshortcuts="a"
          autocomplete="off"
          spellcheck="false"
          aria-busy=${this.busy ? 'true' : 'false'}
          ?disabled=${disabled}
          .value=${this.currentName()}
          @focus=${this.onFocus}
          @click=${this.openList}
          @input=${this.onInput}
          @keydown=${this.onKeydown}
          @blur=${() => setTimeout(() => this.expanded && this.closeList(), 150)}
        />
      </div>
      <ul id="assignee-options" class="popup" part="options" role="listbox" aria-label="Teammates" ?hidden=${!this.expanded}>
        ${choices.map((choice, i) => {
          const id = choice?.id ?? 'none';
          const selected = i === this.active;
          if (!choice) {
            return html`<li role="option" id="choice-none" aria-selected=${selected ? 'true' : 'false'}
              @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.choose(null)}>
              <span class="name">Unassigned</span>
            </li>`;
          }
          const full = choice.openAssigned >= choice.capacity;
          return html`<li role="option" id=${`choice-${id}`} aria-selected=${selected ? 'true' : 'false'}
            @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.choose(choice)}>
            <baton-avatar name=${choice.name} availability=${choice.availability}></baton-avatar>
            <span class="name">${choice.name} <span class=${choice.availability === 'online' ? 'visually-hidden' : 'availability'}>(${choice.availability})</span></span>
            <span class="load ${full ? 'full' : ''}" title=${`${choice.openAssigned} open of ${choice.capacity}`}
              >${choice.openAssigned}/${choice.capacity}</span
            >
          </li>`;
        })}
      </ul>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'inbox-assignee-picker': InboxAssigneePicker;
  }
}

// Registered by its own module: it loads with the details pane (details.ts), after the first paint.
if (!customElements.get('inbox-assignee-picker')) customElements.define('inbox-assignee-picker', InboxAssigneePicker);
