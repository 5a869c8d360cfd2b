/**
 * A stand-in for `socket.io-client` in the standalone `<team-inbox>` bundle, where socket.io-client
 * (engine.io-client, socket.io-parser, component-emitter) would be a quarter of the 40 KB budget.
 * It speaks Socket.IO v5 over Engine.IO v4 on a bare WebSocket, and offers exactly what
 * {@link BatonRealtime} uses, with socket.io-client's semantics:
 * - `io(url, { auth, autoConnect, reconnection, reconnectionAttempts, reconnectionDelay,
 *   reconnectionDelayMax, randomizationFactor, timeout, path, ackTimeout })`; `transports` and
 *   `forceNew` are accepted and moot (WebSocket only; every call makes its own connection);
 * - `socket.on(event, fn)` for server events, `connect`, `disconnect` (reason), `connect_error`;
 * - `socket.emit(event, ...args, ack?)` and `socket.timeout(ms).emit(…, (err, …args) => …)`;
 * - `socket.connect()`, `socket.disconnect()`, `connected`, `active`, `id`.
 * Not here: `socket.io` (the Manager and its events), `off`/`once`, namespaces, binary, volatile,
 * connection state recovery, HTTP long-polling. Code that needs those uses the ESM build.
 */
import { Engine } from './engine.js';
import { ACK, CONNECT, CONNECT_ERROR, decode, DISCONNECT, encode, EVENT, type Packet } from './packets.js';

export type AuthFunction = (cb: (data: object) => void) => void;

export interface ManagerOptions {
  /** The server's Socket.IO path. Default `/socket.io`. */
  path: string;
  reconnection: boolean;
  reconnectionAttempts: number;
  reconnectionDelay: number;
  reconnectionDelayMax: number;
  randomizationFactor: number;
  /** How long opening the connection may take before it counts as failed; `false`: no limit. */
  timeout: number | false;
  /** Accepted for compatibility; this client only has `websocket`. */
  transports: string[];
  /** Accepted for compatibility; every `io()` call opens its own connection anyway. */
  forceNew: boolean;
}

export interface SocketOptions {
  /** Sent with every connect; a function is asked anew each time (a fresh token on reconnect). */
  auth: object | AuthFunction;
  autoConnect: boolean;
  /** Default timeout for acks, as `timeout()` sets for one emit. */
  ackTimeout: number;
}

type Listener = (...args: any[]) => void;
type Ack = Listener & { withError?: boolean };

/** Packets to send once connected, with the ack id they carry (so a timeout can take them back). */
interface Buffered {
  id: number | undefined;
  text: string;
}

/**
 * One Socket.IO socket on the main namespace together with its connection (socket.io-client splits
 * that into a Socket and a Manager; with one socket per connection the split buys nothing here).
 * The type parameters mirror socket.io-client's so typed callers keep compiling; they are unchecked.
 */
export class Socket<_Listen = unknown, _Emit = unknown> {
  id: string | undefined;
  connected = false;
  private subscribed = false;
  private readonly listeners = new Map<string, Listener[]>();
  private readonly acks = new Map<number, Ack>();
  private sendBuffer: Buffered[] = [];
  private nextId = 0;
  private ackTimeoutMs: number | undefined;

  private engine: Engine | null = null;
  private state: 'closed' | 'opening' | 'open' = 'closed';
  private openTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnecting = false;
  private skipReconnect = false;
  private attempts = 0;

  constructor(
    private readonly url: string,
    private readonly opts: Partial<ManagerOptions & SocketOptions>,
  ) {
    if (opts.autoConnect !== false) this.connect();
  }

  /** True from `connect()` until the socket is given up: by `disconnect()`, the server's `41`, or a refused connect. */
  get active(): boolean {
    return this.subscribed;
  }

  on(event: string, fn: Listener): this {
    const list = this.listeners.get(event);
    if (list) list.push(fn);
    else this.listeners.set(event, [fn]);
    return this;
  }

  connect(): this {
    if (this.connected) return this;
    this.subscribed = true;
    if (!this.reconnecting) this.open();
    // Already open (a connect() while the CONNECT answer is pending): connect on it, as socket.io-client does.
    if (this.state === 'open') this.onOpen();
    return this;
  }

  disconnect(): this {
    const was = this.connected;
    if (was) this.engine?.send(encode(DISCONNECT));
    this.destroy();
    if (was) this.onClose('io client disconnect');
    return this;
  }

  /** The next `emit`'s ack gets `(err, …args)`: an Error if no ack came within `ms`. */
  timeout(ms: number): this {
    this.ackTimeoutMs = ms;
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    let id: number | undefined;
    if (typeof args[args.length - 1] === 'function') {
      id = this.nextId++;
      this.registerAck(id, args.pop() as Ack);
    }
    this.ackTimeoutMs = undefined;
    const text = encode(EVENT, [event, ...args], id);
    // Like socket.io-client, what is emitted while disconnected goes out on the next connect.
    if (this.connected) this.engine!.send(text);
    else this.sendBuffer.push({ id, text });
    return this;
  }

  private registerAck(id: number, ack: Ack): void {
    const ms = this.ackTimeoutMs ?? this.opts.ackTimeout;
    if (ms === undefined) {
      this.acks.set(id, ack);
      return;
    }
    const timer = setTimeout(() => {
      this.acks.delete(id);
      this.sendBuffer = this.sendBuffer.filter((p) => p.id !== id);
      ack(new Error('operation has timed out'));
    }, ms);
    const wrapped: Ack = (...args) => {
      clearTimeout(timer);
      ack(...args);
    };
    // Acks with a timeout take an error first: null when the server answered.
    wrapped.withError = true;
    this.acks.set(id, wrapped);
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn(...args);
  }

  // --- the connection (socket.io-client's Manager) ---

  private open(done?: (error?: Error) => void): void {
    if (this.state !== 'closed') return;
    this.state = 'opening';
    this.skipReconnect = false;
    const engine = new Engine(this.engineUrl(), {
      open: () => {
        clearTimeout(this.openTimer);
        this.state = 'open';
        done?.();
        if (this.subscribed) this.onOpen();
      },
      message: (text) => {
        let packet: Packet;
        try {
          packet = decode(text);
        } catch {
          return this.onConnectionClose('parse error');
        }
        this.onPacket(packet);
      },
      close: (reason, error) => {
        if (this.state === 'opening') return failed(error ?? new Error(reason));
        if (error && !this.connected && this.subscribed) this.fire('connect_error', error);
        this.onConnectionClose(reason);
      },
    });
    this.engine = engine;
    const failed = (error: Error) => {
      clearTimeout(this.openTimer);
      engine.close();
      this.state = 'closed';
      if (this.subscribed && !this.connected) this.fire('connect_error', error);
      if (done) done(error);
      // The first attempt of a connect() starts the retry loop; later ones are inside it.
      else if (!this.reconnecting && this.reconnection && this.attempts === 0) this.reconnect();
    };
    const limit = this.opts.timeout ?? 20_000;
    if (limit !== false) this.openTimer = setTimeout(() => failed(new Error('timeout')), limit);
  }

  private engineUrl(): string {
    const url = new URL(this.url, globalThis.location?.href);
    url.protocol = url.protocol.replace('http', 'ws');
    url.pathname = `${(this.opts.path ?? '/socket.io').replace(/\/$/, '')}/`;
    url.search = 'EIO=4&transport=websocket';
    return url.href;
  }

  private get reconnection(): boolean {
    return this.opts.reconnection !== false;
  }

  /** The connection closed after it had opened (not by us): tell the socket, then maybe retry. */
  private onConnectionClose(reason: string): void {
    this.closeConnection();
    this.attempts = 0;
    if (this.subscribed) this.onClose(reason);
    if (this.reconnection && !this.skipReconnect) this.reconnect();
  }

  private closeConnection(): void {
    clearTimeout(this.openTimer);
    clearTimeout(this.retryTimer);
    this.engine?.close();
    this.engine = null;
    this.state = 'closed';
  }

  /**
   * socket.io-client's backoff: `reconnectionDelay · 2^attempt`, moved up or down by a random
   * share of up to `randomizationFactor`, capped at `reconnectionDelayMax`.
   */
  private reconnect(): void {
    if (this.reconnecting || this.skipReconnect) return;
    if (this.attempts >= (this.opts.reconnectionAttempts ?? Infinity)) {
      this.attempts = 0;
      return;
    }
    let ms = (this.opts.reconnectionDelay ?? 1000) * 2 ** this.attempts++;
    const jitter = this.opts.randomizationFactor ?? 0.5;
    if (jitter) {
      const rand = Math.random();
      const deviation = Math.floor(rand * jitter * ms);
      ms = (Math.floor(rand * 10) & 1) === 0 ? ms - deviation : ms + deviation;
    }
    this.reconnecting = true;
    this.retryTimer = setTimeout(
      () => {
        if (this.skipReconnect) return;
        this.open((error) => {
          this.reconnecting = false;
          if (error) this.reconnect();
          else this.attempts = 0;
        });
      },
      Math.min(ms, this.opts.reconnectionDelayMax ?? 5000) | 0,
    );
  }

  // --- the socket ---

  /** Every connect (the first and each reconnect) sends `auth`, asking the function anew. */
  private onOpen(): void {
    const engine = this.engine;
    const send = (data?: object) => {
      // An auth function that answers after its connection died must not connect the next one.
      if (engine === this.engine) engine?.send(encode(CONNECT, data));
    };
    const { auth } = this.opts;
    if (typeof auth === 'function') auth(send);
    else send(auth);
  }

  private onPacket(packet: Packet): void {
    const { type, id, data } = packet;
    if (!this.subscribed) return;
    if (type === CONNECT) {
      const sid = (data as { sid?: unknown } | undefined)?.sid;
      if (typeof sid !== 'string') return this.fire('connect_error', new Error('invalid CONNECT packet: is the server Socket.IO v3 or later?'));
      this.id = sid;
      this.connected = true;
      const buffered = this.sendBuffer;
      this.sendBuffer = [];
      for (const p of buffered) this.engine!.send(p.text);
      this.fire('connect');
    } else if (type === EVENT && Array.isArray(data)) {
      const args = [...(data as unknown[])];
      if (id !== undefined) {
        let sent = false;
        args.push((...reply: unknown[]) => {
          if (!sent) this.engine?.send(encode(ACK, reply, id));
          sent = true;
        });
      }
      if (this.connected) this.fire(...(args as [string, ...unknown[]]));
    } else if (type === ACK && id !== undefined) {
      const ack = this.acks.get(id);
      if (!ack) return;
      this.acks.delete(id);
      const args = Array.isArray(data) ? [...(data as unknown[])] : [];
      if (ack.withError) args.unshift(null);
      ack(...args);
    } else if (type === DISCONNECT) {
      this.destroy();
      this.onClose('io server disconnect');
    } else if (type === CONNECT_ERROR) {
      // Refused by the server's middleware: socket.io-client gives up until connect() is called again.
      this.destroy();
      const payload = (data ?? {}) as { message?: string; data?: unknown };
      this.fire('connect_error', Object.assign(new Error(payload.message), { data: payload.data }));
    }
  }

  /** Leaves the connection for good (until `connect()`): no more events, no reconnecting. */
  private destroy(): void {
    this.subscribed = false;
    this.skipReconnect = true;
    this.reconnecting = false;
    this.attempts = 0;
    this.closeConnection();
  }

  private onClose(reason: string): void {
    this.connected = false;
    this.id = undefined;
    this.fire('disconnect', reason);
    // Acks with a timeout fail now, unless their packet is still waiting to be sent.
    for (const [id, ack] of this.acks) {
      if (this.sendBuffer.some((p) => p.id === id)) continue;
      this.acks.delete(id);
      if (ack.withError) ack(new Error('socket has been disconnected'));
    }
  }
}

/** Opens (unless `autoConnect: false`) a socket to the server at `url`, on its main namespace. */
export function io(url: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Socket {
  return new Socket(url, opts);
}
