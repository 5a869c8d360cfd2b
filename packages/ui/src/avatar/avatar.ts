import { LitElement, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { avatarFaceStyles, avatarStyles } from './avatar.styles.js';

export { avatarFaceStyles };

export type AvailabilityValue = 'online' | 'away' | 'offline';

/** Up to two initials: "Ana Silva" → "AS", "maria" → "M". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters.map((w) => [...w][0]!.toUpperCase()).join('');
}

/** A stable colour per name, so the same teammate always looks the same; dark enough for white initials at every hue. */
function hueOf(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}

/**
 * The initials circle alone, styled by `avatarFaceStyles`: what BatonAvatar renders, for a list that
 * draws one per row in its own shadow root. Decorative unless `label` is set: the name is usually
 * printed next to it, and saying it twice is noise for screen readers. `part` names it for a host's
 * `::part()` styling (BatonAvatar's "base"); a list leaves it out.
 */
export function avatarFace(name: string, label = '', part = '') {
  const named = label !== '';
  return html`<span
    class="avatar-face"
    part=${part || nothing}
    role=${named ? 'img' : nothing}
    aria-label=${named ? label : nothing}
    aria-hidden=${named ? nothing : 'true'}
    style=${styleMap({ '--avatar-hue': `hsl(${hueOf(name)} 45% 30%)` })}
    >${initials(name)}</span
  >`;
}

/** Initials in a circle with an optional availability dot (see `avatarFace`). */
export class BatonAvatar extends LitElement {
  static override styles = avatarStyles;

  @property() name = '';
  @property() availability: AvailabilityValue | '' = '';
  /** Set when the avatar stands alone (a list column): it becomes an image named by this text. */
  @property() label = '';

  override render() {
    return html`${avatarFace(this.name, this.label, 'base')}${this.availability
      ? html`<span part="status" data-availability=${this.availability} aria-hidden="true"></span>`
      : nothing}`;
  }
}
