import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '../testing/axe.js';
import '../define.js';

async function mount(html: string) {
  const host = document.createElement('div');
  host.innerHTML = html;
  document.body.append(host);
  const el = host.firstElementChild as HTMLElementTagNameMap['baton-avatar'];
  await el.updateComplete;
  return { el, cleanup: () => host.remove() };
}

describe('baton-avatar', () => {
  it('shows initials and the availability dot', async () => {
    const { el, cleanup } = await mount('<baton-avatar name="Ana Silva" availability="online"></baton-avatar>');
    const base = el.shadowRoot!.querySelector('[part="base"]')!;
    expect(base.textContent).to.equal('AS');
    expect(el.shadowRoot!.querySelector('[part="status"]')!.getAttribute('data-availability')).to.equal('online');
    expect(base.getAttribute('aria-hidden')).to.equal('true');
    await expectNoAxeViolations(el);
    cleanup();
  });

  it('is an image named by its label when it stands alone', async () => {
    const { el, cleanup } = await mount('<baton-avatar name="Ben Okafor" label="Assigned to Ben Okafor"></baton-avatar>');
    const base = el.shadowRoot!.querySelector('[part="base"]')!;
    expect(base.getAttribute('role')).to.equal('img');
    expect(base.getAttribute('aria-label')).to.equal('Assigned to Ben Okafor');
    await expectNoAxeViolations(el);
    cleanup();
  });
});

describe('baton-badge', () => {
  it('caps large counts', async () => {
    const { el, cleanup } = await mount('<baton-badge count="1200"></baton-badge>');
    expect(el.shadowRoot!.textContent!.trim()).to.equal('99+');
    cleanup();
  });
});
