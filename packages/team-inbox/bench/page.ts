// Runs in Chromium (bundled by bench/render.ts): <team-inbox> over a real InboxStore fed 1,000
// protocol-shaped conversations by the fixture REST API, against a plain createElement list.
import '../src/define.js';
import type { Conversation } from '@baton/protocol';
import type { TeamInbox } from '../src/team-inbox/team-inbox.js';
import { contact, conversation, demoWorld, fixtureInbox, type FixtureInbox } from '../src/testing/fixtures.js';

const CHANNELS = ['sms', 'email', 'whatsapp', 'webchat'] as const;
const NAMES = ['Lucía Fernández', 'Priya Patel', 'Liam Davis', 'Mia Thompson', 'Noah Johnson', 'Emma Wilson', 'Daniel Kim', 'Jorge Ramírez'];

export async function makeInbox(n: number): Promise<FixtureInbox> {
  const world = demoWorld();
  world.contacts = NAMES.map((name, i) => contact(`ct_${i}`, name));
  world.conversations = Array.from({ length: n }, (_, i) =>
    conversation(`conv_${i}`, `ct_${i % NAMES.length}`, i + 1, {
      channel: CHANNELS[i % CHANNELS.length],
      assigneeId: i % 3 === 0 ? null : world.agents[i % world.agents.length]!.id,
      preview: `Message ${i}: is my order on its way? I ordered it last week and have not heard back.`,
    }),
  );
  world.unread = new Set(world.conversations.filter((_, i) => i % 4 === 0).map((c) => c.id));
  return fixtureInbox({ world, view: 'all', pageSize: n });
}

const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
/** Style and layout are part of "rendered": read a layout property to make the browser do them now. */
const layout = (el: Element) => void (el as HTMLElement).getBoundingClientRect().height;

async function settled(inbox: TeamInbox) {
  await inbox.updateComplete;
  const list = inbox.shadowRoot!.querySelector('inbox-conversation-list')!;
  await list.updateComplete;
  return list;
}

export async function inboxRun(fixture: FixtureInbox) {
  const host = document.getElementById('host')!;
  host.replaceChildren();
  await frame();
  const inbox = document.createElement('team-inbox');
  inbox.store = fixture.store;
  inbox.rest = fixture.rest;
  inbox.view = 'all';
  const t0 = performance.now();
  host.append(inbox);
  const list = await settled(inbox);
  layout(list);
  const firstRender = performance.now() - t0;
  const rows = list.shadowRoot!.querySelectorAll('[role="option"]').length;

  // Scroll through all rows a viewport at a time. The list renders scroll positions in a frame
  // callback, so the clock runs only inside the list's own update and the layout after it.
  // That leaves out the rows' own elements (avatars, badges), which draw their shadow content in
  // microtasks after the list's update, and the frame's style, layout and paint of all of it: the
  // second clock runs from the list's update to a task posted then, which runs only once the
  // frame's rendering is done, so it sees the whole frame's main-thread work.
  const scroller = list.shadowRoot!.querySelector<HTMLElement>('[part="base"]')!;
  const instance = list as unknown as { update: (changed: unknown) => void };
  const update = instance.update;
  let work = 0;
  let worstStep = 0;
  let frameWork = 0;
  let worstFrame = 0;
  let framesPending: Promise<void>[] = [];
  instance.update = function (this: unknown, changed: unknown) {
    const t = performance.now();
    const { port1, port2 } = new MessageChannel();
    framesPending.push(
      new Promise<void>((resolve) => {
        port1.onmessage = () => {
          const whole = performance.now() - t;
          frameWork += whole;
          worstFrame = Math.max(worstFrame, whole);
          port1.close();
          resolve();
        };
      }),
    );
    port2.postMessage(0);
    update.call(this, changed);
    layout(list);
    const spent = performance.now() - t;
    work += spent;
    worstStep = Math.max(worstStep, spent);
  };
  let steps = 0;
  while (scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 1) {
    scroller.scrollTop += scroller.clientHeight;
    await frame();
    await list.updateComplete;
    await Promise.all(framesPending);
    framesPending = [];
    steps++;
  }
  const scrollThrough = work;
  scroller.scrollTop = 0;
  await frame();
  await list.updateComplete;
  instance.update = update;
  await frame();

  // One incoming `conversation:updated`: the first row gets a new preview (and stays first).
  const top = fixture.store.getSnapshot().conversations[0] as Conversation;
  const preview = `Update ${performance.now()}`;
  const u0 = performance.now();
  fixture.realtime.emit('conversation:updated', {
    seq: Math.floor(u0 * 1000),
    conversation: { ...top, version: top.version + 1, preview, lastMessageAt: new Date().toISOString() },
  });
  await settled(inbox);
  layout(list);
  const updateMs = performance.now() - u0;
  if (!list.shadowRoot!.textContent!.includes(preview)) throw new Error('the update did not reach the DOM');
  return { firstRender, rows, scrollThrough, worstStep, frameWork, worstFrame, steps, update: updateMs };
}

/** The baseline: rows as plain DOM built with createElement, no framework, no store; `limit` rows (all by default). */
export async function baselineRun(fixture: FixtureInbox, limit = Infinity) {
  const host = document.getElementById('host')!;
  host.replaceChildren();
  await frame();
  const convs = fixture.store.getSnapshot().conversations.slice(0, limit);
  const names = new Map(fixture.world.contacts.map((c) => [c.id, c.name]));
  const t0 = performance.now();
  const list = document.createElement('div');
  list.setAttribute('role', 'listbox');
  list.style.cssText = 'height:800px;overflow:auto';
  const previews = new Map<string, HTMLElement>();
  for (const c of convs) {
    const row = document.createElement('div');
    row.setAttribute('role', 'option');
    row.style.cssText = 'display:grid;grid-template-columns:12px 1fr auto;height:64px';
    const name = document.createElement('span');
    name.textContent = names.get(c.contactId) ?? 'Customer';
    const time = document.createElement('time');
    time.textContent = c.lastMessageAt.slice(11, 16);
    const preview = document.createElement('span');
    preview.textContent = c.preview ?? '';
    const assignee = document.createElement('span');
    assignee.textContent = c.assigneeId ?? '';
    row.append(document.createElement('span'), name, time, preview, assignee);
    previews.set(c.id, preview);
    list.append(row);
  }
  host.append(list);
  layout(list);
  const firstRender = performance.now() - t0;
  const u0 = performance.now();
  previews.get(convs[0]!.id)!.textContent = `Update ${u0}`;
  layout(list);
  const update = performance.now() - u0;
  return { firstRender, rows: convs.length, update };
}

Object.assign(window, { bench: { makeInbox, inboxRun, baselineRun } });
