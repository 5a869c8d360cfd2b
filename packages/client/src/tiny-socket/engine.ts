/**
 * One Engine.IO v4 session over one browser WebSocket: the handshake, the heartbeat and message
 * framing, nothing else. The WebSocket transport carries one packet per frame, so there is no
 * payload batching (that exists for HTTP long-polling, which this client leaves out).
 */

export interface EngineEvents {
  /** The server's `open` packet arrived: the session is up. */
  open(): void;
  /** The body of an Engine.IO `message` packet (a Socket.IO packet). */
  message(data: string): void;
  /**
   * The session is gone. Before `open` this is a failed attempt (`error` is set); after it, one of
   * Engine.IO's close reasons: `transport close`, `transport error` (with `error`), `ping timeout`.
   */
  close(reason: string, error?: Error): void;
}

/** Engine.IO packet types, as the first character of each frame. */
const OPEN = '0';
const CLOSE = '1';
const PING = '2';
const PONG = '3';
const MESSAGE = '4';

export class Engine {
  private readonly ws: WebSocket;
  private opened = false;
  private done = false;
  private pingDeadline = 0;
  private heartbeat: ReturnType<typeof setTimeout> | undefined;

  constructor(
    url: string,
    private readonly on: EngineEvents,
  ) {
    this.ws = new WebSocket(url);
    this.ws.onmessage = (e: MessageEvent) => {
      // Binary frames only carry Socket.IO attachments, which Baton's JSON protocol never sends.
      if (typeof e.data === 'string') this.packet(e.data);
    };
    // Browsers fire `error` then `close`; whichever comes first names the reason, as in engine.io-client.
    this.ws.onerror = () => this.end('transport error', new Error('websocket error'));
    this.ws.onclose = () => this.end('transport close');
  }

  /** Sends a Socket.IO packet; dropped when the session is not open (engine.io-client never flushes those either). */
  send(data: string): void {
    if (this.opened && !this.done) this.ws.send(MESSAGE + data);
  }

  /** Closes without reporting: the caller already knows why. */
  close(): void {
    this.done = true;
    clearTimeout(this.heartbeat);
    this.ws.close();
  }

  private packet(frame: string): void {
    const type = frame[0];
    if (type === OPEN) {
      const { pingInterval, pingTimeout } = JSON.parse(frame.slice(1)) as { pingInterval: number; pingTimeout: number };
      this.pingDeadline = pingInterval + pingTimeout;
      this.opened = true;
      this.alive();
      this.on.open();
    } else if (type === PING) {
      this.alive();
      this.ws.send(PONG);
    } else if (type === MESSAGE) this.on.message(frame.slice(1));
    else if (type === CLOSE) this.end('transport close');
  }

  /**
   * The server pings every `pingInterval` and waits `pingTimeout` for the pong; a ping that has not
   * come by their sum means the connection is dead even if the WebSocket has not noticed (a
   * sleeping laptop, a NAT that dropped the flow).
   */
  private alive(): void {
    clearTimeout(this.heartbeat);
    this.heartbeat = setTimeout(() => this.end('ping timeout'), this.pingDeadline);
  }

  private end(reason: string, error?: Error): void {
    if (this.done) return;
    this.close();
    // A socket that never opened failed to connect, whatever the WebSocket said.
    if (!this.opened) this.on.close(reason, error ?? new Error('websocket error'));
    else this.on.close(reason, error);
  }
}
