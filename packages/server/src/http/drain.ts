import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

/**
 * A stopping node's requests. Once `stop()` is called the node reports itself stopping (`/healthz`
 * answers 503, so a load balancer takes it out of rotation), tells keep-alive clients to come back
 * on a new connection (`Connection: close`), and `idle()` resolves when the requests already in
 * the handlers have been answered. Before, a stop cut every open connection a moment after it
 * began, so a request whose write had committed could lose its answer, and its client retried
 * something that had been done.
 */
export class RequestDrain {
  private inFlight = 0;
  private stopping = false;
  private onIdle: (() => void) | null = null;

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Requests in the handlers now (metrics, tests). */
  get active(): number {
    return this.inFlight;
  }

  readonly middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    this.inFlight++;
    try {
      await next();
    } finally {
      if (this.stopping) c.header('Connection', 'close');
      if (--this.inFlight === 0) this.onIdle?.();
    }
  };

  stop(): void {
    this.stopping = true;
  }

  /**
   * Resolves once no request is in the handlers, or after `timeoutMs` of real time (a shutdown
   * deadline is the operator's wall clock, not the server's clock), saying which.
   */
  idle(timeoutMs: number): Promise<'idle' | 'timed out'> {
    if (this.inFlight === 0) return Promise.resolve('idle');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onIdle = null;
        resolve('timed out');
      }, timeoutMs);
      this.onIdle = () => {
        clearTimeout(timer);
        this.onIdle = null;
        resolve('idle');
      };
    });
  }
}
