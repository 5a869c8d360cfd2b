import { css } from 'lit';

export const teamInboxStyles = css`
  /* Layout follows the element's own width (container queries), not the window's. */
  :host {
    display: block;
    height: 100%;
    min-height: 480px;
    container: team-inbox / inline-size;
  }
  :host([hidden]) {
    display: none;
  }
  [part='base'] {
    display: grid;
    grid-template-columns: minmax(260px, 340px) minmax(0, 1fr) minmax(240px, 300px);
    grid-template-rows: auto minmax(0, 1fr);
    height: 100%;
    box-sizing: border-box;
    position: relative;
    background: var(--baton-color-bg);
    color: var(--baton-color-text);
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius);
    overflow: hidden;
  }
  .banners {
    grid-column: 1 / -1;
  }
  [part='connection'] {
    margin: 0;
    padding: 6px 16px;
    background: var(--baton-color-surface);
    border-bottom: 1px solid var(--baton-color-border);
  }
  [part='connection']:empty {
    padding: 0;
    border: 0;
  }
  [part='error'] {
    margin: 0;
    padding: 8px 16px;
    background: var(--baton-color-warning-bg);
    color: var(--baton-color-warning-text);
  }
  /*
   * Short (a host that makes it low, or 200% zoom): the list and the timeline keep a few rows each
   * (min-height), and their columns scroll as a whole instead of squeezing them to nothing.
   */
  [part='sidebar'] {
    grid-row: 2;
    display: flex;
    flex-direction: column;
    min-height: 0;
    background: var(--baton-color-surface);
    border-right: 1px solid var(--baton-color-border);
  }
  /* Only what is under the toolbar scrolls: a scroller clips what overflows it, and the bell's
     panel and search's results hang from the toolbar over the list and the next column. */
  .sidebar-scroll {
    flex: 1;
    display: flex;
    flex-direction: column;
    min-height: 0;
    overflow-y: auto;
  }
  .toolbar {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 8px 8px 0;
  }
  inbox-search {
    flex: 1;
    /* Shrinks so the bell and the Available switch keep their room in a narrow sidebar. */
    min-width: 0;
  }
  [part='list'] {
    flex: 1;
    min-height: 168px; /* three rows */
    border-top: 1px solid var(--baton-color-border);
  }
  [part='conversation'] {
    grid-row: 2;
    display: flex;
    flex-direction: column;
    min-width: 0;
    min-height: 0;
    overflow-y: auto;
  }
  [part='timeline'] {
    flex: 1;
    min-height: 10em;
  }
  /* Nothing open: the empty state takes the details' column too (there are no details to show). */
  :not(.has-open) > [part='conversation'] {
    grid-column: 2 / -1;
  }
  :not(.has-open) > [part='details'] {
    display: none;
  }
  .nothing-open {
    flex: 1;
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: 4px;
    padding: var(--baton-space-4);
    text-align: center;
    color: var(--baton-color-text-muted);
  }
  .nothing-open h2 {
    margin: 0 0 4px;
    font-size: 16px;
    color: var(--baton-color-text);
  }
  .nothing-open p {
    margin: 0;
  }
  .nothing-open .hint {
    margin-top: 12px;
    font-size: var(--baton-font-size-small);
  }
  kbd {
    display: inline-block;
    min-width: 1.4em;
    padding: 0 4px;
    border: 1px solid var(--baton-color-border);
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-bg);
    font: inherit;
    font-weight: 600;
  }
  [part='details'] {
    grid-row: 2;
    min-height: 0;
    overflow-y: auto;
    border-left: 1px solid var(--baton-color-border);
    background: var(--baton-color-surface);
  }
  [part='base']:focus {
    outline: none;
  }
  .shortcuts-button {
    margin: 0;
    padding: 6px 12px;
    border: 0;
    border-top: 1px solid var(--baton-color-border);
    background: none;
    color: var(--baton-color-text-muted);
    font-size: var(--baton-font-size-small);
    text-align: start;
    cursor: pointer;
  }
  /* Stands where the reply box or details pane will be while its module loads (same padding as the pane's base). */
  .placeholder {
    margin: 0;
    padding: var(--baton-space-4);
  }
  .pane-bar {
    display: none;
    gap: 8px;
    justify-content: space-between;
    padding: 6px 8px;
    border-bottom: 1px solid var(--baton-color-border);
  }
  /* The narrow layouts' own buttons (\`class="button"\`), a size smaller. */
  .pane-bar .button,
  .close-details {
    padding: 4px 10px;
    border-radius: var(--baton-radius-small);
  }
  .pane-bar .details-toggle {
    margin-inline-start: auto;
  }
  .back,
  .close-details {
    display: none;
  }
  /* Middle widths: list + conversation; the details are a drawer over the conversation. */
  @container team-inbox (max-width: 999px) {
    [part='base'] {
      grid-template-columns: minmax(240px, 300px) minmax(0, 1fr);
    }
    .pane-bar {
      display: flex;
    }
    [part='details'] {
      position: absolute;
      inset-block: 0;
      inset-inline-end: 0;
      z-index: 2;
      width: min(320px, 100%);
      box-shadow: var(--baton-shadow-popover, 0 4px 16px rgb(0 0 0 / 0.16));
    }
    [part='details']:not(.drawer-open) {
      display: none;
    }
    .close-details {
      display: block;
      margin: 8px 16px 0 auto;
    }
    /* The details are a drawer from here down: the header says who has the conversation. */
    [part='header']::part(assignee) {
      display: block;
    }
  }
  /* Narrow: one column; the list, or the open conversation with "Back to conversations". */
  @container team-inbox (max-width: 699px) {
    [part='base'] {
      grid-template-columns: minmax(0, 1fr);
    }
    [part='sidebar'],
    [part='conversation'] {
      grid-column: 1;
      border-right: 0;
    }
    .has-open [part='sidebar'],
    :not(.has-open) > [part='conversation'] {
      display: none;
    }
    .back {
      display: inline-block;
    }
    /*
     * With a conversation open the column's foot is the composer's "Send": the toast sits over the
     * "Back to conversations" bar instead, for its few seconds.
     */
    .has-open > [part='undo'] {
      inset-block: 4px auto;
      inset-inline: 8px;
    }
    /*
     * The bell's panel (320 px from the bell) would run off the inbox's right edge: here it hangs
     * from the toolbar instead, as wide as the column.
     */
    .toolbar {
      position: relative;
    }
    [part='notifications'] {
      position: static;
    }
    [part='notifications']::part(panel) {
      inset-inline: 8px;
      width: auto;
    }
  }
`;
