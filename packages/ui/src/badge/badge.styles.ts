import { css } from 'lit';

export const badgeStyles = css`
  :host {
    display: inline-flex;
  }
  :host([hidden]) {
    display: none;
  }
  [part='base'] {
    display: inline-block;
    min-width: 1.5em;
    padding: 0 0.45em;
    box-sizing: border-box;
    border-radius: 999px;
    background: var(--baton-badge-bg, var(--baton-color-hover, #eef1f5));
    color: var(--baton-badge-text, var(--baton-color-text-muted, #5b6470));
    font-size: var(--baton-font-size-small, 12px);
    font-variant-numeric: tabular-nums;
    line-height: 1.6;
    text-align: center;
  }
  :host([variant='attention']) [part='base'] {
    background: var(--baton-accent, #2f5bea);
    color: var(--baton-accent-text, #fff);
    font-weight: 600;
  }
`;
