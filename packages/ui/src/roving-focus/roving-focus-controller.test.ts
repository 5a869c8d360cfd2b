import { expect } from '@esm-bundle/chai';
import { LitElement, html } from 'lit';
import { RovingFocusController } from './roving-focus-controller.js';

class RovingFixtureList extends LitElement {
  items = ['one', 'two', 'three'];
  activated: number[] = [];
  roving = new RovingFocusController(this, {
    count: () => this.items.length,
    item: (i) => this.renderRoot.querySelector<HTMLElement>(`[data-index="${i}"]`),
    letterKeys: true,
    onActivate: (i) => this.activated.push(i),
  });
  override render() {
    return html`<ul role="listbox" aria-label="Fixture" @keydown=${(e: KeyboardEvent) => this.roving.handleKeydown(e)}>
      ${this.items.map(
        (t, i) => html`<li role="option" aria-selected="false" data-index=${i} tabindex=${this.roving.tabIndexFor(i)}>${t}</li>`,
      )}
    </ul>`;
  }
}
customElements.define('roving-fixture-list', RovingFixtureList);

const press = (target: Element, key: string) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }));

describe('RovingFocusController', () => {
  it('keeps one item tabbable and moves it with arrows, j/k, Home and End', async () => {
    const el = document.createElement('roving-fixture-list') as RovingFixtureList;
    document.body.append(el);
    await el.updateComplete;
    const options = () => [...el.shadowRoot!.querySelectorAll('li')];
    expect(options().map((o) => o.tabIndex)).to.deep.equal([0, -1, -1]);

    options()[0]!.focus();
    press(options()[0]!, 'ArrowDown');
    await el.roving.focus(el.roving.active);
    expect(el.shadowRoot!.activeElement?.textContent).to.equal('two');
    press(options()[1]!, 'j');
    await el.updateComplete;
    await el.updateComplete;
    expect(el.roving.active).to.equal(2);
    press(options()[2]!, 'j'); // stays on the last
    await el.updateComplete;
    expect(el.roving.active).to.equal(2);
    press(options()[2]!, 'Home');
    await el.updateComplete;
    expect(options().map((o) => o.tabIndex)).to.deep.equal([0, -1, -1]);
    press(options()[0]!, 'End');
    press(options()[2]!, 'Enter');
    expect(el.activated).to.deep.equal([2]);
    el.remove();
  });
});
