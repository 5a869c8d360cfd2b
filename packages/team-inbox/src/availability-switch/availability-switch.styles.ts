import { css } from 'lit';

export const availabilitySwitchStyles = css`
  :host {
    display: inline-block;
    position: relative;
  }
  [part='base'] {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 4px 6px;
    border: 0;
    border-radius: var(--baton-radius-small);
    background: none;
    font-size: var(--baton-font-size-small);
    white-space: nowrap;
    cursor: pointer;
  }
  [part='base']:hover {
    background: var(--baton-color-hover);
  }
  [part='base'][disabled],
  [part='base'][aria-disabled='true'] {
    cursor: progress;
    opacity: 0.7;
  }
  .track {
    position: relative;
    width: 28px;
    height: 16px;
    border-radius: 999px;
    background: var(--baton-away);
  }
  .track::after {
    content: '';
    position: absolute;
    top: 2px;
    left: 2px;
    width: 12px;
    height: 12px;
    border-radius: 50%;
    background: var(--baton-color-bg);
  }
  [aria-checked='true'] .track {
    background: var(--baton-online);
  }
  [aria-checked='true'] .track::after {
    transform: translateX(12px);
  }
  .error {
    position: absolute;
    z-index: 2;
    top: 100%;
    right: 0;
    width: max-content;
    max-width: 16em;
    margin: 4px 0 0;
    padding: 4px 8px;
    border-radius: var(--baton-radius-small);
    background: var(--baton-color-surface-raised);
    color: var(--baton-color-danger);
  }
  /* Forced colours drop the track's and thumb's backgrounds: an outlined track, a text-coloured thumb,
     and the system's highlight when on. */
  @media (forced-colors: active) {
    .track {
      outline: 1px solid CanvasText;
      background: Canvas;
    }
    .track::after {
      background: CanvasText;
    }
    [aria-checked='true'] .track {
      background: Highlight;
    }
    [aria-checked='true'] .track::after {
      background: Canvas;
    }
  }
`;
