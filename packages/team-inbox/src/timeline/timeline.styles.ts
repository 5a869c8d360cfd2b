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
    background: var(--baton-accent, #2f5bea);
    color: var(--baton-accent-text, #fff);
    font: inherit;
    font-weight: 600;
    box-shadow: var(--baton-shadow-popover);
    cursor: pointer;
  }
  [part='base'] {
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    padding: var(--baton-space-4, 16px);
  }
  ol {
    display: flex;
    flex-direction: column;
    gap: var(--baton-space-3, 12px);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .bubble {
    max-width: min(80%, 640px);
    padding: 8px 12px;
    border-radius: var(--baton-radius, 8px);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .inbound {
    align-self: flex-start;
    background: var(--baton-inbound-bg, #f1f2f4);
  }
  .outbound {
    align-self: flex-end;
    background: var(--baton-outbound-bg, #e8efff);
  }
  [part~='note'] {
    align-self: stretch;
    max-width: none;
    background: var(--baton-note-bg, #fff6d1);
    border: 1px solid var(--baton-note-border, #e8c65a);
  }
  [part='quoted'] {
    margin-top: 4px;
    color: var(--baton-color-text-muted, #5b6470);
  }
  [part='quoted'] summary {
    width: fit-content;
    font-size: var(--baton-font-size-small, 12px);
    cursor: pointer;
    white-space: normal;
  }
  .byline {
    display: flex;
    align-items: center;
    gap: 6px;
    margin-bottom: 2px;
    font-size: var(--baton-font-size-small, 12px);
    color: var(--baton-color-text-muted, #5b6470);
    white-space: normal;
  }
  .author {
    font-weight: 600;
    color: var(--baton-color-text, #1b1f24);
  }
  .internal {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    font-weight: 600;
    color: var(--baton-note-label, #7a5a00);
  }
  .mention {
    font-weight: 600;
    color: var(--baton-accent, #2f5bea);
  }
  [part~='event'] {
    align-self: center;
    font-size: var(--baton-font-size-small, 12px);
    color: var(--baton-color-text-muted, #5b6470);
    text-align: center;
  }
  a {
    color: var(--baton-accent, #2f5bea);
  }
  .empty {
    margin: auto;
    color: var(--baton-color-text-muted, #5b6470);
  }
  .day {
    align-self: center;
    padding: 2px 10px;
    border-radius: 999px;
    background: var(--baton-color-surface, #f6f7f9);
    color: var(--baton-color-text-muted, #5b6470);
    font-size: var(--baton-font-size-small, 12px);
  }
`;
