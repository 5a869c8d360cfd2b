import type { TestContext } from 'node:test';
import type { Conversation } from '@baton/protocol';
import { TestServer, type TestAgent, type TestWorkspace } from '@baton/server/testing';
import { BatonRealtime, BatonRestClient, type BatonRealtimeOptions, type TokenSource, type InboxSnapshot, type InboxStore, type RealtimeEvent, type RealtimeEventMap } from '../src/index.js';

/** Shared fixtures: a real server on a loopback port per test, and bounded waits (never sleeps). */

export const WAIT_MS = 5000;

/** Retries in tests wait for nothing. */
export const noDelay = async (_ms: number) => {};

export function withTimeout<T>(promise: Promise<T>, label: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${label}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The next `event` from the socket that matches, within the bound. */
export function nextEvent<E extends RealtimeEvent>(
  rt: BatonRealtime,
  event: E,
  predicate: (payload: RealtimeEventMap[E]) => boolean = () => true,
  ms = WAIT_MS,
): Promise<RealtimeEventMap[E]> {
  let off = () => {};
  const seen = new Promise<RealtimeEventMap[E]>((resolve) => {
    off = rt.on(event, (payload) => {
      if (predicate(payload)) resolve(payload);
    });
  });
  return withTimeout(seen, `${event}`, ms).finally(() => off());
}

/** Resolves with the first snapshot (current or later) that satisfies `predicate`; the label and the last snapshot explain a timeout. */
export function until(store: InboxStore, predicate: (s: InboxSnapshot) => boolean, label: string, ms = WAIT_MS): Promise<InboxSnapshot> {
  let off = () => {};
  const reached = new Promise<InboxSnapshot>((resolve) => {
    const check = (s: InboxSnapshot) => {
      if (predicate(s)) resolve(s);
    };
    off = store.subscribe(check);
    check(store.getSnapshot());
  });
  return withTimeout(reached, label, ms)
    .catch((error: Error) => {
      const s = store.getSnapshot();
      const rows = s.conversations.map((c) => `${c.id}(${c.status},${c.assigneeId})`).join(' ');
      throw new Error(`${error.message}\n  view=${s.view} rows=[${rows}] counts=${JSON.stringify(s.counts)} error=${s.error?.message ?? ''}`);
    })
    .finally(() => off());
}

/** A promise the test opens when it is ready: holds a token provider so a reconnect waits for it. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * A token provider that answers the first call at once and holds every later one (reconnects)
 * until `open()`, so a test can change things while the client is away.
 */
export function heldAfterFirst(provide: () => Promise<string>) {
  const held = gate();
  const state = { calls: 0, tokens: [] as string[] };
  const provider = async () => {
    if (state.calls++ > 0) await held.opened;
    const token = await provide();
    state.tokens.push(token);
    return token;
  };
  return { provider, open: held.open, state };
}

/**
 * A fetch that lets the first matching response wait (after the server has answered) until
 * `release()`, so a test can make a change that lands between a read and its use.
 */
export function holdResponse(match: (url: URL, init?: RequestInit) => boolean) {
  const held = gate();
  let signal!: () => void;
  const arrived = new Promise<void>((resolve) => (signal = resolve));
  let holding = true;
  const wrapped: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (holding && match(new URL(String(input)), init)) {
      holding = false;
      signal();
      await held.opened;
    }
    return res;
  };
  return { fetch: wrapped, arrived: () => withTimeout(arrived, 'the held response'), release: held.open };
}

export const ids = (rows: readonly Pick<Conversation, 'id'>[]) => rows.map((r) => r.id);

export interface Fixture {
  server: TestServer;
  ws: TestWorkspace;
  ana: TestAgent;
  ben: TestAgent;
  /** REST as the host backend (API key). */
  host: BatonRestClient;
  rest: (agent: TestAgent, extra?: Partial<ConstructorParameters<typeof BatonRestClient>[0]>) => BatonRestClient;
  /** A realtime client the fixture closes after the test. */
  realtime: (options: Partial<BatonRealtimeOptions> & ({ token: string } | { tokenProvider: () => Promise<string> } | { tokens: TokenSource })) => BatonRealtime;
  /** A fresh token for the agent, minted by the host backend. */
  mint: (agent: TestAgent) => Promise<string>;
  /** Starts an open conversation with an inbound customer message, as the host backend does. */
  inbound: (body?: string) => Promise<Conversation>;
}

export async function setup(t: TestContext, serverOptions: Parameters<typeof TestServer.start>[0] = {}): Promise<Fixture> {
  const server = await TestServer.start(serverOptions);
  const sockets: BatonRealtime[] = [];
  t.after(async () => {
    for (const rt of sockets) rt.close();
    await server.close();
  });
  const ws = await server.createWorkspace();
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const host = new BatonRestClient({ baseUrl: server.url, token: ws.apiKey, delay: noDelay });
  let n = 0;
  return {
    server,
    ws,
    ana,
    ben,
    host,
    rest: (agent, extra = {}) => new BatonRestClient({ baseUrl: server.url, token: agent.token, delay: noDelay, ...extra }),
    realtime: (options) => {
      const rt = new BatonRealtime({ url: server.url, delay: noDelay, socketOptions: { transports: ['websocket'] }, ...options });
      sockets.push(rt);
      return rt;
    },
    mint: async (agent) => (await host.createToken({ agentId: agent.id })).token,
    inbound: async (body = 'Hello, I need help') =>
      (await host.createConversation({ contact: { name: `Customer ${++n}` }, channel: 'sms', message: { body } })).conversation,
  };
}

/**
 * Closes the agent's WebSocket from the server's end without a Socket.IO goodbye: to the client
 * that is a network failure (`transport close`) and it reconnects by itself. Done server-side so
 * it works the same for socket.io-client and the tiny client (which has no `socket.io.engine`).
 */
export function dropTransport(server: TestServer, agentId: string): void {
  let dropped = 0;
  for (const socket of server.server.realtime.io.of('/').sockets.values()) {
    if (socket.data.agentId !== agentId) continue;
    socket.conn.close();
    dropped++;
  }
  if (dropped === 0) throw new Error(`no socket of ${agentId} to drop`);
}

/**
 * Adds `count` change rows to the workspace's outbox so a client that reconnects after them is
 * past the server's replay limit (MAX_REPLAY) and gets `resync: true`. Doing it through the API
 * would take a request per change. Each row is a read-mark change of an agent that does not exist:
 * a valid change whose only event goes to that agent's room, where nobody listens.
 */
export async function padOutbox(server: TestServer, workspaceId: string, count: number, conversation: Conversation): Promise<void> {
  const { db } = server.server.deps.storage;
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('workspaces')
      .set((eb) => ({ seq: eb('seq', '+', count) }))
      .where('id', '=', workspaceId)
      .returning('seq')
      .executeTakeFirstOrThrow();
    const first = Number(row.seq) - count + 1;
    const payload = JSON.stringify({ items: [], notifications: [], agentIds: [], conversation, data: { agentId: 'agt_nobody', lastReadSeq: 0 } });
    for (let start = 0; start < count; start += 500) {
      const values = Array.from({ length: Math.min(500, count - start) }, (_, i) => ({
        workspace_id: workspaceId,
        seq: first + start + i,
        type: 'conversation.read',
        conversation_id: conversation.id,
        payload,
        created_at: Date.now(),
      }));
      await trx.insertInto('outbox').values(values).execute();
    }
  });
}
