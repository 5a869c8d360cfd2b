import { expect } from '@esm-bundle/chai';
import { fixtureInbox, until } from '../testing/fixtures.js';
import { allByRole, byRole, press, settled } from '../testing/mount.js';
import type { TeamInbox } from './team-inbox.js';
import '../define.js';

/** Every shadow root under `root`, `root` included. */
function shadowRoots(root: ShadowRoot): ShadowRoot[] {
  const found = [root];
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) found.push(...shadowRoots(el.shadowRoot));
  return found;
}

/**
 * The visible buttons, selects and text fields that still wear the browser's own look: Chromium's
 * grey `ButtonFace` background, or its outset / inset borders and grey field border. Check boxes
 * are left to the browser on purpose (`accent-color` themes them).
 */
function browserLookControls(host: Element): string[] {
  const found: string[] = [];
  for (const root of shadowRoots(host.shadowRoot!)) {
    for (const el of root.querySelectorAll<HTMLElement>('button, select, textarea, input')) {
      if (el instanceof HTMLInputElement && ['checkbox', 'radio', 'hidden'].includes(el.type)) continue;
      if (el.getClientRects().length === 0) continue;
      const style = getComputedStyle(el);
      const greyFace = style.backgroundColor === 'rgb(239, 239, 239)';
      const systemBorder = ['outset', 'inset'].includes(style.borderTopStyle) || style.borderTopColor === 'rgb(118, 118, 118)';
      if (greyFace || systemBorder) {
        const name = el.localName === 'button' ? (el.textContent ?? '').trim() : (el.getAttribute('aria-label') ?? el.id);
        found.push(`${(root.host as Element).localName} ${el.localName} "${name}"`);
      }
    }
  }
  return found;
}

describe('<team-inbox> controls wear the theme', () => {
  it('filters, bulk bar, composer, dialogs and the narrower layouts\' buttons have no control in the browser grey', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = document.createElement('team-inbox') as TeamInbox;
    el.setAttribute('view', 'all');
    el.setAttribute('theme', 'light');
    el.setAttribute('conversation-id', 'conv_priya');
    Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
    el.style.height = '800px';
    document.body.append(el);
    try {
      const root = el.shadowRoot!;
      const part = (tag: string) => root.querySelector(tag)!.shadowRoot!;
      await until(() => root.querySelector('inbox-composer')?.shadowRoot?.textContent?.includes('Manage saved replies') ?? false, 3000, 'the composer');
      const list = part('inbox-conversation-list');
      await until(() => allByRole(list, 'option').length > 0, 3000, 'the rows');

      byRole(list, 'button', 'Filters').click();
      await until(() => allByRole(list, 'group', 'Filters').length === 1, 3000, 'the filters');
      const row = allByRole(list, 'option')[0]!;
      row.focus();
      press(row, 'x');
      await until(() => allByRole(list, 'toolbar', 'Bulk actions').length === 1, 3000, 'the bulk bar');
      const composer = part('inbox-composer');
      byRole(composer, 'button', 'Manage saved replies').click();
      await until(() => composer.querySelector('inbox-saved-replies-dialog')?.shadowRoot?.querySelector('dialog[open]') != null, 3000, 'the dialog');
      await settled(el);
      // The shortcuts dialog too (a modal over the other, as far as layout goes).
      byRole(root, 'button', 'Keyboard shortcuts').click();
      await until(() => root.querySelector('dialog.shortcuts[open] button') != null, 3000, 'the shortcuts');

      // The check finds what it looks for: a bare button is reported.
      const bare = document.createElement('button');
      bare.textContent = 'Bare';
      list.append(bare);
      expect(browserLookControls(el)).to.deep.equal(['inbox-conversation-list button "Bare"']);
      bare.remove();

      expect(browserLookControls(el)).to.deep.equal([]);

      // The middle width's own buttons: "Back to conversations", "Details", and "Close details" in the drawer.
      for (const dialog of root.querySelectorAll('dialog[open]')) (dialog as HTMLDialogElement).close();
      composer.querySelector('inbox-saved-replies-dialog')?.shadowRoot?.querySelector<HTMLDialogElement>('dialog[open]')?.close();
      el.style.width = '800px';
      await settled(el);
      byRole(root, 'button', 'Details').click();
      await until(() => (root.querySelector('.close-details')?.getClientRects().length ?? 0) > 0, 3000, 'the details drawer');
      expect(browserLookControls(el)).to.deep.equal([]);
    } finally {
      el.remove();
    }
  });
});
