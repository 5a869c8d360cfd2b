import { css } from 'lit';

export const notificationBellStyles = css`
  :host {
    display: inline-block;
    position: relative;
  }
  [part='base'] {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 6px;
    border: 1px solid transparent;
    border-radius: var(--baton-radius, 8px);
    background: transparent;
    cursor: pointer;
  }
  [part='base']:hover {
    background: var(--baton-color-hover, #eef1f5);
  }
  [part='panel'] {
    position: absolute;
    z-index: 20;
    top: calc(100% + 4px);
    left: 0;
    width: 320px;
    max-height: 420px;
    overflow-y: auto;
    border: 1px solid var(--baton-color-border, #d9dde3);
    border-radius: var(--baton-radius, 8px);
    background: var(--baton-color-surface-raised, #fff);
    box-shadow: 0 8px 24px rgb(0 0 0 / 0.18);
  }
  header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    padding: 8px 12px;
    border-bottom: 1px solid var(--baton-color-border, #d9dde3);
  }
  h2 {
    margin: 0;
    font-size: 14px;
  }
  .link {
    border: 0;
    background: none;
    color: var(--baton-accent, #2f5bea);
    cursor: pointer;
    padding: 2px 4px;
  }
  ul {
    margin: 0;
    padding: 4px;
    list-style: none;
  }
  .item {
    display: grid;
    grid-template-columns: 10px 1fr auto;
    gap: 8px;
    align-items: center;
    width: 100%;
    padding: 8px;
    border: 0;
    border-radius: var(--baton-radius-small, 4px);
    background: transparent;
    text-align: start;
    cursor: pointer;
  }
  .item:hover {
    background: var(--baton-color-hover, #eef1f5);
  }
  .text {
    min-width: 0;
  }
  .item.unread .text {
    font-weight: 600;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--baton-unread, #2f5bea);
  }
  time {
    color: var(--baton-color-text-muted, #5b6470);
    font-size: var(--baton-font-size-small, 12px);
  }
  .empty {
    padding: 12px;
    color: var(--baton-color-text-muted, #5b6470);
  }
  footer {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 4px 8px;
    padding: 8px 12px;
    border-top: 1px solid var(--baton-color-border, #d9dde3);
    font-size: var(--baton-font-size-small, 12px);
  }
  footer .error {
    flex-basis: 100%;
    margin: 0;
    color: var(--baton-color-danger, #b42318);
  }
  footer .error:empty {
    display: none;
  }
  .snippet {
    display: block;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--baton-color-text-muted, #5b6470);
  }
`;
