import type { Ack, ClientToServerEvents, HandshakeRefusal, HandshakeRefusalData, PresenceState, ReadyEvent, TypingKind, ServerToClientEvents, SessionClosedEvent, SessionCloseReason } from '@baton/protocol';
import { SERVER_EVENTS } from '@baton/protocol/constants';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { backoffMs, sleep, type BackoffOptions, type Delay } from './backoff.js';
import { BatonApiError } from './errors.js';
import { REFRESH_MARGIN_MS, TokenSource, tokenExpiry, type TokenOptions } from './token.js';

/** Payloads of the server's events, by name. */
export type ServerEventMap = { [E in keyof ServerToClientEvents]: Parameters<ServerToClientEvents[E]>[0] };

/** What {@link BatonRealtime.on} offers: the server's events plus the connection's own signals. */
export interface RealtimeEventMap extends ServerEventMap {
  /**
   * The client cannot catch up by replay: it was away too long (`ready.resync`), or the server's
   * `seq` is behind the client's (its data was reset). Reload views and timelines from REST.
   */
  resync: ReadyEvent;
  /**
   * The socket is down. `closed` is the server's reason when it ended the session on purpose;
   * `reconnecting` says whether this client will try again by itself (not after `close()`, nor
   * after `agent_deactivated` or `too_many_sockets`: call `connect()` to take the session back).
   */
  disconnected: { reason: string; closed: SessionClosedEvent | null; reconnecting: boolean };
  /** A failed handshake or token provider; the connection keeps trying unless it was closed. */
  error: Error;
}

export type RealtimeEvent = keyof RealtimeEventMap;

type UnlistenedEvents = Exclude<keyof ServerToClientEvents, (typeof SERVER_EVENTS)[number]>;
/** Compile-time guard: a server event added to the protocol must be forwarded here too. */
const everyServerEventForwarded: [UnlistenedEvents] extends [never] ? true : UnlistenedEvents = true;
void everyServerEventForwarded;

export interface BatonRealtimeOptions extends TokenOptions {
  /** The Baton server's origin, e.g. `https://baton.example.com`. */
  url: string;
  /** The last workspace `seq` this client saw (from an earlier session), so the server replays from there. */
  since?: number;
  /** How long `viewing()`/`typing()` wait for the server's ack. Default 10 s. */
  ackTimeoutMs?: number;
  /** Consecutive refused handshakes before giving up. Default: keep trying. */
  maxReconnectAttempts?: number;
  backoff?: Partial<BackoffOptions>;
  /** How reconnect backoff waits; tests pass one they control. */
  delay?: Delay;
  /**
   * Schedules `run` in `ms` and returns its cancel: when the session's token is renewed over the
   * socket (`session:refresh`). Default `setTimeout`; tests run it by hand.
   */
  sessionTimer?: (run: () => void, ms: number) => () => void;
  /** Passed to Socket.IO (transports, path…). `auth`, `autoConnect` and `forceNew` are the SDK's. */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

type Handler = (payload: never) => void;

/** Handshake refusals that pass with time, and how the SDK's error says so. */
const PASSING = {
  rate_limited: (seconds: number) => `too many connections: trying again in ${seconds} s`,
  unavailable: (seconds: number) => `the server cannot reach its database: trying again in ${seconds} s`,
} satisfies Partial<Record<HandshakeRefusal, (seconds: number) => string>>;

/** `details` of the 403 for a page whose origin the workspace does not list in `allowedOrigins`. */
export interface OriginRefusalDetails {
  reason: 'origin_not_allowed';
  /** The page's origin as the browser sent it, or null outside a browser. */
  origin: string | null;
}

const ORIGIN_REFUSAL: HandshakeRefusal = 'origin not allowed';
const BAD_REQUEST: HandshakeRefusal = 'bad request';

/**
 * A failed connect as the REST client reports its failures: a refused sign-in as 401 `unauthorized`,
 * a refused page origin as 403 `forbidden` (with `OriginRefusalDetails`), anything else (no server,
 * a dropped WebSocket, a timeout) as `network_error`. The message stays Socket.IO's, for logs.
 */
function connectFailure(error: Error): BatonApiError {
  if (error.message === ORIGIN_REFUSAL) {
    const details: OriginRefusalDetails = { reason: 'origin_not_allowed', origin: globalThis.location?.origin ?? null };
    return new BatonApiError(403, 'forbidden', error.message, details, { cause: error });
  }
  if (error.message === BAD_REQUEST) {
    const data = (error as { data?: { message?: unknown } }).data;
    return new BatonApiError(400, 'bad_request', typeof data?.message === 'string' ? data.message : error.message, undefined, { cause: error });
  }
  const [status, code] = error.message === 'unauthorized' ? [401, 'unauthorized' as const] : [0, 'network_error' as const];
  return new BatonApiError(status, code, error.message, undefined, { cause: error });
}

/** The refusal that passes with time and the wait it asks for, or null for any other error. */
function passingRefusal(error: Error): { code: keyof typeof PASSING; retryAfterMs: number } | null {
  if (!Object.hasOwn(PASSING, error.message)) return null;
  const code = error.message as keyof typeof PASSING;
  const data = (error as { data?: Partial<HandshakeRefusalData & { code: 'rate_limited' | 'unavailable' }> }).data;
  const ms = data?.retryAfterMs;
  return { code, retryAfterMs: typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 10 * 60_000) : 1000 };
}

/**
 * Server closes after which reconnecting by itself would not help: a deactivated agent is refused,
 * and a socket closed for being the 11th would close another of the agent's sockets in turn (two
 * tabs taking the session from each other forever).
 */
const FINAL_CLOSES: ReadonlySet<SessionCloseReason> = new Set(['agent_deactivated', 'too_many_sockets']);

/**
 * The Baton socket. Every (re)connect sends a token from the provider and the last `seq` seen, so
 * the server replays what was missed before it says `ready`. Before the token expires it is renewed
 * over the socket (`session:refresh`); when the server ends the session anyway (a refused renewal,
 * a revoked key) or refuses the handshake, it reconnects with backoff and a fresh token.
 */
export class BatonRealtime {
  /** The underlying Socket.IO socket, for what the SDK does not wrap. */
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly tokens: TokenSource;
  private readonly ackTimeoutMs: number;
  private readonly maxReconnectAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly delay: Delay;
  private readonly listeners = new Map<RealtimeEvent, Set<Handler>>();
  private seq: number | undefined;
  private current: ReadyEvent | null = null;
  private viewingId: string | null = null;
  private handshakes = 0;
  /** The `since` of the handshake in progress. */
  private sentSince: number | undefined;
  private failures = 0;
  private retrying = false;
  private closed = false;
  /** The server's `session:closed` for the disconnect that follows it. */
  private closing: SessionClosedEvent | null = null;
  private waiters: { resolve: (e: ReadyEvent) => void; reject: (e: Error) => void }[] = [];
  /** The token the current session runs on: sent in its handshake, or renewed since. */
  private sessionToken: string | undefined;
  private readonly sessionTimer: (run: () => void, ms: number) => () => void;
  private readonly now: () => number;
  /** Cancels the renewal scheduled for the current session. */
  private cancelRenewal = () => {};

  constructor(options: BatonRealtimeOptions) {
    this.tokens = options.tokens ?? new TokenSource(options);
    this.seq = options.since;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.maxReconnectAttempts = options.maxReconnectAttempts ?? Infinity;
    this.backoff = { baseMs: 1000, maxMs: 30_000, ...options.backoff };
    this.delay = options.delay ?? sleep;
    this.now = options.now ?? Date.now;
    this.sessionTimer =
      options.sessionTimer ??
      ((run, ms) => {
        const timer = setTimeout(run, ms);
        return () => clearTimeout(timer);
      });
    this.socket = io(options.url, {
      ...options.socketOptions,
      autoConnect: false,
      forceNew: true,
      // A function, so each handshake (reconnects too) reads the token and `since` anew.
      auth: (cb) => this.handshake(cb),
    });
    for (const event of SERVER_EVENTS) {
      (this.socket.on as (e: string, fn: (payload: unknown) => void) => void)(event, (payload) => this.receive(event, payload));
    }
    this.socket.on('disconnect', (reason) => this.onDisconnect(reason));
    this.socket.on('connect_error', (error) => this.onConnectError(error));
  }

  /** The highest change `seq` received; sent as `since` on the next connect. */
  get lastSeq(): number | undefined {
    return this.seq;
  }

  /** The `ready` of the current connection, or null while not connected. */
  get readyEvent(): ReadyEvent | null {
    return this.current;
  }

  get connected(): boolean {
    return this.current !== null && this.socket.connected;
  }

  /** Connects (if not already) and resolves with the next `ready`, or the current one. */
  connect(): Promise<ReadyEvent> {
    if (this.closed) return Promise.reject(new Error('BatonRealtime is closed'));
    if (this.connected) return Promise.resolve(this.current!);
    const ready = new Promise<ReadyEvent>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.socket.active) this.socket.connect();
    return ready;
  }

  /** Subscribes to a server event or a connection signal; returns the unsubscribe. */
  on<E extends RealtimeEvent>(event: E, handler: (payload: RealtimeEventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(handler as Handler);
    return () => void set.delete(handler as Handler);
  }

  /**
   * Tells the server which conversation this agent has open (null: none), for the "Ben is viewing"
   * warning. Remembered and re-sent after every reconnect. Resolves with who is viewing and typing.
   */
  async viewing(conversationId: string | null): Promise<PresenceState | null> {
    const previous = this.viewingId;
    this.viewingId = conversationId;
    try {
      return await this.request<PresenceState | null>('presence:viewing', { conversationId });
    } catch (error) {
      // Refused (unknown conversation): the server kept the previous one, so do we.
      if (error instanceof BatonApiError && error.code !== 'network_error' && this.viewingId === conversationId) this.viewingId = previous;
      throw error;
    }
  }

  /**
   * Signals typing in the conversation being viewed, a reply or an internal note ("Ana is typing a
   * note"); the server lets it lapse a few seconds later.
   */
  typing(conversationId: string, kind: TypingKind = 'reply'): Promise<PresenceState> {
    return this.request<PresenceState>('presence:typing', { conversationId, kind });
  }

  /** Disconnects for good; pending `connect()` promises reject. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelRenewal();
    this.socket.disconnect();
    this.rejectWaiters(new Error('BatonRealtime was closed'));
  }

  private handshake(cb: (data: object) => void): void {
    const first = this.handshakes++ === 0;
    // The first handshake may use the token given up front; every later one asks the provider.
    (first ? this.tokens.get() : this.tokens.refresh()).then(
      (token) => {
        this.sessionToken = token;
        this.sentSince = this.seq;
        cb({ token, ...(this.seq === undefined ? {} : { since: this.seq }) });
      },
      (error: unknown) => {
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
        // Without a token the server refuses the handshake, which lands in the retry path below.
        cb({});
      },
    );
  }

  private receive(event: (typeof SERVER_EVENTS)[number], payload: unknown): void {
    const seq = (payload as { seq?: unknown } | null)?.seq;
    // The server never puts a seq on an event (ready and presence included) beyond the last change
    // it has delivered, so resuming from the highest one seen cannot skip a change.
    if (typeof seq === 'number') this.seq = Math.max(this.seq ?? 0, seq);
    if (event === 'session:closed') this.closing = payload as SessionClosedEvent;
    if (event !== 'ready') return this.emit(event, payload as never);

    let ready = payload as ReadyEvent;
    if (this.sentSince !== undefined && ready.seq < this.sentSince) {
      // The server's history ends before what we saw (its data was reset or restored): nothing
      // can be replayed from `since`, so what we hold is not trustworthy. Start over from its seq.
      this.seq = ready.seq;
      ready = { ...ready, resync: true };
    }
    this.current = ready;
    this.failures = 0;
    this.scheduleRenewal();
    if (this.viewingId) {
      // The server forgets presence with the old socket; tell the new one.
      this.request('presence:viewing', { conversationId: this.viewingId }).catch((error: Error) => this.emit('error', error));
    }
    this.emit('ready', ready);
    if (ready.resync) this.emit('resync', ready);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(ready);
  }

  private onDisconnect(reason: string): void {
    this.current = null;
    this.cancelRenewal();
    const closed = reason === 'io server disconnect' ? this.closing : null;
    this.closing = null;
    const final = closed !== null && FINAL_CLOSES.has(closed.reason);
    // Transport failures reconnect by themselves (socket.io's own retry); a session the server
    // ended (expired token, revoked key) does not, so this reconnects it with a fresh token.
    const reconnecting = !this.closed && !final && (reason === 'io server disconnect' || this.socket.active);
    this.emit('disconnected', { reason, closed, reconnecting });
    if (final) return this.rejectWaiters(new Error(closed.message));
    if (!this.closed && reason === 'io server disconnect') this.scheduleReconnect();
  }

  private onConnectError(error: Error): void {
    // Refused by the server's middleware: Socket.IO stops. Too many handshakes, or a database that
    // did not answer, passes with time, the same token and all; for a refused token a provider may
    // have one that works. A refused page origin stays refused until the workspace lists it, so
    // `connect()` fails with it rather than minting token after token.
    const passing = passingRefusal(error);
    if (passing !== null) {
      const { code, retryAfterMs } = passing;
      this.emit('error', new BatonApiError(0, code, PASSING[code](Math.ceil(retryAfterMs / 1000)), { retryAfterMs }, { cause: error }));
      if (!this.closed && !this.socket.active) this.scheduleReconnect(retryAfterMs);
      return;
    }
    const failure = connectFailure(error);
    this.emit('error', failure);
    if (this.closed || this.socket.active) return;
    if (error.message === ORIGIN_REFUSAL || error.message === BAD_REQUEST) this.rejectWaiters(failure);
    else if (this.tokens.refreshable) this.scheduleReconnect();
  }

  /** Reconnects after the backoff, or after `atLeastMs` (the server's word) if that is longer. */
  private scheduleReconnect(atLeastMs = 0): void {
    if (this.retrying) return;
    this.failures += 1;
    if (this.failures > this.maxReconnectAttempts) {
      const error = new Error(`gave up reconnecting after ${this.maxReconnectAttempts} attempts`);
      this.emit('error', error);
      this.rejectWaiters(error);
      return;
    }
    this.retrying = true;
    // Up to half again on top of the server's wait, so the clients it refused together do not all
    // come back in the same instant.
    const told = atLeastMs > 0 ? Math.round(atLeastMs * (1 + Math.random() / 2)) : 0;
    void this.delay(Math.max(told, backoffMs(this.failures, this.backoff))).then(() => {
      this.retrying = false;
      if (!this.closed && !this.socket.active) this.socket.connect();
    });
  }

  /**
   * Renews the session's token over the socket a minute before it expires (half its life, if
   * shorter), so the session goes on instead of being closed and replayed at the expiry. Only with
   * a provider; a renewal that fails leaves the expiry to end the session, and the reconnect that
   * follows gets a fresh token as before.
   */
  private scheduleRenewal(): void {
    this.cancelRenewal();
    const exp = this.sessionToken && tokenExpiry(this.sessionToken);
    if (!exp || !this.tokens.refreshable) return;
    const left = exp * 1000 - this.now();
    // At most setTimeout's longest wait (about 24.8 days): a longer one would fire at once.
    const ms = Math.min(Math.max(left - REFRESH_MARGIN_MS, left / 2, 0), 2 ** 31 - 1);
    this.cancelRenewal = this.sessionTimer(() => void this.renew(this.sessionToken), ms);
  }

  private async renew(sent: string | undefined): Promise<void> {
    const token = await this.tokens.refresh(sent).catch(() => undefined);
    // The same token again (a provider that caches) would only schedule itself over and over.
    if (!token || token === sent || !this.connected || this.sessionToken !== sent) return;
    if (await this.request('session:refresh', { token }).then(() => true, () => false)) {
      this.sessionToken = token;
      this.scheduleRenewal();
    }
  }

  private request<T>(event: keyof ClientToServerEvents, body: unknown): Promise<T> {
    const socket = this.socket.timeout(this.ackTimeoutMs) as unknown as {
      emit(event: string, body: unknown, ack: (err: Error | null, ack: Ack<T>) => void): void;
    };
    return new Promise<T>((resolve, reject) => {
      socket.emit(event, body, (err, ack) => {
        if (err) return reject(new BatonApiError(0, 'network_error', `no answer to ${event} within ${this.ackTimeoutMs} ms`, undefined, { cause: err }));
        if (ack.ok) return resolve(ack.data);
        reject(new BatonApiError(0, ack.error.code, ack.error.message, ack.error.details));
      });
    });
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }

  private emit<E extends RealtimeEvent>(event: E, payload: RealtimeEventMap[E]): void {
    for (const handler of [...(this.listeners.get(event) ?? [])]) {
      try {
        (handler as (p: RealtimeEventMap[E]) => void)(payload);
      } catch (error) {
        // One failing listener must not starve the others; report it the way EventTarget does.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
