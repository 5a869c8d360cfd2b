import { css } from 'lit';
import { buttonVariantStyles, controlStyles } from '../controls.styles.js';

/**
 * The flow is laid out by CSS alone: cards in a column joined by connectors, condition groups as
 * boxes with a bracket on the left (labelled AND / OR / NOT), and the assign ladder as an ordered
 * column of steps with a rung between them that says when the next step takes over.
 */
export const workflowEditorStyles = css`
  :host {
    display: block;
    container: wb-editor / inline-size;
  }
  /*
   * Wide enough for both, the tools (a sample, history, runs, JSON) stand beside the tree instead of
   * under it, and stay in view while it scrolls: the sample's results light up rows the admin can
   * see while changing the sample. Everything else keeps the full width; "dense" puts the tools in
   * the tree's row, before the replay table that follows it.
   */
  @container wb-editor (min-width: 80rem) {
    .editor {
      display: grid;
      grid-template-columns: minmax(0, 60rem) minmax(20rem, 1fr);
      grid-auto-flow: row dense;
      column-gap: var(--baton-space-4);
      align-items: start;
    }
    .editor > * {
      grid-column: 1 / -1;
    }
    .editor > .flow {
      grid-column: 1;
    }
    .editor > wb-editor-tools {
      grid-column: 2;
      position: sticky;
      top: var(--baton-space-2);
      max-height: calc(100vh - 2 * var(--baton-space-2));
      overflow-y: auto;
      margin-top: var(--baton-space-3);
      /* A scroller clips what its children paint outside it: room for their focus rings (4 px). */
      padding: 4px;
    }
  }
  .editor-header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--baton-space-2) var(--baton-space-3);
    padding-bottom: var(--baton-space-3);
    border-bottom: 1px solid var(--baton-color-border);
  }
  .toolbar {
    display: flex;
    gap: var(--baton-space-1);
    margin-inline-start: auto;
  }
  .save-state,
  .version,
  .keys,
  .hint,
  .eligible {
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
  }
  .save-state[data-state='invalid'],
  .save-state[data-state='conflict'],
  .save-state[data-state='offline'] {
    color: var(--baton-color-danger);
  }
  ${controlStyles}
  ${buttonVariantStyles}
  .link {
    border: 0;
    background: none;
    color: var(--baton-accent);
    text-decoration: underline;
    padding: 0;
    text-align: start;
  }
  [aria-invalid='true'] {
    border-color: var(--baton-color-danger);
  }
  .flow {
    display: flex;
    flex-direction: column;
    align-items: stretch;
    max-width: 60rem;
    margin-top: var(--baton-space-3);
  }
  .connector {
    width: 2px;
    height: var(--baton-space-4);
    margin-inline-start: 2rem;
    background: var(--baton-color-border);
  }
  .row {
    /* Rows off screen skip layout and paint until scrolled to (a 75-row rule lays out one screen);
       they stay in the accessibility tree and focusable. */
    content-visibility: auto;
    contain-intrinsic-size: auto 44px;
    display: flex;
    /* In a narrow host the row's buttons wrap under its fields instead of covering them. */
    flex-wrap: wrap;
    align-items: flex-start;
    gap: var(--baton-space-2);
    border-radius: var(--baton-radius);
    padding: var(--baton-space-1);
  }
  .row:focus-visible {
    outline: 2px solid transparent; /* drawn in forced colours, where the shadow is dropped */
    box-shadow: var(--baton-focus-ring);
  }
  .row > [role='gridcell']:first-child {
    flex: 1 1 16em;
    min-width: 0;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--baton-space-2);
  }
  /* Deep in groups at phone widths a row is narrower than a control's natural width: it shrinks. */
  .row > [role='gridcell'] :is(select, input:not([type='checkbox'])) {
    max-width: 100%;
    min-width: 0;
  }
  .collapsed-mark {
    flex-basis: 100%;
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
  }
  .row-buttons {
    display: flex;
    gap: 2px;
    flex-wrap: wrap;
    margin-inline-start: auto;
  }
  .row-buttons button {
    padding: 1px 6px;
    font-size: var(--baton-font-size-small);
  }
  .card {
    padding: var(--baton-space-2) var(--baton-space-3);
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    background: var(--baton-color-surface-raised);
  }
  /* A note is a paragraph: it takes the card's width, under its label, not a box of a few words. */
  .note-body {
    display: block;
    width: 100%;
    box-sizing: border-box;
    margin-top: var(--baton-space-1);
    resize: vertical;
  }
  .badge {
    font-size: var(--baton-font-size-small);
    font-weight: 700;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--baton-accent);
  }
  .group {
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    padding: var(--baton-space-2);
    background: var(--baton-color-surface);
  }
  .group .group {
    margin-top: var(--baton-space-1);
    background: var(--baton-color-bg);
  }
  .sentence {
    flex-basis: 100%;
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
    font-style: italic;
  }
  .bracket {
    position: relative;
    margin-inline-start: var(--baton-space-3);
    padding-inline-start: var(--baton-space-4);
    border-inline-start: 3px solid var(--baton-accent);
    border-radius: 0 0 0 var(--baton-radius);
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .bracket[data-kind='or'] {
    border-inline-start-style: double;
    border-inline-start-width: 4px;
  }
  .bracket[data-kind='not'] {
    border-inline-start-color: var(--baton-color-danger);
  }
  .bracket::before {
    content: attr(data-kind);
    position: absolute;
    inset-inline-start: -1.6em;
    top: 50%;
    transform: rotate(-90deg);
    font-size: 10px;
    font-weight: 700;
    text-transform: uppercase;
    color: var(--baton-color-text-muted);
    background: inherit;
  }
  .chips {
    display: inline-flex;
    flex-wrap: wrap;
    gap: 4px;
    align-items: center;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 2px;
    padding: 0 0 0 6px;
    border-radius: 999px;
    background: var(--baton-color-selected);
  }
  .chip-remove {
    border: 0;
    background: none;
    padding: 0 6px;
    border-radius: 999px;
  }
  .actions-list {
    display: flex;
    flex-direction: column;
    gap: var(--baton-space-1);
    margin-inline-start: var(--baton-space-3);
  }
  .ladder {
    list-style: none;
    margin: 0 0 0 var(--baton-space-4);
    padding: 0;
    display: flex;
    flex-direction: column;
  }
  .rung {
    margin-inline-start: var(--baton-space-4);
    font-size: var(--baton-font-size-small);
    color: var(--baton-color-text-muted);
  }
  .queue-card {
    border-style: dashed;
  }
  .problems {
    flex-basis: 100%;
    display: flex;
    flex-direction: column;
    font-size: var(--baton-font-size-small);
  }
  .error {
    color: var(--baton-color-danger);
  }
  .warning {
    color: var(--baton-color-warning-text);
    background: var(--baton-color-warning-bg);
    padding: 0 4px;
    border-radius: var(--baton-radius-small);
  }
  .conflict,
  .offer,
  .problem-list {
    margin-top: var(--baton-space-3);
    padding: var(--baton-space-3);
    border-radius: var(--baton-radius);
    background: var(--baton-color-warning-bg);
    color: var(--baton-color-warning-text);
  }
  .conflict button,
  .offer button {
    margin-inline-end: var(--baton-space-1);
  }
  .problem-list h3,
  .dry-run h3,
  .diff h3 {
    margin: 0 0 var(--baton-space-1);
    font-size: 1em;
  }
  .dry-form {
    display: flex;
    gap: var(--baton-space-2);
    align-items: center;
  }
  .dry-form input {
    width: 5em;
  }
  .dry-run table {
    border-collapse: collapse;
    width: 100%;
    font-size: var(--baton-font-size-small);
  }
  .dry-run th,
  .dry-run td {
    text-align: start;
    padding: 4px 6px;
    border-bottom: 1px solid var(--baton-color-border);
    vertical-align: top;
  }
  .dry-run a {
    color: var(--baton-accent);
  }
  .dry-run tr.changed {
    background: var(--baton-color-warning-bg);
  }
  .changed-mark {
    display: block;
    color: var(--baton-color-warning-text);
    font-weight: 600;
  }
  .lit {
    font-size: var(--baton-font-size-small);
    padding: 0 6px;
    border-radius: var(--baton-radius-small);
  }
  .lit-true {
    background: color-mix(in srgb, var(--baton-online) 20%, transparent);
  }
  .lit-false {
    background: var(--baton-color-warning-bg);
    color: var(--baton-color-warning-text);
  }
`;
