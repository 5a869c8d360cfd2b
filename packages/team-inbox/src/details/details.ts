import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { property, query, state } from 'lit/decorators.js';
import type { InboxRestClient, InboxStore } from '@baton/client';
import type { Contact, Conversation, NoteItem, TimelineItem } from '@baton/protocol';
import { storeContext } from '@baton/ui/contexts/store';
import { restContext } from '@baton/ui/contexts/rest';
import { baseStyles, controlStyles } from '@baton/ui/tokens';
import { channelIcon, channelName } from '@baton/ui/icons';
import { relativeTime } from '@baton/ui/relative-time';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { contactsContext } from '../contacts/contacts-context.js';
import type { ContactDirectory } from '../contacts/contact-directory.js';
// "Assigned to" loads (and registers) with this pane.
import '../assignee-picker/assignee-picker.js';
import type { InboxAssigneePicker } from '../assignee-picker/assignee-picker.js';
import { fire } from '../events.js';
import { languageName } from '../format/language-name.js';
import { TeamsController } from '../teams/teams-controller.js';
import type { InboxDetailsEditor } from '../details-editor/details-editor.js';
import { detailsStyles } from './details.styles.js';

/** The editor is a chunk of its own, fetched the first time someone presses "Edit details". */
let editorModule: Promise<unknown> | undefined;
const loadEditor = () => (editorModule ??= import('../details-editor/details-editor.js'));
/**
 * The routing question worth offering: a rule touched it or it waits in a queue ("Why it was routed
 * this way"), or it is open with nobody on it, where the runs say which rules looked and why they
 * passed ("Why no rule assigned it"). None for a conversation a person assigned or closed.
 */
function whyQuestion(c: Conversation | null, timeline: readonly TimelineItem[]): string | null {
  if (!c) return null;
  if (c.waitingSince || timeline.some((i) => i.kind === 'event' && i.actor.type === 'workflow')) return 'Why it was routed this way';
  return c.status === 'open' && !c.assigneeId ? 'Why no rule assigned it' : null;
}

let routingModule: Promise<unknown> | undefined;
const loadRouting = () => (routingModule ??= import('../routing-why/routing-why.js'));

const PRIORITY_LABELS: Record<Conversation['priority'], string> = { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' };

/**
 * The right pane: "Assigned to", team, tags, the contact's details and their other
 * conversations — the record notes stay attached to. Picking one opens it.
 */
export class InboxDetails extends LitElement {
  static override styles = [baseStyles, controlStyles, detailsStyles];

  /** `<team-inbox workflow-href>`, for the routing disclosure's links to rules. */
  @property({ attribute: false }) workflowHref = '';

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  @consume({ context: restContext, subscribe: true })
  @state()
  private rest?: InboxRestClient;

  @consume({ context: contactsContext, subscribe: true })
  @state()
  private contacts?: ContactDirectory;

  @state() private contact: Contact | null = null;
  @state() private history: Conversation[] = [];
  /** Internal notes of the contact's other conversations, loaded when their "Notes" is opened. */
  @state() private notesOf = new Map<string, NoteItem[] | 'loading' | 'failed'>();

  /** "Edit details" is open (for this conversation id); the editor shows once its module is loaded. */
  @state() private editingId = '';
  @state() private editorLoaded = false;
  @state() private editorFailed = false;

  @query('inbox-assignee-picker') private picker?: InboxAssigneePicker;
  @query('inbox-details-editor') private editor?: InboxDetailsEditor;
  @query('.edit') private editButton?: HTMLButtonElement;

  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({
    conversation: s.open?.conversation ?? null,
    // Asked once the timeline is here: before it, a conversation a rule only tagged reads as unrouted.
    why: s.open?.loading ? null : whyQuestion(s.open?.conversation ?? null, s.open?.timeline ?? []),
  }));
  /** The team's name, and the editor's choice of teams. */
  private readonly teams = new TeamsController(this, () => this.store);
  @state() private routingLoaded = false;
  /** What the contact's record was loaded for: the contact and the conversation's version. */
  private loadedFor = '';

  /** The `a` shortcut. */
  focusAssignee(): void {
    this.picker?.focusInput();
  }

  /** "Edit details": loads the editor on first use (a placeholder says so meanwhile), then focuses it. */
  async edit(): Promise<void> {
    const c = this.snapshot.value?.conversation;
    if (!c) return;
    this.editingId = c.id;
    this.editorFailed = false;
    try {
      await loadEditor();
      this.editorLoaded = true;
    } catch {
      editorModule = undefined; // let the next press try again
      this.editorFailed = true;
      return;
    }
    await this.updateComplete;
    this.editor?.focus();
  }

  private async openRouting(open: boolean): Promise<void> {
    if (!open || this.routingLoaded) return;
    try {
      await loadRouting();
      this.routingLoaded = true;
    } catch {
      routingModule = undefined; // the next opening tries again
    }
  }

  private async closeEditor(): Promise<void> {
    this.editingId = '';
    await this.updateComplete;
    this.editButton?.focus();
  }

  private renderEditor(c: Conversation) {
    if (this.editorFailed) {
      return html`<p class="error" role="alert">Can't load the editor right now. <button class="button" @click=${() => this.edit()}>Try again</button></p>`;
    }
    if (!this.editorLoaded) return html`<div class="skeleton" role="status" aria-busy="true"><span class="visually-hidden">Loading editor…</span></div>`;
    return html`<inbox-details-editor
      .conversation=${c}
      .store=${this.store}
      .rest=${this.rest}
      .teams=${this.teams.list}
      .done=${() => void this.closeEditor()}
    ></inbox-details-editor>`;
  }

  protected override willUpdate(): void {
    const c = this.snapshot.value?.conversation;
    if (this.editingId && this.editingId !== c?.id) this.editingId = '';
    this.teams.want();
    const key = c ? `${c.contactId}:${c.id}:${c.version}` : '';
    if (key === this.loadedFor || !this.rest) return;
    if (!c || !this.loadedFor.startsWith(`${c.contactId}:`)) {
      this.contact = null;
      this.history = [];
    }
    this.loadedFor = key;
    if (c) void this.loadContact(c.contactId, key);
  }

  private async loadContact(contactId: string, key: string): Promise<void> {
    try {
      const { contact, items } = await this.rest!.contactConversations(contactId);
      if (key !== this.loadedFor) return;
      this.contacts?.remember(contact);
      this.contact = contact;
      this.history = items;
    } catch {
      // The pane still shows the conversation's own details; the record is extra.
    }
  }

  /** Notes stay with the customer record: the first opening of "Notes" fetches that timeline once. */
  private async loadNotes(conversationId: string, open: boolean): Promise<void> {
    const known = this.notesOf.get(conversationId);
    if (!open || !this.rest || (known && known !== 'failed')) return;
    this.notesOf = new Map(this.notesOf).set(conversationId, 'loading');
    try {
      const { items } = await this.rest.timeline(conversationId, { limit: 500 });
      const notes = items.filter((i): i is NoteItem => i.kind === 'note');
      this.notesOf = new Map(this.notesOf).set(conversationId, notes);
    } catch {
      this.notesOf = new Map(this.notesOf).set(conversationId, 'failed');
    }
  }

  private renderNotes(conversationId: string) {
    const notes = this.notesOf.get(conversationId);
    if (notes === undefined || notes === 'loading') return html`<p class="muted">Loading…</p>`;
    if (notes === 'failed') return html`<p class="muted">Could not load the notes</p>`;
    if (notes.length === 0) return html`<p class="muted">No internal notes</p>`;
    return html`<ul class="notes" aria-label="Internal notes">
      ${notes.map((n) => html`<li class="note">${n.body}</li>`)}
    </ul>`;
  }

  override render() {
    const c = this.snapshot.value?.conversation;
    if (!c) return html`<div part="base"><p class="muted">No conversation open</p></div>`;
    const team = this.teams.find(c.teamId);
    const contact = this.contact;
    const others = this.history.filter((h) => h.id !== c.id);
    const now = Date.now();
    const editing = this.editingId === c.id;
    return html`<div part="base">
      <inbox-assignee-picker part="assignee"></inbox-assignee-picker>
      <div role="group" aria-labelledby="h-conversation">
        <div class="group-head">
          <h2 id="h-conversation">Conversation</h2>
          ${editing
            ? nothing
            : html`<button class="edit" aria-label="Edit details" @click=${() => this.edit()} @pointerenter=${() => void loadEditor().catch(() => undefined)}>
                Edit
              </button>`}
        </div>
        ${editing
          ? this.renderEditor(c)
          : html`<dl>
              ${c.subject ? html`<dt>Subject</dt><dd>${c.subject}</dd>` : nothing}
              <dt>Team</dt>
              <dd>${team?.name ?? 'No team'}</dd>
              <dt>Channel</dt>
              <dd>${channelName(c.channel)}</dd>
              ${c.source ? html`<dt>Source</dt><dd>${c.source}</dd>` : nothing}
              <dt>Priority</dt>
              <dd>${PRIORITY_LABELS[c.priority]}</dd>
              ${c.language ? html`<dt>Language</dt><dd>${languageName(c.language)}</dd>` : nothing}
            </dl>`}
        ${this.snapshot.value?.why && !editing
          ? html`<details class="routing" @toggle=${(e: Event) => void this.openRouting((e.target as HTMLDetailsElement).open)}>
              <summary>${this.snapshot.value.why}</summary>
              ${this.routingLoaded
                ? html`<inbox-routing-why .rest=${this.rest} conversation-id=${c.id} .createdAt=${c.createdAt} .workflowHref=${this.workflowHref}></inbox-routing-why>`
                : html`<p class="muted" role="status">Loading…</p>`}
            </details>`
          : nothing}
      </div>
      ${editing
        ? nothing
        : html`<div role="group" aria-labelledby="h-tags">
            <h2 id="h-tags">Tags</h2>
            ${c.tags.length ? html`<ul class="tags" aria-label="Tags">${c.tags.map((t) => html`<li>${t}</li>`)}</ul>` : html`<p class="muted">No tags</p>`}
          </div>`}
      <div role="group" aria-labelledby="h-contact">
        <h2 id="h-contact">Contact</h2>
        ${contact
          ? html`<dl>
              <dt>Name</dt>
              <dd>${contact.name}</dd>
              ${contact.phone ? html`<dt>Phone</dt><dd>${contact.phone}</dd>` : nothing}
              ${contact.email ? html`<dt>Email</dt><dd>${contact.email}</dd>` : nothing}
              ${contact.language ? html`<dt>Language</dt><dd>${languageName(contact.language)}</dd>` : nothing}
              ${contact.tags.length ? html`<dt>Tags</dt><dd>${contact.tags.join(', ')}</dd>` : nothing}
            </dl>`
          : html`<p class="muted">Loading…</p>`}
      </div>
      <div role="group" aria-labelledby="h-history">
        <h2 id="h-history">Other conversations</h2>
        ${others.length
          ? html`<ul class="others">
              ${others.map(
                (o) => html`<li>
                  <button @click=${() => fire(this, 'inbox-conversation-select', { conversationId: o.id })}>
                    ${channelIcon(o.channel, 14)}
                    <span class="preview">${o.subject ?? o.preview ?? channelName(o.channel)}</span>
                    <span class="status">${o.status === 'resolved' ? 'Resolved' : 'Open'} · ${relativeTime(o.lastMessageAt, now)}</span>
                  </button>
                  <details @toggle=${(e: Event) => void this.loadNotes(o.id, (e.target as HTMLDetailsElement).open)}>
                    <summary>Notes</summary>
                    ${this.renderNotes(o.id)}
                  </details>
                </li>`,
              )}
            </ul>`
          : html`<p class="muted">None</p>`}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'inbox-details': InboxDetails;
  }
}

// Its own define module: <team-inbox> loads it with import() when a conversation first opens.
if (!customElements.get('inbox-details')) customElements.define('inbox-details', InboxDetails);
