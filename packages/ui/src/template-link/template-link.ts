import { html, type TemplateResult } from 'lit';

/**
 * `label` linked to the host's own page for a thing, when the host gave a URL template for it
 * (`/inbox?conversation={id}`): the elements cannot know where a host shows conversations or
 * workflows. The template is the host's; the id is encoded into it. Without a template (or an id),
 * just the label.
 */
export function templateLink(template: string, id: string | null, label: string): TemplateResult | string {
  if (!template || !id) return label;
  return html`<a href=${template.replaceAll('{id}', encodeURIComponent(id))}>${label}</a>`;
}
