import { css } from 'lit';

/**
 * The initials circle, by class: BatonAvatar draws it in its shadow root, and a long list draws it
 * in its own (one element and shadow root fewer per row; see `avatarFace`).
 */
export const avatarFaceStyles = css`
  .avatar-face {
    display: grid;
    flex: none;
    place-items: center;
    width: var(--baton-avatar-size, 24px);
    height: var(--baton-avatar-size, 24px);
    border-radius: 50%;
    background: var(--avatar-hue, #6b7a99);
    color: #fff;
    font-size: calc(var(--baton-avatar-size, 24px) * 0.42);
    font-weight: 600;
    line-height: 1;
    user-select: none;
  }
`;

export const avatarStyles = [
  avatarFaceStyles,
  css`
    :host {
      display: inline-flex;
      flex: none;
      position: relative;
      width: var(--baton-avatar-size, 24px);
      height: var(--baton-avatar-size, 24px);
    }
    [part='status'] {
      position: absolute;
      right: -1px;
      bottom: -1px;
      width: 35%;
      height: 35%;
      min-width: 7px;
      min-height: 7px;
      border-radius: 50%;
      border: 2px solid var(--baton-color-bg, #fff);
      box-sizing: border-box;
    }
    [part='status'][data-availability='online'] {
      background: var(--baton-online, #1f9d55);
    }
    [part='status'][data-availability='away'] {
      background: var(--baton-away, #d69e2e);
    }
    [part='status'][data-availability='offline'] {
      background: var(--baton-offline, #9aa3ae);
    }
  `,
];
