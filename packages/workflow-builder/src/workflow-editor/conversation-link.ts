import { html, type TemplateResult } from 'lit';

/**
 * A conversation as people name it, linked to the host's own page for it when the host set
 * `conversation-href` on `<workflow-builder>` ("/inbox?conversation={id}"): the builder does not
 * know where a host shows conversations. The template is the host's; the id is encoded into it.
 */
export function conversationLink(href: string, id: string | null, name: string): TemplateResult | string {
  if (!href || !id) return name;
  return html`<a href=${href.replaceAll('{id}', encodeURIComponent(id))}>${name}</a>`;
}
