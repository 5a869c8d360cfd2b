import { expect } from '@esm-bundle/chai';
import { BatonApiError, BatonRestClient, InboxStore, type BatonRealtime } from '@baton/client';
import { expectNoAxeViolations } from '@baton/ui/testing/axe';
import { conversation, demoWorld, FakeRealtime, fixtureFetch, fixtureInbox, until, type FixtureInbox } from '../testing/fixtures.js';
import { allByRole, byRole, composedText, part, settled } from '../testing/mount.js';
import { clock } from '../controllers/clock-controller.js';
import { plainError } from '../format/plain-error.js';
import type { TeamInbox } from './team-inbox.js';
import { demoServer } from '../testing/real-server.js';
import '../define.js';

const list = (inbox: TeamInbox) => part(inbox, 'inbox-conversation-list');

async function mount(props: Pick<FixtureInbox, 'store' | 'rest'> & { realtime?: unknown }): Promise<TeamInbox> {
  const el = document.createElement('team-inbox');
  el.setAttribute('view', 'all');
  Object.assign(el, props);
  el.style.height = '640px';
  document.body.append(el);
  await el.updateComplete;
  return el;
}

/** A fetch over the fixture world whose answers for matching paths wait until `release()`. */
function heldFetch(base: typeof fetch, held: RegExp) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const f: typeof fetch = async (input, init) => {
    if (held.test(new URL(String(input)).pathname)) await gate;
    return base(input, init);
  };
  return { fetch: f, release };
}

describe('team-inbox live and honest', () => {
  afterEach(() => document.querySelectorAll('team-inbox').forEach((el) => el.remove()));

  it('relative times tick on one shared clock', async () => {
    const world = demoWorld();
    world.conversations.push(conversation('conv_new', 'ct_lucia', 0, { lastMessageAt: new Date().toISOString(), preview: 'Just now' }));
    const fx = await fixtureInbox({ world, view: 'all' });
    const el = await mount(fx);
    const timeOf = () => allByRole(list(el), 'option').find((o) => /Just now/.test(o.textContent!))?.querySelector('time')?.textContent;
    await until(() => timeOf() === 'now', 3000, 'now');
    clock.tick(Date.now() + 130_000);
    await until(() => timeOf() === '2m', 1000, '2m after 130 s');
    clock.tick();
  });

  it('shows skeleton rows while loading and never a placeholder name', async () => {
    const world = demoWorld();
    const list$ = heldFetch(fixtureFetch(world), /^\/v1\/conversations$/);
    const rest = new BatonRestClient({ baseUrl: 'https://baton.test', token: 't', fetch: list$.fetch, maxAttempts: 1 });
    const store = new InboxStore({ rest, realtime: new FakeRealtime(world.me.id) as unknown as BatonRealtime, view: 'all' });
    const el = await mount({ store, rest });
    await settled(el);
    const listbox = byRole(list(el), 'listbox');
    expect(listbox.getAttribute('aria-busy')).to.equal('true');
    expect(listbox.querySelectorAll('[aria-hidden="true"]').length).to.be.at.least(6);
    expect(allByRole(list(el), 'option')).to.have.length(0);
    await expectNoAxeViolations(el);

    const contacts$ = heldFetch(fixtureFetch(world), /^\/v1\/contacts\//);
    const rest2 = new BatonRestClient({ baseUrl: 'https://baton.test', token: 't', fetch: contacts$.fetch, maxAttempts: 1 });
    const store2 = new InboxStore({ rest: rest2, realtime: new FakeRealtime(world.me.id) as unknown as BatonRealtime, view: 'all' });
    el.remove();
    const el2 = await mount({ store: store2, rest: rest2 });
    await until(() => allByRole(list(el2), 'option').length === 2, 3000, 'rows before contacts');
    const texts = () => allByRole(list(el2), 'option').map((o) => composedText(o));
    expect(texts().join()).to.not.match(/Customer/);
    expect(texts().every((t) => /Loading contact/.test(t))).to.equal(true);
    contacts$.release();
    await until(() => /Lucía Fernández/.test(texts().join()), 2000, 'names');
    expect(texts().join()).to.not.match(/Loading contact/);
    list$.release();
  });

  it('says "Reconnecting…" while the socket is down and clears it when it is back', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mount(fx);
    await until(() => allByRole(list(el), 'option').length === 2, 3000, 'rows');
    const status = () => allByRole(el.shadowRoot!, 'status').map((s) => s.textContent!.trim()).filter(Boolean).join();
    expect(status()).to.equal('');
    fx.realtime.emit('disconnected', { reason: 'transport close', closed: null, reconnecting: true });
    await until(() => status() === 'Reconnecting…', 1000, 'banner');
    await expectNoAxeViolations(el);
    fx.realtime.emit('ready', fx.realtime.readyEvent);
    await until(() => status() === '', 1000, 'banner cleared');
  });

  it('a reconnect refused as rate_limited shows "Reconnecting…", not an alert with a button, since the SDK comes back by itself', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mount(fx);
    await until(() => allByRole(list(el), 'option').length === 2, 3000, 'rows');
    const status = () => allByRole(el.shadowRoot!, 'status').map((s) => s.textContent!.trim()).filter(Boolean).join();
    fx.realtime.emit('disconnected', { reason: 'transport close', closed: null, reconnecting: true });
    fx.realtime.emit('error', new BatonApiError(0, 'rate_limited', 'too many connections: trying again in 4 s', { retryAfterMs: 4000 }));
    await until(() => status() === 'Reconnecting…', 1000, 'banner');
    await settled(el);
    expect(allByRole(el.shadowRoot!, 'alert')).to.have.length(0);
    // Any other refusal is still said, with "Try again".
    fx.realtime.emit('error', new BatonApiError(0, 'unauthorized', 'unauthorized'));
    await until(() => allByRole(el.shadowRoot!, 'alert').length === 1, 1000, 'alert');
    fx.realtime.emit('ready', fx.realtime.readyEvent);
    await until(() => status() === '' && allByRole(el.shadowRoot!, 'alert').length === 0, 1000, 'cleared');
    expect(plainError(new BatonApiError(429, 'rate_limited', 'slow down'))).to.match(/too much from this account/);
  });

  it('says the socket’s own errors in plain words: a lost connection once, a refused sign-in', async () => {
    const fx = await fixtureInbox({ view: 'all' });
    const el = await mount(fx);
    await until(() => allByRole(list(el), 'option').length === 2, 3000, 'rows');
    const alert = () => allByRole(el.shadowRoot!, 'alert')[0]?.textContent ?? '';
    const status = () => allByRole(el.shadowRoot!, 'status').map((s) => s.textContent!.trim()).filter(Boolean).join();
    // As the SDK reports each failed reconnect (BatonRealtime's connectFailure): "Reconnecting…"
    // already says it, so no alert with a button repeats it.
    fx.realtime.emit('disconnected', { reason: 'transport close', closed: null, reconnecting: true });
    fx.realtime.emit('error', new BatonApiError(0, 'network_error', 'websocket error'));
    await until(() => status() === 'Reconnecting…', 1000, 'banner');
    await settled(el);
    expect(allByRole(el.shadowRoot!, 'alert')).to.have.length(0);
    expect(plainError(new BatonApiError(0, 'network_error', 'websocket error'))).to.match(/^Can't reach Baton right now\./);
    fx.realtime.emit('error', new BatonApiError(401, 'unauthorized', 'unauthorized'));
    await until(() => alert().includes("You're signed out of Baton"), 1000, 'a refused sign-in');
    expect(plainError(new Error('the host said no'))).to.equal('the host said no');
  });

  it('on a page its workspace does not list in allowedOrigins it says so, naming the page, and asks for no more tokens; listed, it connects (real server)', async () => {
    const server = await demoServer();
    const post = async (token: string, path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, path).to.be.lessThan(300);
      return res.json() as Promise<any>;
    };
    const inboxFor = async (allowedOrigins?: string[]) => {
      const { apiKey } = await post(server.adminToken, '/v1/workspaces', { name: `Origins ${Date.now()}`, ...(allowedOrigins ? { allowedOrigins } : {}) });
      const { agent } = await post(apiKey, '/v1/agents', { name: 'Ana Silva', username: 'ana' });
      let asked = 0;
      const el = document.createElement('team-inbox');
      el.setAttribute('server', server.url);
      el.setAttribute('view', 'all');
      el.tokenProvider = async () => (asked++, (await post(apiKey, '/v1/tokens', { agentId: agent.id })).token);
      el.style.height = '640px';
      document.body.append(el);
      return { el, apiKey: apiKey as string, asked: () => asked };
    };

    // Created as the README's first example (no allowedOrigins): every browser page is refused.
    const refused = await inboxFor();
    const alert = () => allByRole(refused.el.shadowRoot!, 'alert').map((a) => a.textContent!).join(' ');
    await until(() => alert().includes("Baton doesn't accept connections from this page"), 5000, 'the origin refusal');
    expect(alert()).to.contain(`(${location.origin})`).and.to.contain("allowed origins");
    expect(alert()).not.to.contain('signed out');
    // Nothing is on its way until the page is listed: no skeleton rows, not busy.
    await until(() => list(refused.el).querySelectorAll('.skeleton-row').length === 0, 2000, 'the skeleton rows gone');
    expect(list(refused.el).querySelector('[part="base"]')!.getAttribute('aria-busy')).to.equal('false');
    // (That the SDK then schedules no reconnect, minting no tokens, is the client's realtime test.)
    expect(refused.asked()).to.equal(1);

    // Listed, the socket is let in: a conversation created after the (empty) list loaded arrives live.
    const listed = await inboxFor([location.origin]);
    await until(() => list(listed.el).textContent!.includes('No conversations in All'), 5000, 'the empty list, loaded');
    await post(listed.apiKey, '/v1/conversations', { contact: { name: 'Olga Petrova', phone: '+15550100999' }, channel: 'sms', message: { body: 'Hello?' } });
    await until(() => allByRole(list(listed.el), 'option').some((o) => o.textContent!.includes('Olga Petrova')), 5000, 'the conversation, live');
    expect(allByRole(listed.el.shadowRoot!, 'alert')).to.have.length(0);
    // The list's requests and the socket, starting together, share the host's one token.
    expect(listed.asked()).to.equal(1);
  });

  it('says what went wrong in plain words, with "Try again"', async () => {
    const world = demoWorld();
    let offline = true;
    const base = fixtureFetch(world);
    const rest = new BatonRestClient({
      baseUrl: 'https://baton.test',
      token: 't',
      maxAttempts: 1,
      fetch: (input, init) => (offline && /conv_priya/.test(String(input)) ? Promise.reject(new TypeError('Failed to fetch')) : base(input, init)),
    });
    const store = new InboxStore({ rest, realtime: new FakeRealtime(world.me.id) as unknown as BatonRealtime, view: 'all' });
    await store.start();
    const el = await mount({ store, rest });
    await until(() => allByRole(list(el), 'option').some((o) => /Priya/.test(o.textContent!)), 3000, 'rows');
    allByRole(list(el), 'option').find((o) => /Priya/.test(o.textContent!))!.click();
    await until(() => allByRole(el.shadowRoot!, 'alert').length === 1, 2000, 'alert');
    const alert = byRole(el.shadowRoot!, 'alert');
    expect(alert.textContent).to.match(/Can't reach Baton right now/);
    expect(alert.textContent).to.not.match(/\/v1\/|attempt/);
    await expectNoAxeViolations(el);
    offline = false;
    byRole(alert, 'button', 'Try again').click();
    await until(() => store.getSnapshot().open?.conversation?.id === 'conv_priya' && !store.getSnapshot().open!.loading, 2000, 'opened on retry');
    expect(allByRole(el.shadowRoot!, 'alert')).to.have.length(0);
    expect(plainError(new BatonApiError(409, 'version_conflict', 'If-Match 3 does not match 4'))).to.match(/Someone changed this conversation first/);
  });
});
