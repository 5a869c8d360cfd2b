import { css } from 'lit';

export const timelineStyles = css`
  :host {
    position: relative;
    display: flex;
    flex-direction: column;
    min-height: 0;
  }
  /* Over the foot of the log, centred, above what it points down to. */
  .jump {
    position: absolute;
    z-index: 1;
    inset-block-end: 12px;
    inset-inline-start: 50%;
    transform: translateX(-50%);
    padding: 4px 14px;
    border: 0;
    border-radius: 999px;
    background: var(--baton-accent);
    color: var(--baton-accent-text);
    font: inherit;
    font-weight: 600;
    box-shadow: var(--baton-shadow-popover);
    cursor: pointer;
  }
  [part='base'] {
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    padding: var(--baton-space-4);
  }
  ol {
    display: flex;
    flex-direction: column;
    gap: var(--baton-space-3);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .bubble {
    max-width: min(80%, 640px);
    padding: 8px 12px;
    border-radius: var(--baton-radius);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    /* Each line takes the direction of its own first letter: Arabic or Hebrew reads right to left. */
    unicode-bidi: plaintext;
  }
  .inbound {
    align-self: flex-start;
    background: var(--baton-inbound-bg);
  }
  .outbound {
    align-self: flex-end;
    background: var(--baton-outbound-bg);
  }
  [part~='note'] {
    align-self: stretch;
    max-width: none;
    background: var(--baton-note-bg);
    border: 1px solid var(--baton-note-border);
  }
  /* The item a search hit or a mention opened at: ringed for a moment, so the eye finds it. */
  .sought {
    animation: sought 2.4s ease-out;
  }
  /* The focus ring's own shadow (a token that is a whole box-shadow), held, then gone. */
  @keyframes sought {
    0%,
    60% {
      box-shadow: var(--baton-focus-ring);
    }
    100% {
      box-shadow: none;
    }
  }
  [part='quoted'] {
    margin-top: 4px;
    color: var(--baton-color-text-muted);
  }
  [part='quoted'] summary {
    width: fit-content;
    font-size: var(--baton-font-size-small);
    cursor: pointer;
    white-space: normal;
  }
  .byline {
    display: flex;
    align-items: center;
    gap: 6px;
    margin-bottom: 2px;
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
    white-space: normal;
  }
  .author {
    font-weight: 600;
    color: var(--baton-color-text);
  }
  .internal {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    font-weight: 600;
    color: var(--baton-note-label);
  }
  .mention {
    font-weight: 600;
    color: var(--baton-accent);
  }
  [part~='event'] {
    align-self: center;
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
    text-align: center;
  }
  a {
    color: var(--baton-accent);
  }
  .empty {
    margin: auto;
    color: var(--baton-color-text-muted);
  }
  .day {
    align-self: center;
    padding: 2px 10px;
    border-radius: 999px;
    background: var(--baton-color-surface);
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
`;
