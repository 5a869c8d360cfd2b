import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { sendMouse } from '@web/test-runner-commands';
import { demoWorld, fixtureInbox, until } from '../testing/fixtures.js';
import { byRole, settled, type } from '../testing/mount.js';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import '../define.js';

/** A whole inbox `width` × `height` px with Priya's conversation open and its reply box drawn. */
async function inboxAt(width: number, height: number) {
  const fx = await fixtureInbox({ world: demoWorld(), view: 'all' });
  const el = document.createElement('team-inbox') as TeamInbox;
  el.setAttribute('view', 'all');
  el.setAttribute('conversation-id', 'conv_priya');
  Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
  el.style.width = `${width}px`;
  el.style.height = `${height}px`;
  document.body.append(el);
  await el.updateComplete;
  await until(() => !!el.shadowRoot!.querySelector('inbox-composer')?.shadowRoot?.querySelector('textarea:not([disabled])'), 3000, 'the reply box');
  const composer = el.shadowRoot!.querySelector('inbox-composer')!;
  await settled(composer);
  const root = composer.shadowRoot!;
  const box = byRole(root, 'textbox', /^Reply/) as HTMLTextAreaElement;
  const height_ = () => Math.round(composer.getBoundingClientRect().height);
  return { el, composer, root, box, height: height_ };
}

/** Waits for layout after focus or typing (the box's growth is a style change, not a render). */
const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

describe('inbox-composer on a phone-width inbox', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  it('390 × 800: one line while idle, full size while focused, stays full with a draft after blur', async () => {
    const { composer, root, box, height } = await inboxAt(390, 800);
    const idle = height();
    expect(idle, `idle height ${idle}`).to.be.at.most(80);
    // Still reachable while compact: both tabs and Send, by their visible words.
    expect(byRole(root, 'tab', /^Reply/).getBoundingClientRect().height > 0).to.equal(true);
    expect(byRole(root, 'tab', 'Note').getBoundingClientRect().height > 0).to.equal(true);
    expect(byRole(root, 'button', 'Send').getBoundingClientRect().height > 0).to.equal(true);
    // One line: the box has room to tap and nothing spills past the inbox's edge.
    expect(box.getBoundingClientRect().width >= 120).to.equal(true);
    expect(byRole(root, 'button', 'Send').getBoundingClientRect().right <= 390).to.equal(true);
    // Folded away visually only: still there for a screen reader.
    expect(byRole(root, 'button', 'Send and resolve')).to.exist;
    expect(root.textContent).to.contain('Ctrl+Enter to send');
    await expectNoAxeViolations(composer);

    box.focus();
    await frame();
    const focused = height();
    expect(focused, `focused height ${focused}`).to.be.at.least(120);

    type(box, 'Checking the import logs now');
    await settled(composer);
    box.blur();
    await frame();
    const drafted = height();
    expect(drafted, `height with a draft after blur ${drafted}`).to.be.at.least(120);
    // The typed text is all in view: the box is as tall as its text needs.
    expect(box.scrollHeight <= box.clientHeight + 1).to.equal(true);
  });

  it('390 × 800: a real click on the Note tab of the one-line box selects Note (the box grows under the pointer)', async () => {
    const { composer, root } = await inboxAt(390, 800);
    const r = byRole(root, 'tab', 'Note').getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)] });
    await settled(composer);
    expect(byRole(root, 'tab', 'Note').getAttribute('aria-selected')).to.equal('true');
    expect(composer.getBoundingClientRect().height >= 120).to.equal(true);
    expect(root.activeElement === byRole(root, 'textbox', 'Note')).to.equal(true);
  });

  it('1,280 px: the reply box keeps its desktop height', async () => {
    const { height, box } = await inboxAt(1280, 800);
    const idle = height();
    box.focus();
    await frame();
    expect(idle).to.equal(DESKTOP_HEIGHT);
    expect(height()).to.equal(DESKTOP_HEIGHT);
  });
});

/** Measured on the code before the compact phone layout (the same 1,280 × 800 inbox). */
const DESKTOP_HEIGHT = 210;
