import { LitElement, css, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { query, state } from 'lit/decorators.js';
import type { InboxRestClient } from '@baton/client';
import type { SavedReply } from '@baton/protocol';
import { restContext } from '@baton/ui/contexts/rest';
import { baseStyles, controlStyles } from '@baton/ui/tokens';
import { plainError } from '../format/plain-error.js';

/**
 * "Manage saved replies" for admins: a modal dialog listing the workspace's saved replies, with a
 * form to add one or edit one (name, shortcut typed after `/`, text with placeholders such as
 * `{{contact.name}}`, which the server checks and fills in) and a delete per reply. Loaded when
 * first opened. Fires `close` when it closes (Escape or "Close").
 */
export class InboxSavedRepliesDialog extends LitElement {
  static override styles = [
    baseStyles,
    controlStyles,
    css`
      dialog {
        width: min(32rem, 90vw);
        border: 1px solid var(--baton-color-border);
        border-radius: var(--baton-radius);
        background: var(--baton-color-bg);
        color: var(--baton-color-text);
      }
      ul {
        list-style: none;
        padding: 0;
        max-height: 12rem;
        overflow-y: auto;
      }
      li {
        display: flex;
        gap: 6px;
        align-items: center;
        padding: 4px 0;
      }
      li span:first-child {
        flex: 1;
      }
      form {
        display: grid;
        gap: 4px;
      }
      h2 {
        margin: 0 0 var(--baton-space-2);
        font-size: 16px;
      }
      label {
        margin-top: 4px;
        color: var(--baton-color-text-muted);
        font-size: var(--baton-font-size-small);
      }
      textarea {
        min-height: 5rem;
        resize: vertical;
      }
      .error {
        margin: 0;
        color: var(--baton-color-danger);
      }
      .actions {
        display: flex;
        gap: 6px;
        justify-content: flex-end;
        margin-top: 6px;
      }
    `,
  ];

  @consume({ context: restContext, subscribe: true })
  @state()
  private rest?: InboxRestClient;

  @state() private items: SavedReply[] = [];
  @state() private editing: SavedReply | null = null;
  @state() private error = '';
  @state() private busy = false;

  @query('dialog') private dialog!: HTMLDialogElement;
  @query('#name') private nameField!: HTMLInputElement;

  protected override firstUpdated(): void {
    this.dialog.showModal();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.items = (await this.rest!.listSavedReplies()).items;
    } catch (e) {
      this.error = plainError(e);
    }
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name')).trim();
    const shortcut = String(data.get('shortcut')).trim();
    const body = String(data.get('body')).trim();
    if (!this.rest || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      if (this.editing) await this.rest.updateSavedReply(this.editing.id, { name, body, shortcut: shortcut || null });
      else await this.rest.createSavedReply({ name, body, ...(shortcut ? { shortcut } : {}) });
      this.editing = null;
      form.reset();
      await this.load();
      this.nameField.focus();
    } catch (err) {
      this.error = plainError(err);
    } finally {
      this.busy = false;
    }
  }

  private async deleteReply(reply: SavedReply): Promise<void> {
    if (!this.rest) return;
    this.error = '';
    try {
      await this.rest.deleteSavedReply(reply.id);
      if (this.editing?.id === reply.id) this.editing = null;
      await this.load();
      this.nameField.focus();
    } catch (e) {
      this.error = plainError(e);
    }
  }

  private async edit(reply: SavedReply): Promise<void> {
    this.editing = reply;
    await this.updateComplete;
    this.nameField.focus();
  }

  override render() {
    const r = this.editing;
    return html`<dialog aria-labelledby="title" @close=${() => this.dispatchEvent(new Event('close'))}>
      <h2 id="title">Saved replies</h2>
      <ul aria-label="Saved replies">
        ${this.items.map(
          (item) => html`<li>
            <span>${item.name}${item.shortcut ? ` (/${item.shortcut})` : ''}</span>
            <button aria-label=${`Edit ${item.name}`} class="button" @click=${() => this.edit(item)}>Edit</button>
            <button aria-label=${`Delete ${item.name}`} class="button" @click=${() => this.deleteReply(item)}>Delete</button>
          </li>`,
        )}
      </ul>
      <form @submit=${this.save}>
        <label for="name">Name</label>
        <input id="name" class="field" name="name" required maxlength="100" .value=${r?.name ?? ''} />
        <label for="shortcut">Shortcut (typed after /)</label>
        <input id="shortcut" class="field" name="shortcut" maxlength="32" .value=${r?.shortcut ?? ''} />
        <label for="body">Text ({{contact.firstName}}, {{agent.name}}… are filled in)</label>
        <textarea id="body" class="field" name="body" required maxlength="5000" .value=${r?.body ?? ''}></textarea>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <div class="actions">
          ${r ? html`<button type="button" class="button" @click=${() => (this.editing = null)}>Cancel edit</button>` : nothing}
          <button class="button primary" ?disabled=${this.busy}>${r ? 'Save changes' : 'Add saved reply'}</button>
        </div>
      </form>
      <form method="dialog" class="actions"><button class="button">Close</button></form>
    </dialog>`;
  }
}

if (!customElements.get('inbox-saved-replies-dialog')) customElements.define('inbox-saved-replies-dialog', InboxSavedRepliesDialog);

declare global {
  interface HTMLElementTagNameMap {
    'inbox-saved-replies-dialog': InboxSavedRepliesDialog;
  }
}
