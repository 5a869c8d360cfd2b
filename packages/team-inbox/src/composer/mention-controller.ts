import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { Agent } from '@baton/protocol';
import { pickerKeydown } from './picker-keys.js';

/** An `@` that starts a word, then what has been typed of the name, right before the caret. */
const MENTION_AT_CARET = /(^|[\s(])@([\p{L}\p{N}._-]*)$/u;
const MAX_CANDIDATES = 8;

type Teammate = Pick<Agent, 'id' | 'name' | 'username' | 'availability'>;

/**
 * The `@` teammate picker's state for a textarea: opens when the caret follows `@name`, filters
 * teammates by username or name, moves with arrows, inserts `@username ` with Enter or Tab,
 * closes with Escape. Loaded when the composer's Note tab first shows, so a reply-only agent's inbox
 * does not carry it.
 */
export class MentionController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly teammates: () => readonly Teammate[];
  /** Where the `@` is in the text, or -1 when the picker is closed. */
  private at = -1;
  private typed = '';
  /** Escape closes the picker until the caret leaves this mention. */
  private dismissedAt = -1;
  candidates: Teammate[] = [];
  active = 0;

  constructor(host: ReactiveControllerHost, teammates: () => readonly Teammate[]) {
    this.host = host;
    this.teammates = teammates;
    host.addController(this);
  }

  hostConnected(): void {}

  get open(): boolean {
    return this.at >= 0 && this.candidates.length > 0;
  }

  get activeId(): string | undefined {
    const c = this.candidates[this.active];
    return c && `mention-${c.id}`;
  }

  /** Re-reads the text around the caret after input or caret movement. */
  sync(field: HTMLTextAreaElement): void {
    const caret = field.selectionStart ?? field.value.length;
    const match = MENTION_AT_CARET.exec(field.value.slice(0, caret));
    const at = match ? caret - match[2]!.length - 1 : -1;
    if (at !== this.dismissedAt) this.dismissedAt = -1;
    if (!match || at === this.dismissedAt) return this.close();
    const typed = match[2]!.toLowerCase();
    if (at !== this.at || typed !== this.typed) this.active = 0;
    this.at = at;
    this.typed = typed;
    this.candidates = this.teammates()
      .filter((t) => t.username.toLowerCase().startsWith(typed) || t.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(typed)))
      .slice(0, MAX_CANDIDATES);
    this.host.requestUpdate();
  }

  close(): void {
    if (this.at < 0 && this.candidates.length === 0) return;
    this.at = -1;
    this.typed = '';
    this.candidates = [];
    this.host.requestUpdate();
  }

  /** Handles picker keys while it is open; returns whether the key was used. */
  handleKeydown(event: KeyboardEvent, field: HTMLTextAreaElement): boolean {
    if (!this.open) return false;
    return pickerKeydown(event, this, this.host, {
      choose: () => this.choose(this.candidates[this.active]!, field),
      dismiss: () => {
        this.dismissedAt = this.at;
        this.close();
      },
    });
  }

  /** Replaces `@typed` with `@username ` and puts the caret after it. */
  choose(teammate: Teammate, field: HTMLTextAreaElement): void {
    const caret = field.selectionStart ?? field.value.length;
    field.setRangeText(`@${teammate.username} `, this.at, caret, 'end');
    field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertReplacementText' }));
    this.close();
    field.focus();
  }

  /** The listbox, rendered by the composer under its textarea (so `aria-activedescendant` reaches it). */
  render(field: () => HTMLTextAreaElement) {
    return html`<ul id="mentions" part="mentions" role="listbox" aria-label="Teammates">
      ${this.candidates.map(
        (t, i) => html`<li
          role="option"
          id=${`mention-${t.id}`}
          aria-selected=${i === this.active ? 'true' : 'false'}
          @mousedown=${(e: Event) => e.preventDefault()}
          @click=${() => this.choose(t, field())}
        >
          <baton-avatar name=${t.name} availability=${t.availability}></baton-avatar>
          <span>${t.name}</span> <span class="username">@${t.username}</span>
        </li>`,
      )}
    </ul>`;
  }
}
