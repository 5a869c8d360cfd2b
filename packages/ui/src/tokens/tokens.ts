import { css } from 'lit';

/** The dark palette, applied by the system preference or `theme="dark"`. */
const darkValues = css`
    color-scheme: dark;
    --baton-color-bg: #14171c;
    --baton-color-surface: #1b1f26;
    --baton-color-surface-raised: #222731;
    --baton-color-hover: #2a303b;
    --baton-color-selected: #26365e;
    --baton-color-border: #363d4a;
    --baton-color-text: #e7eaee;
    --baton-color-text-muted: #a3acb9;
    --baton-accent: #7c9cff;
    --baton-accent-text: #0d1120;
    --baton-color-danger: #ff8b7e;
    --baton-color-warning-bg: #3d3216;
    --baton-color-warning-text: #ffd98a;
    --baton-note-bg: #3a3418;
    --baton-note-border: #8a7526;
    --baton-note-label: #f3d77a;
    --baton-outbound-bg: #1f2c4d;
    --baton-inbound-bg: #262b34;
    --baton-unread: #7c9cff;
    --baton-mark-bg: #6b5a10;
`;

/**
 * Baton's design tokens as `--baton-*` custom properties, for the root element of each public tag
 * (`<team-inbox>`, `<workflow-builder>`). Parts read them with `var(--baton-…)` (the shared parts
 * here with a fallback too; `<team-inbox>`'s own parts, which only ever live inside it, without one,
 * which keeps ~100 B out of its first paint), so a host page overrides any of them on the tag itself
 * (`team-inbox { --baton-accent: teal }`): outer rules win over `:host` rules. Dark values apply with `theme="dark"`, or by the system preference
 * unless `theme="light"` pins the light ones.
 */
export const tokenStyles = css`
  :host {
    --baton-font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --baton-font-size: 14px;
    --baton-font-size-small: 12px;
    --baton-line-height: 1.45;
    --baton-radius: 8px;
    --baton-radius-small: 4px;
    --baton-space-1: 4px;
    --baton-space-2: 8px;
    --baton-space-3: 12px;
    --baton-space-4: 16px;

    --baton-color-bg: #ffffff;
    --baton-color-surface: #f6f7f9;
    --baton-color-surface-raised: #ffffff;
    --baton-color-hover: #eef1f5;
    --baton-color-selected: #e3ecff;
    --baton-color-border: #d9dde3;
    --baton-color-text: #1b1f24;
    --baton-color-text-muted: #5b6470;
    --baton-accent: #2f5bea;
    --baton-accent-text: #ffffff;
    --baton-focus-ring: 0 0 0 2px var(--baton-color-bg), 0 0 0 4px var(--baton-accent);
    --baton-color-danger: #b42318;
    --baton-color-warning-bg: #fff4d6;
    --baton-color-warning-text: #6b4a00;
    --baton-note-bg: #fff6d1;
    --baton-note-border: #e8c65a;
    --baton-note-label: #7a5a00;
    --baton-outbound-bg: #e8efff;
    --baton-inbound-bg: #f1f2f4;
    --baton-unread: #2f5bea;
    --baton-online: #1f9d55;
    --baton-away: #d69e2e;
    --baton-offline: #9aa3ae;
    --baton-mark-bg: #ffe58a;

    color-scheme: light;
    font-family: var(--baton-font-family);
    font-size: var(--baton-font-size);
    line-height: var(--baton-line-height);
    color: var(--baton-color-text);
  }

  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${darkValues}
    }
  }

  :host([theme='dark']) {
    ${darkValues}
  }
`;

/** Shared by every part: a visible focus ring and text only screen readers get. */
export const baseStyles = css`
  /* The ring is a shadow; the transparent outline is for forced colours (Windows High Contrast),
     which drop shadows and paint a transparent outline in the system's text colour. */
  :focus-visible {
    outline: 2px solid transparent;
    box-shadow: var(--baton-focus-ring, 0 0 0 2px #2f5bea);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  button {
    font: inherit;
    color: inherit;
  }
  /* A stand-in bar while text loads: never a made-up name. */
  .skeleton {
    display: inline-block;
    width: 8em;
    max-width: 100%;
    height: 0.8em;
    border-radius: 4px;
    background: var(--baton-color-border, #d9dde3);
    opacity: 0.7;
  }
`;

/**
 * Text fields, selects and plain buttons in the tokens' colours, for the parts that opt in with
 * `class="field"` or `class="button"` (`button primary` for a form's main action). A control left
 * to the browser keeps its grey system look, which is out of place in the light theme and glaring
 * in the dark one.
 */
export const controlStyles = css`
  .field {
    box-sizing: border-box;
    min-width: 0;
    padding: 6px 8px;
    border: 1px solid var(--baton-color-border, #d9dde3);
    border-radius: var(--baton-radius-small, 4px);
    background: var(--baton-color-bg, #fff);
    color: inherit;
    font: inherit;
  }
  .button {
    padding: 6px 12px;
    border: 1px solid var(--baton-color-border, #d9dde3);
    border-radius: var(--baton-radius, 8px);
    background: var(--baton-color-bg, #fff);
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  .button:hover:not([disabled]) {
    background: var(--baton-color-hover, #eef1f5);
  }
  .button.primary {
    border-color: var(--baton-accent, #2f5bea);
    background: var(--baton-accent, #2f5bea);
    color: var(--baton-accent-text, #fff);
  }
  .button[disabled] {
    opacity: 0.6;
    cursor: default;
  }
`;
