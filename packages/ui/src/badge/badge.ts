import { LitElement, html } from 'lit';
import { property } from 'lit/decorators.js';
import { badgeStyles } from './badge.styles.js';

/** A count pill ("12", "99+"). Its text is the count, so it reads naturally after a label. */
export class BatonBadge extends LitElement {
  static override styles = badgeStyles;

  @property({ type: Number }) count = 0;
  /** Above this the badge says "max+". */
  @property({ type: Number }) max = 99;
  /** `attention` for counts that ask for action (unread notifications). */
  @property({ reflect: true }) variant: 'neutral' | 'attention' = 'neutral';

  override render() {
    const text = this.count > this.max ? `${this.max}+` : String(this.count);
    return html`<span part="base">${text}</span>`;
  }
}
