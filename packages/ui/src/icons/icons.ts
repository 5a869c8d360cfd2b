import { svg, html, type TemplateResult } from 'lit';

/**
 * Inline SVG icons (24×24 strokes), decorative: the text beside them carries the meaning. Channels
 * hosts invent fall back to a generic speech bubble.
 */
const paths: Record<string, TemplateResult<2>> = {
  sms: svg`<path d="M4 5h16v11H9l-5 4z"/><path d="M8 10h8M8 13h5"/>`,
  email: svg`<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>`,
  // The website's globe: a speech bubble with dots, at 14 px, could not be told from SMS's bubble with lines.
  webchat: svg`<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18a14 14 0 0 1 0-18"/>`,
  whatsapp: svg`<path d="M4 20l1.3-4A8 8 0 1 1 8 18.7z"/><path d="M9 9c0 3 3 6 6 6l1-1.5-2-1-1 1c-1 0-2.5-1.5-2.5-2.5l1-1-1-2z"/>`,
  facebook: svg`<path d="M14 8h3V4h-3a4 4 0 0 0-4 4v3H7v4h3v6h4v-6h3l1-4h-4V8z"/>`,
  instagram: svg`<rect x="3" y="3" width="18" height="18" rx="5"/><circle cx="12" cy="12" r="4"/><circle cx="17.5" cy="6.5" r="0.6"/>`,
  phone: svg`<path d="M5 3h4l2 5-3 2a11 11 0 0 0 6 6l2-3 5 2v4a2 2 0 0 1-2 2A17 17 0 0 1 3 5a2 2 0 0 1 2-2z"/>`,
  other: svg`<path d="M4 5h16v11H9l-5 4z"/>`,
  bell: svg`<path d="M6 16V11a6 6 0 1 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>`,
  search: svg`<circle cx="11" cy="11" r="6"/><path d="m20 20-4.5-4.5"/>`,
  note: svg`<path d="M5 3h10l4 4v14H5z"/><path d="M15 3v4h4M8 12h8M8 16h6"/>`,
  check: svg`<path d="m5 12 5 5 9-10"/>`,
};

const channelNames: Record<string, string> = {
  sms: 'SMS',
  email: 'Email',
  webchat: 'Web chat',
  whatsapp: 'WhatsApp',
  facebook: 'Facebook',
  instagram: 'Instagram',
  phone: 'Phone',
};

export type IconName = 'bell' | 'search' | 'note' | 'check';

function draw(shape: TemplateResult<2>, size: number) {
  return html`<svg
    width=${size}
    height=${size}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    stroke-width="1.8"
    stroke-linecap="round"
    stroke-linejoin="round"
    aria-hidden="true"
    focusable="false"
  >${shape}</svg>`;
}

export function icon(name: IconName, size = 16) {
  return draw(paths[name]!, size);
}

export function channelIcon(channel: string, size = 16) {
  return draw(paths[channel] ?? paths.other!, size);
}

/** The channel as people say it: "SMS", "WhatsApp"; unknown channels are shown as they are named. */
export function channelName(channel: string): string {
  return channelNames[channel] ?? channel.charAt(0).toUpperCase() + channel.slice(1);
}
