import { html } from 'lit';
import type { ContactDirectory } from './contact-directory.js';

/** A contact's name, or a skeleton bar (named "Loading contact" for screen readers) until it loads. */
export function contactName(contacts: ContactDirectory | undefined, id: string) {
  return contacts?.name(id) ?? html`<span class="skeleton" aria-hidden="true"></span><span class="visually-hidden">Loading contact</span>`;
}
