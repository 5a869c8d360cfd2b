import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { BatonApiError, type InboxRestClient, type InboxStore } from '@baton/client';
import type { Conversation, Team } from '@baton/protocol';
import { normalizeTag } from '@baton/protocol/tags';
import { baseStyles, controlStyles } from '@baton/ui/tokens';
import { fire, type InboxConversationEditDetail } from '../events.js';
import { plainError } from '../format/plain-error.js';
import { detailsEditorStyles } from './details-editor.styles.js';
import { TagSuggestionsController } from '@baton/ui/tag-suggestions';

/** Loaded with `import()` when "Edit details" is first pressed (details/details.ts): not in the initial bundle. */

type Priority = Conversation['priority'];
type Field = InboxConversationEditDetail['changed'][number];
const PRIORITIES: readonly [Priority, string][] = [
  ['low', 'Low'],
  ['normal', 'Normal'],
  ['high', 'High'],
  ['urgent', 'Urgent'],
];
const MAX_TAG = 64;

interface Draft {
  subject: string;
  priority: Priority;
  teamId: string;
  tags: string[];
}

const draftOf = (c: Conversation): Draft => ({ subject: c.subject ?? '', priority: c.priority, teamId: c.teamId ?? '', tags: [...c.tags] });

/**
 * The details pane's editor: subject, priority, team and tags (the workspace's tags in use as
 * suggestions, most used first, or a new one: @baton/ui/tag-suggestions), saved in one `PATCH` with
 * `If-Match` through the store. When someone else changed the conversation first it says so and
 * "Refresh" puts their version in the form. Fires `inbox-conversation-edit` after the server
 * agreed; `done` closes it.
 */
export class InboxDetailsEditor extends LitElement {
  static override styles = [baseStyles, controlStyles, detailsEditorStyles];

  @property({ attribute: false }) conversation: Conversation | null = null;
  @property({ attribute: false }) store: InboxStore | undefined;
  @property({ attribute: false }) rest: InboxRestClient | undefined;
  @property({ attribute: false }) teams: readonly Team[] = [];
  /** Called when the editor is finished (saved or cancelled). */
  @property({ attribute: false }) done: () => void = () => undefined;

  @state() private draft: Draft | null = null;
  @state() private busy = false;
  @state() private error = '';
  @state() private conflict = false;

  @query('#subject') private subjectField?: HTMLInputElement;
  @query('#tag-input') private tagField?: HTMLInputElement;

  private readonly tagSuggestions = new TagSuggestionsController(this, {
    rest: () => this.rest,
    fallback: () => this.loadedTags(),
  });

  /** Puts focus on the first field (the editor just opened). */
  override focus(): void {
    void this.updateComplete.then(() => this.subjectField?.focus());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.conversation && (!this.draft || (changed.has('conversation') && changed.get('conversation')?.id !== this.conversation.id))) {
      this.draft = draftOf(this.conversation);
    }
    if (changed.has('rest')) this.tagSuggestions.load();
  }

  /** Tags in use in the conversations the inbox holds: the suggestions when the server's cannot be had. */
  private loadedTags(): string[] {
    const inUse = new Set<string>();
    for (const c of this.store?.getSnapshot().conversations ?? []) for (const t of c.tags) inUse.add(t);
    return [...inUse];
  }

  private set(patch: Partial<Draft>): void {
    if (this.draft) this.draft = { ...this.draft, ...patch };
  }

  private addTag(): void {
    const field = this.tagField;
    // Shown as the server will store it (lower case), so the chip does not change when it answers.
    const tag = normalizeTag(field?.value.trim().slice(0, MAX_TAG) ?? '');
    if (!field || !tag || !this.draft) return;
    if (!this.draft.tags.includes(tag)) this.set({ tags: [...this.draft.tags, tag] });
    field.value = '';
    this.tagSuggestions.typed('');
  }

  private removeTag(tag: string): void {
    if (!this.draft) return;
    this.set({ tags: this.draft.tags.filter((t) => t !== tag) });
    this.tagField?.focus();
  }

  private onTagKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Enter') return;
    e.preventDefault(); // Enter adds the tag; it does not submit the form
    this.addTag();
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    e.stopPropagation(); // the root's Escape closes the details drawer; here it cancels the edit first
    this.done();
  }

  /** Only the fields that differ from the conversation go in the PATCH. */
  private patch(c: Conversation, d: Draft) {
    const body: { subject?: string | null; priority?: Priority; teamId?: string | null; tags?: string[] } = {};
    const subject = d.subject.trim() || null;
    if (subject !== c.subject) body.subject = subject;
    if (d.priority !== c.priority) body.priority = d.priority;
    if ((d.teamId || null) !== c.teamId) body.teamId = d.teamId || null;
    if (d.tags.length !== c.tags.length || d.tags.some((t, i) => t !== c.tags[i])) body.tags = d.tags;
    return body;
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const c = this.conversation;
    if (!c || !this.draft || !this.store || this.busy) return;
    this.addTag(); // a tag typed but not yet added counts
    const body = this.patch(c, this.draft);
    const changed = Object.keys(body) as Field[];
    if (!changed.length) return this.done();
    this.busy = true;
    this.error = '';
    this.conflict = false;
    try {
      await this.store.update(c.id, body);
      fire(this, 'inbox-conversation-edit', { conversationId: c.id, changed });
      this.done();
    } catch (err) {
      this.conflict = err instanceof BatonApiError && err.code === 'version_conflict';
      this.error = this.conflict
        ? 'Someone else changed this conversation while you were editing. Refresh to see their changes, then make yours again.'
        : plainError(err);
    } finally {
      this.busy = false;
    }
  }

  /** After a conflict: the form takes the conversation as the server has it now. */
  private refresh(): void {
    if (this.conversation) this.draft = draftOf(this.conversation);
    this.error = '';
    this.conflict = false;
    this.subjectField?.focus();
  }

  override render() {
    const d = this.draft;
    if (!d) return nothing;
    return html`<form part="base" aria-label="Edit conversation" aria-busy=${this.busy ? 'true' : 'false'} @submit=${this.save} @keydown=${this.onKeydown}>
      <label for="subject">Subject</label>
      <input id="subject" class="field" maxlength="500" .value=${d.subject} @input=${(e: Event) => this.set({ subject: (e.target as HTMLInputElement).value })} />
      <label for="priority">Priority</label>
      <select id="priority" class="field" @change=${(e: Event) => this.set({ priority: (e.target as HTMLSelectElement).value as Priority })}>
        ${PRIORITIES.map(([value, label]) => html`<option value=${value} ?selected=${d.priority === value}>${label}</option>`)}
      </select>
      <label for="team">Team</label>
      <select id="team" class="field" @change=${(e: Event) => this.set({ teamId: (e.target as HTMLSelectElement).value })}>
        <option value="" ?selected=${!d.teamId}>No team</option>
        ${this.teams.map((t) => html`<option value=${t.id} ?selected=${d.teamId === t.id}>${t.name}</option>`)}
      </select>
      <fieldset>
        <legend>Tags</legend>
        ${d.tags.length
          ? html`<ul class="tags" aria-label="Tags">
              ${d.tags.map((t) => html`<li>${t}<button type="button" aria-label=${`Remove tag ${t}`} @click=${() => this.removeTag(t)}>×</button></li>`)}
            </ul>`
          : nothing}
        <label for="tag-input">Add tag</label>
        <div class="add-tag">
          <input
            id="tag-input"
            class="field"
            list="tag-suggestions"
            maxlength=${MAX_TAG}
            autocomplete="off"
            @keydown=${this.onTagKeydown}
            @input=${(e: Event) => this.tagSuggestions.typed((e.target as HTMLInputElement).value)}
          />
          <button type="button" class="button" @click=${() => this.addTag()}>Add</button>
        </div>
        <datalist id="tag-suggestions">
          ${this.tagSuggestions.list(d.tags).map((t) => html`<option value=${t.name} label=${t.label || nothing}></option>`)}
        </datalist>
      </fieldset>
      ${this.error
        ? html`<p class="error" role="alert">
            ${this.error} ${this.conflict ? html`<button type="button" class="button" @click=${() => this.refresh()}>Refresh</button>` : nothing}
          </p>`
        : nothing}
      <div class="actions">
        <button class="button primary" type="submit" ?disabled=${this.busy}>Save</button>
        <button type="button" class="button" @click=${() => this.done()}>Cancel</button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'inbox-details-editor': InboxDetailsEditor;
  }
}

// This module is its own define module: it is only ever reached through `import()`.
if (!customElements.get('inbox-details-editor')) customElements.define('inbox-details-editor', InboxDetailsEditor);
