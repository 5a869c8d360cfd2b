import { expect } from '@esm-bundle/chai';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { TagUsage } from '@baton/protocol';
import { TagSuggestionsController } from './tag-suggestions-controller.js';

/**
 * A fake `listTags` over a list of tags, answering as the server does (prefix case-insensitive,
 * most used first, `limit` at most). Each request is logged as its query string; `hold` keeps a
 * prefix's answers back until released, to answer out of order.
 */
function fakeTags(all: TagUsage[]) {
  const used = (t: TagUsage) => t.conversations + t.contacts;
  const tags = [...all].sort((a, b) => used(b) - used(a));
  const requests: string[] = [];
  const held = new Map<string, (() => void)[]>();
  const holding = new Set<string>();
  let unavailable = false;
  const rest = {
    listTags(query: { prefix?: string; limit?: number } = {}) {
      requests.push(new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString());
      if (unavailable) return Promise.reject(new Error('503'));
      const p = query.prefix?.toLowerCase() ?? '';
      const answer = { tags: tags.filter((t) => t.name.toLowerCase().startsWith(p)).slice(0, query.limit ?? 50) };
      if (!holding.has(p)) return Promise.resolve(answer);
      return new Promise<{ tags: TagUsage[] }>((resolve) => held.set(p, [...(held.get(p) ?? []), () => resolve(answer)]));
    },
  };
  return {
    rest,
    requests,
    hold: (prefix: string) => holding.add(prefix),
    release(prefix: string) {
      holding.delete(prefix);
      for (const answer of held.get(prefix) ?? []) answer();
      held.delete(prefix);
    },
    set unavailable(v: boolean) {
      unavailable = v;
    },
  };
}

/** A host that only counts its redraws: the controller's surface is `typed`, `list` and `requestUpdate`. */
function host() {
  const controllers: ReactiveController[] = [];
  const h = {
    updates: 0,
    addController: (c: ReactiveController) => void controllers.push(c),
    removeController: () => undefined,
    requestUpdate: () => void h.updates++,
    updateComplete: Promise.resolve(true),
    connect: () => controllers.forEach((c) => c.hostConnected?.()),
    disconnect: () => controllers.forEach((c) => c.hostDisconnected?.()),
  };
  return h satisfies ReactiveControllerHost & Record<string, unknown>;
}

const tag = (name: string, conversations = 1, contacts = 0): TagUsage => ({ name, conversations, contacts });
/** 250 tags used more than "zeal", "zebra", "zebu" and "zest", so those are not on the first page. */
const manyTags = () => [
  ...Array.from({ length: 250 }, (_, i) => tag(`t${String(i).padStart(3, '0')}`, 1000 - i)),
  tag('zeal'),
  tag('zebra', 0, 2),
  tag('zebu'),
  tag('zest'),
];
const names = (list: { name: string }[]) => list.map((t) => t.name);
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
/** Longer than the controller's pause in typing (250 ms). */
const pause = () => tick(300);

function setup(tags: TagUsage[], fallback: string[] = []) {
  const server = fakeTags(tags);
  const h = host();
  const controller = new TagSuggestionsController(h, { rest: () => server.rest, fallback: () => fallback });
  h.connect();
  return { server, h, controller };
}

describe('TagSuggestionsController', () => {
  it('reads the first page once on connect and suggests it most used first with the usage, leaving out the tags set', async () => {
    const { server, controller } = setup([tag('vip', 2, 1), tag('refund', 1), tag('spanish', 0, 1)]);
    await tick();
    expect(server.requests).to.deep.equal(['limit=200']);
    expect(controller.list(['refund'])).to.deep.equal([
      { name: 'vip', label: '2 conversations, 1 contact' },
      { name: 'spanish', label: '1 contact' },
    ]);
  });

  it('answers a prefix from a first page that was not full, without asking again', async () => {
    const { server, controller } = setup([tag('vip', 2), tag('spanish'), tag('sport')]);
    await tick();
    controller.typed('Sp');
    await pause();
    expect(server.requests).to.have.length(1);
    expect(names(controller.list([]))).to.deep.equal(['spanish', 'sport']);
  });

  it('past a full first page asks for what is typed once typing pauses, one request for a word typed at speed', async () => {
    const { server, controller } = setup(manyTags());
    await tick();
    expect(controller.list([])).to.have.length(200);
    controller.typed('z');
    controller.typed('ze');
    // Until the answer, the first page stands in (the field's own list narrows it).
    expect(controller.list([])).to.have.length(200);
    await pause();
    expect(server.requests).to.deep.equal(['limit=200', 'prefix=ze&limit=50']);
    expect(names(controller.list(['zest']))).to.deep.equal(['zebra', 'zeal', 'zebu']);
  });

  it('answers a longer prefix from a shorter one whose answer was not full', async () => {
    const { server, controller } = setup(manyTags());
    await tick();
    controller.typed('ze');
    await pause();
    controller.typed('zeb');
    await pause();
    expect(server.requests).to.have.length(2);
    expect(names(controller.list([]))).to.deep.equal(['zebra', 'zebu']);
  });

  it('going back to a shorter prefix shows the first page at once, then its own answer; an older, slower answer does not replace it', async () => {
    const { server, controller } = setup(manyTags());
    await tick();
    server.hold('zeb');
    controller.typed('zeb');
    await pause();
    expect(server.requests).to.deep.equal(['limit=200', 'prefix=zeb&limit=50']);
    server.hold('ze');
    controller.typed('ze'); // Backspace
    expect(controller.list([]), 'the first page, at once').to.have.length(200);
    await pause();
    expect(server.requests).to.deep.equal(['limit=200', 'prefix=zeb&limit=50', 'prefix=ze&limit=50']);
    server.release('ze');
    await tick();
    expect(names(controller.list([]))).to.deep.equal(['zebra', 'zeal', 'zebu', 'zest']);
    // "zeb" was asked first and answers last: "ze" is what is typed, so its answer stays.
    server.release('zeb');
    await tick();
    expect(names(controller.list([]))).to.deep.equal(['zebra', 'zeal', 'zebu', 'zest']);
  });

  it('asks for a prefix once while its answer is on the way', async () => {
    const { server, controller } = setup(manyTags());
    await tick();
    server.hold('ze');
    controller.typed('ze');
    await pause();
    controller.typed('zeb');
    controller.typed('ze');
    await pause();
    expect(server.requests.filter((r) => r.startsWith('prefix=ze&'))).to.have.length(1);
    server.release('ze');
    await tick();
    expect(names(controller.list([]))).to.deep.equal(['zebra', 'zeal', 'zebu', 'zest']);
  });

  it('keeps the first page when a prefix cannot be had, and asks again after the next pause', async () => {
    const { server, controller } = setup(manyTags());
    await tick();
    server.unavailable = true;
    controller.typed('ze');
    await pause();
    expect(controller.list([])).to.have.length(200);
    server.unavailable = false;
    controller.typed('ze');
    await pause();
    expect(server.requests).to.deep.equal(['limit=200', 'prefix=ze&limit=50', 'prefix=ze&limit=50']);
    expect(names(controller.list([]))).to.deep.equal(['zebra', 'zeal', 'zebu', 'zest']);
  });

  it('when the first page cannot be had, suggests the fallback by name and asks no more', async () => {
    const server = fakeTags(manyTags());
    server.unavailable = true;
    const h = host();
    const controller = new TagSuggestionsController(h, { rest: () => server.rest, fallback: () => ['vip', 'es', 'billing'] });
    h.connect();
    await tick();
    expect(controller.list(['vip'])).to.deep.equal([
      { name: 'billing', label: '' },
      { name: 'es', label: '' },
    ]);
    controller.typed('ze');
    await pause();
    expect(server.requests).to.deep.equal(['limit=200']);
  });

  it('waits for a REST client: `load` asks once it is there, and only once', async () => {
    const server = fakeTags([tag('vip')]);
    let rest: typeof server.rest | undefined = undefined;
    const h = host();
    const controller = new TagSuggestionsController(h, { rest: () => rest, fallback: () => [] });
    h.connect();
    await tick();
    expect(server.requests).to.deep.equal([]);
    rest = server.rest;
    controller.load();
    controller.load();
    await tick();
    expect(server.requests).to.deep.equal(['limit=200']);
    expect(names(controller.list([]))).to.deep.equal(['vip']);
  });

  it('redraws the host as typing changes the list and when an answer for what is typed arrives', async () => {
    const { h, controller } = setup(manyTags());
    await tick();
    const before = h.updates;
    controller.typed('ze');
    expect(h.updates).to.equal(before + 1);
    await pause();
    expect(h.updates).to.equal(before + 2);
  });

  it('asks nothing after the host is gone', async () => {
    const { server, h, controller } = setup(manyTags());
    await tick();
    controller.typed('ze');
    h.disconnect();
    await pause();
    expect(server.requests).to.deep.equal(['limit=200']);
  });
});
