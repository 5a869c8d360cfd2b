import { css } from 'lit';

export const conversationHeaderStyles = css`
  :host {
    display: block;
  }
  [part='base'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--baton-space-2) var(--baton-space-3);
    padding: var(--baton-space-3) var(--baton-space-4);
    border-bottom: 1px solid var(--baton-color-border);
  }
  /* The buttons wrap under the name before the name shrinks below 12em. */
  .who {
    flex: 1 1 12em;
    min-width: 0;
  }
  h2 {
    margin: 0;
    font-size: 16px;
    unicode-bidi: plaintext;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  /* Each piece ("Email", the subject, "Waiting for Bilingual · 4 min") wraps whole, never mid-phrase;
     a subject longer than the line ends in an ellipsis (its full text is the title). */
  .meta {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 2px 6px;
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .meta > span {
    white-space: nowrap;
  }
  .meta > .subject,
  .assignee {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  /* Who has it, on a line of its own: shown only by <team-inbox>'s one-column layout. */
  .assignee {
    display: none;
    flex-basis: 100%;
  }
  .status-resolved {
    color: var(--baton-online);
  }
  [part='presence'] {
    flex-basis: 100%;
    order: 3;
    padding: 4px 8px;
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-warning-bg);
    color: var(--baton-color-warning-text);
    font-size: var(--baton-font-size-small);
  }
  [part='presence']:empty {
    display: none;
  }
  [part='action'] {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 6px 12px;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-bg);
    cursor: pointer;
  }
  [part='action'].resolve {
    border-color: var(--baton-accent);
    background: var(--baton-accent);
    color: var(--baton-accent-text);
  }
  [part='action'][aria-disabled='true'] {
    opacity: 0.6;
    cursor: progress;
  }
  .error {
    flex-basis: 100%;
    order: 4;
    color: var(--baton-color-danger);
  }
  .waiting {
    color: var(--baton-color-warning-text);
  }
  /* The snooze choices open under the buttons, across the header's width. */
  .snooze-panel {
    flex-basis: 100%;
    order: 2;
    max-width: 28em;
    padding: var(--baton-space-2);
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-surface-raised);
  }
  .skeleton {
    height: 9em;
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-hover);
  }
`;
