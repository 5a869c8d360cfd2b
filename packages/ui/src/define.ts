import { BatonAvatar } from './avatar/avatar.js';
import { BatonBadge } from './badge/badge.js';

declare global {
  interface HTMLElementTagNameMap {
    'baton-avatar': BatonAvatar;
    'baton-badge': BatonBadge;
  }
}

/** Registers the shared primitives. Safe to import more than once (and from more than one bundle). */
function define(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}

define('baton-avatar', BatonAvatar);
define('baton-badge', BatonBadge);
