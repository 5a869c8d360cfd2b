import { expect } from '@esm-bundle/chai';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import { fixtureInbox, until } from '../testing/fixtures.js';
import { allByRole, byRole, press, settled } from '../testing/mount.js';
import type { TeamInbox } from './team-inbox.js';
import '../define.js';

// Forced colours (Windows High Contrast) replace author colours with the system's, drop
// backgrounds and shadows, and turn transparent borders into text colour. What marks a state must
// survive that: each check compares the marked thing with its unmarked neighbour as drawn then.

const style = (el: Element, pseudo?: string) => getComputedStyle(el, pseudo);

/** A system colour as the page draws it now. */
function system(name: 'Canvas' | 'CanvasText' | 'Highlight'): string {
  const probe = document.body.appendChild(document.createElement('span'));
  probe.style.color = name;
  const colour = style(probe).color;
  probe.remove();
  return colour;
}

describe('<team-inbox> in forced colours', () => {
  let el: TeamInbox;

  beforeEach(async () => {
    await emulateMedia({ forcedColors: 'active' });
  });
  afterEach(async () => {
    el?.remove();
    await emulateMedia({ forcedColors: 'none' });
  });

  it('keeps the open row, the focused row, a tick, unread, the chosen composer tab and the Available switch visible', async () => {
    expect(matchMedia('(forced-colors: active)').matches).to.equal(true);
    const fx = await fixtureInbox({ view: 'all' });
    el = document.createElement('team-inbox') as TeamInbox;
    el.setAttribute('view', 'all');
    el.setAttribute('conversation-id', 'conv_priya');
    Object.assign(el, { store: fx.store, rest: fx.rest, realtime: fx.realtime });
    el.style.height = '800px';
    document.body.append(el);
    const root = el.shadowRoot!;
    const part = (tag: string) => root.querySelector(tag)!.shadowRoot!;
    await until(() => root.querySelector('inbox-composer')?.shadowRoot?.querySelector('[role="tab"]') != null, 3000, 'the composer');
    const list = part('inbox-conversation-list');
    await until(() => allByRole(list, 'option').length === 2, 3000, 'the rows');
    const open = list.querySelector<HTMLElement>('#row-conv_priya')!;
    const other = list.querySelector<HTMLElement>('#row-conv_lucia')!;

    // The open row: a bar at its start in the highlight colour; the other row's bar is the page's.
    expect(open.getAttribute('aria-selected')).to.equal('true');
    expect(style(open).borderInlineStartWidth).to.equal('4px');
    expect(style(open).borderInlineStartColor).to.equal(system('Highlight'));
    expect(style(other).borderInlineStartColor).to.equal(system('Canvas'));

    // Unread (Lucía): a dot in text colour, not the background it would vanish into.
    const dot = other.querySelector('.dot')!;
    expect(style(dot).backgroundColor).to.equal(system('CanvasText'));

    // A tick: the check box filled in text colour; an unticked one is not.
    other.focus();
    press(other, 'x');
    await settled(el);
    expect(style(other.querySelector('.check')!).backgroundColor).to.equal(system('CanvasText'));
    expect(style(open.querySelector('.check')!).backgroundColor).not.to.equal(system('CanvasText'));

    // The focused row, reached by keyboard: an outline (its usual ring is a shadow, which is dropped).
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowUp' });
    await settled(el);
    const focused = list.activeElement as HTMLElement;
    expect(focused.getAttribute('role')).to.equal('option');
    expect(style(focused).outlineStyle).to.equal('solid');
    expect(style(focused).outlineWidth).to.equal('2px');

    // Any other control reached by keyboard: its ring is a shadow too, and an outline stands in.
    await sendKeys({ press: 'Tab' });
    const next = (() => {
      let a = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      return a as HTMLElement;
    })();
    expect(next).not.to.equal(focused);
    expect(style(next).outlineStyle, next.outerHTML.slice(0, 80)).to.equal('solid');
    expect(style(next).outlineColor).not.to.be.oneOf(['rgba(0, 0, 0, 0)', system('Canvas')]);

    // The composer's chosen tab keeps an underline of its own colour; the other's is the page's.
    const composer = part('inbox-composer');
    const reply = byRole(composer, 'tab', /^Reply/);
    const note = byRole(composer, 'tab', 'Note');
    expect(reply.getAttribute('aria-selected')).to.equal('true');
    expect(style(reply).borderBottomColor).to.equal(system('Highlight'));
    expect(style(note).borderBottomColor).to.equal(system('Canvas'));

    // The switch: an outlined track, and a thumb that differs from the track, on and off.
    const switchRoot = part('inbox-availability-switch');
    const sw = byRole(switchRoot, 'switch');
    const track = switchRoot.querySelector('.track')!;
    expect(style(track).outlineStyle).to.equal('solid');
    expect(style(track, '::after').backgroundColor).not.to.equal(style(track).backgroundColor);
    const onColour = style(track).backgroundColor;
    sw.click();
    await until(() => sw.getAttribute('aria-checked') === 'false', 2000, 'away');
    expect(style(track).backgroundColor).not.to.equal(onColour);
    expect(style(track, '::after').backgroundColor).not.to.equal(style(track).backgroundColor);
  });
});
