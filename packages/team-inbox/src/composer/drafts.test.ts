import { expect } from '@esm-bundle/chai';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { fixtureInbox, until, type FixtureInbox } from '../testing/fixtures.js';
import { accessibleName, allByRole, byRole, mountTeamInbox, part, settled, type } from '../testing/mount.js';
import type { TeamInbox } from '../team-inbox/team-inbox.js';
import { draftKey } from './drafts.js';
import '../define.js';

const row = (inbox: TeamInbox, name: RegExp) => allByRole(part(inbox, 'inbox-conversation-list'), 'option').find((o) => name.test(o.textContent!));

async function mountAll(fx: FixtureInbox): Promise<TeamInbox> {
  const el = await mountTeamInbox(fx);
  await until(() => !!row(el, /Lucía/) && !!row(el, /Priya/), 3000, 'rows with names');
  return el;
}

describe('drafts in the list', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    document.querySelectorAll('team-inbox').forEach((el) => el.remove());
    localStorage.clear();
  });

  it('a row says "Draft" while this agent has unsent text there, from a reload on, and live as it is typed and sent', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    // Left from an earlier visit (a note, which counts too); another agent's draft does not.
    localStorage.setItem(draftKey(fx.world.me.id, 'conv_priya', 'note'), 'check the import logs');
    localStorage.setItem(draftKey('agt_ben', 'conv_lucia', 'reply'), 'Ben’s own words');
    const el = await mountAll(fx);
    expect(accessibleName(row(el, /Priya/)!)).to.match(/Draft/);
    expect(accessibleName(row(el, /Lucía/)!)).to.not.match(/Draft/);
    await expectNoAxeViolations(el);

    row(el, /Lucía/)!.click();
    await until(() => el.shadowRoot!.querySelector('inbox-composer') !== null && fx.store.getSnapshot().open?.conversation?.id === 'conv_lucia', 2000, 'Lucía open');
    const composer = part(el, 'inbox-composer');
    await until(() => !(byRole(composer, 'textbox', /^Reply/) as HTMLTextAreaElement).disabled, 2000, 'the composer ready');
    type(byRole(composer, 'textbox', /^Reply/) as HTMLTextAreaElement, 'Sí, el sábado a las 10');
    await until(() => /Draft/.test(accessibleName(row(el, /Lucía/)!)), 2000, 'Draft as it is typed');

    byRole(composer, 'button', 'Send').click();
    await until(() => fx.world.requests.includes('POST /v1/conversations/conv_lucia/messages'), 2000, 'sent');
    await until(() => !/Draft/.test(accessibleName(row(el, /Lucía/)!)), 2000, 'no Draft once sent');
    await settled(el);
    expect(accessibleName(row(el, /Priya/)!)).to.match(/Draft/);

    // Another tab sent Priya's note: storage changed there, and this list hears of it.
    localStorage.removeItem(draftKey(fx.world.me.id, 'conv_priya', 'note'));
    window.dispatchEvent(new StorageEvent('storage', { key: draftKey(fx.world.me.id, 'conv_priya', 'note'), oldValue: 'check the import logs', newValue: null }));
    await until(() => !/Draft/.test(accessibleName(row(el, /Priya/)!)), 2000, 'no Draft after the other tab sent it');
  });
});
